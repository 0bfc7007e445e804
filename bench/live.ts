/**
 * Issue 34's figures (BENCH_ONLY=live): followUps({due}) at 1M contracts
 * (≤ 20 ms median, as sales and as management), the candidates of a name's
 * Tab completion at 200,000 clients (≤ 50 ms median), and a notice from
 * commit to the line handed to the screen with 20 shells listening (≤ 2 s
 * median; each shell a NoticeBoard on its own pool and LISTEN connection, in
 * this process).
 */
import { createApi, type CrmApi } from '../lib/crm/api.js';
import { createCandidates } from '../lib/crm/candidates.js';
import { createNotices } from '../lib/crm/notices.js';
import { AdminConnection, Database, SessionPools } from '../lib/db/index.js';
import type { Actor } from '../lib/domain/actor.js';
import { noopMonitor } from '../lib/platform/monitoring.js';
import { bind, queries, type NamedQuery } from '../lib/db/sql.js';
import type { Executor } from '../lib/db/index.js';
import { identityPrelude } from '../lib/crm/deps.js';
import { NoticeBoard } from '../lib/shell/notices.js';
import type { Login } from '../lib/shell/login.js';
import { openSessionFor } from '../lib/auth/sessions.js';
import { median, type BenchWorld } from './harness.js';
import { benchQueries } from './queries.js';

const bq = benchQueries(['generateFollowUps', 'analyzeFollowUps'] as const);
const nq = queries('notices', ['listenChanges'] as const);
const fq = queries('followups', ['listFollowUps'] as const);
const cq = queries('completion', ['clientCandidates'] as const);

/** The plan of a named query as the API runs it (same role and identity), to stderr. */
async function printPlan(pools: SessionPools, actor: Actor, label: string, q: NamedQuery, params: unknown[]): Promise<void> {
  const explained: NamedQuery = { ...q, text: `explain (analyze, costs off, summary off) ${q.text}`, perCallPlan: true };
  const plan = await pools.forActor(actor).transaction((tx: Executor) => tx.many<{ 'QUERY PLAN': string }>(explained, params), { readOnly: true, prelude: identityPrelude(actor) });
  process.stderr.write(`\n-- ${label}\n${plan.map((r) => r['QUERY PLAN']).join('\n')}\n\n`);
}

type Report = (figure: string, value: string, ok: boolean, target: string) => void;
const ms = (v: number) => `${v.toFixed(1)} ms`;

async function medianOfCalls(call: () => Promise<unknown>, runs = 15): Promise<number> {
  await call();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await call();
    times.push(performance.now() - t0);
  }
  return median(times);
}

export async function liveFigures(world: BenchWorld, db: SessionPools, sales: Actor, manager: Actor, salesIds: number[], report: Report, progress: (line: string) => void): Promise<void> {
  progress('follow-ups, name completion, notices (issue 34)');
  const conn = await AdminConnection.open(world.target.admin);
  try {
    await conn.transaction(() => conn.exec(bq.generateFollowUps), { asOwner: true });
    await conn.transaction(() => conn.exec(bq.analyzeFollowUps), { asOwner: true });
  } finally {
    await conn.close();
  }
  const as = (actor: Actor): CrmApi => createApi({ db: db.forActor(actor), actor: () => actor, config: world.config, monitor: noopMonitor });
  for (const [who, actor] of [['sales', sales], ['management', manager]] as const) {
    const value = await medianOfCalls(() => as(actor).followUps.list({ due: true }));
    report(`34 followUps({due: true}) as ${who}`, ms(value), value <= 20, '<= 20 ms');
    await printPlan(db, actor, `followUps({due: true}) as ${who}`, fq.listFollowUps, bind(fq.listFollowUps, { mine: null, dueBy: new Date(), clientId: null, afterDue: null, afterId: null, limit: 21 }));
  }
  const candidates = createCandidates({ db: db.forActor(sales), actor: () => sales, config: world.config, monitor: noopMonitor });
  for (const typed of ['client 1', 'jean', 'zzz']) {
    const value = await medianOfCalls(() => candidates({ of: 'client' }, typed));
    report(`34 Tab candidates for clients '${typed}'`, ms(value), value <= 50, '<= 50 ms');
  }
  await printPlan(db, sales, "Tab candidates for clients 'client 1'", cq.clientCandidates, bind(cq.clientCandidates, { prefix: 'client 1', limit: 20 }));
  await noticeFigure(world, manager, salesIds, report, progress);
}

/** 20 shells of 20 salespeople listen; management pays a contract of the first one's client: commit → line. */
async function noticeFigure(world: BenchWorld, manager: Actor, salesIds: number[], report: Report, progress: (line: string) => void): Promise<void> {
  const conn = await AdminConnection.open(world.target.admin);
  const shells: Array<{ db: Database; board: NoticeBoard; actor: Actor }> = [];
  let shown: (() => void) | undefined;
  try {
    for (const id of salesIds.slice(0, 20)) {
      const actor = (await openSessionFor(conn, id, world.config.tokenTtlSeconds)).actor;
      const shellDb = new Database({ ...world.target.runtime, user: actor.dbLogin?.role as string, password: actor.dbLogin?.password }, { max: 2 });
      const api = createApi({ db: shellDb, actor: () => actor, config: world.config, monitor: noopMonitor });
      const deps = { db: shellDb, actor: () => actor, config: world.config, monitor: noopMonitor };
      // What the shell's login gives its notice board: the LISTEN and the reads under the shell's own session.
      const login = { api, listenChanges: (cb: (p: string) => void) => shellDb.listen(nq.listenChanges, cb), notices: createNotices(deps) } as unknown as Login;
      const board = new NoticeBoard(login, () => shown?.());
      board.start();
      shells.push({ db: shellDb, board, actor });
    }
    await new Promise((r) => setTimeout(r, 1000)); // the LISTENs connect
    const mdb = new SessionPools(world.target.runtime, { max: 2 });
    try {
      const api = createApi({ db: mdb.forActor(manager), actor: () => manager, config: world.config, monitor: noopMonitor });
      const target = shells[0].actor;
      const ownContracts = await createApi({ db: mdb.forActor(target), actor: () => target, config: world.config, monitor: noopMonitor }).contracts.list({ mine: true, unpaid: true, signed: true, limit: 20 });
      const times: number[] = [];
      for (const k of ownContracts.slice(0, 9)) {
        const seen = new Promise<number>((resolve) => (shown = () => resolve(performance.now())));
        // From the start of the call that commits (the line may be shown before the call returns): at least commit to line.
        const started = performance.now();
        await api.contracts.pay(k.id, '0.01');
        const at = await Promise.race([seen, new Promise<number>((r) => setTimeout(() => r(Number.POSITIVE_INFINITY), 10_000))]);
        times.push(at - started);
      }
      const value = median(times);
      progress(`notice latencies: ${times.map((t) => t.toFixed(0)).join(', ')} ms`);
      report('34 notice, call that commits to line (20 shells listening)', Number.isFinite(value) ? ms(value) : 'never', value <= 2000, '<= 2 s');
    } finally {
      await mdb.close();
    }
  } finally {
    for (const s of shells) {
      await s.board.close();
      await s.db.close();
    }
    await conn.close();
  }
}
