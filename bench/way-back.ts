/**
 * The way back at full scale (issue 32): trash() and undo() each within
 * 20 ms at a million contracts. Run with the others, or alone:
 * BENCH_ONLY=wayback npm run bench. The lists need no figure of their own:
 * trashed records leave their tables (sql/migrations/026_trash.sql), so
 * every list, count and search reads what it read before, with no filter
 * added (the `scale` and `daily` figures are unchanged). trash() and undo()
 * are one statement each, one round trip (lib/crm/trash.ts, lib/crm/undo.ts);
 * each row names the same run's contracts.get(id) beside it.
 */
import { createApi, type CrmApi } from '../lib/crm/api.js';
import type { SessionPools } from '../lib/db/index.js';
import type { Actor } from '../lib/domain/actor.js';
import { noopMonitor } from '../lib/platform/monitoring.js';
import { median, type BenchWorld } from './harness.js';

export interface FigureSink {
  limitRow(figure: string, value: string, ok: boolean, target: string): void;
  progress(line: string): void;
  ms(v: number): string;
}

const TARGET_MS = 20;

export async function wayBackFigures(world: BenchWorld, db: SessionPools, sales: Actor, management: Actor, out: FigureSink): Promise<void> {
  out.progress('the way back: trash() and undo()');
  const as = (actor: Actor): CrmApi => createApi({ db: db.forActor(actor), actor: () => actor, config: world.config, monitor: noopMonitor });
  const asSales = as(sales);
  const asManagement = as(management);
  const mine = (await asSales.contracts.list({ mine: true, signed: false, limit: 60 })).rows;
  if (mine.length < 60) throw new Error(`the bench's first salesperson has ${mine.length} unsigned contracts, 60 needed`);
  // 30 of them in the trash (their own entries), so trash() has pages to read.
  const trashed = mine.slice(0, 30);
  for (const k of trashed) await asSales.contracts.delete(k.id);
  try {
    // Each collaborator's calls in a row, as their own shell makes them (one
    // identity per process: its pooled connections keep it between calls).
    const listTimes: number[] = [];
    for (const api of [asSales, asManagement]) {
      for (let i = 0; i < 21; i++) {
        const t0 = performance.now();
        const page = await api.trash();
        listTimes.push(performance.now() - t0);
        if (page.rows.length === 0) throw new Error('trash() listed nothing');
      }
    }
    // The same run's reference: one contracts.get(id), one indexed read in one round trip like trash()'s.
    const getTimes: number[] = [];
    for (let i = 0; i < 42; i++) {
      const t0 = performance.now();
      await asSales.contracts.get(mine[30 + (i % 30)].id);
      getTimes.push(performance.now() - t0);
    }
    const reference = `contracts.get(id) ${out.ms(median(getTimes))}`;
    out.progress(`reference: ${reference}`);
    const list = median(listTimes);
    out.limitRow(`trash() at 1M contracts (sales and management, first page; ${reference})`, out.ms(list), list <= TARGET_MS, `<= ${TARGET_MS} ms`);

    // undo(): each run undoes a fresh update of another contract (the update itself not timed).
    const undoTimes: number[] = [];
    for (const k of mine.slice(30, 60)) {
      // A real change (a generated contract may already have nothing due): the update writes an entry to undo.
      await asSales.contracts.update(k.id, { amountDue: Number(k.amountDue) > 0 ? '0.00' : k.totalAmount });
      const [entry] = (await asSales.contracts.history(k.id, { limit: 1 })).rows;
      const t0 = performance.now();
      const done = await asSales.undo(Number(entry.id));
      undoTimes.push(performance.now() - t0);
      if (done.action !== 'undone') throw new Error(`undo(${entry.id}) did ${done.action}`);
    }
    const undo = median(undoTimes);
    out.limitRow(`undo(id) of a contract update at 1M contracts (${reference})`, out.ms(undo), undo <= TARGET_MS, `<= ${TARGET_MS} ms`);
  } finally {
    for (const k of trashed) await asSales.contracts.restore(k.id);
  }
}
