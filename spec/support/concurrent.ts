/**
 * Calls that truly run at the same time: each writer on a session of its own
 * (its own pool), started while a third session holds the row, which lets go
 * only once every writer is seen waiting on its lock (spec/crm/contracts.spec.ts,
 * spec/reliability/concurrent-edits.spec.ts).
 */
import { createApi, type CrmApi } from '../../lib/crm/api.js';
import { AdminConnection, Database, type Door } from '../../lib/db/index.js';
import type { NamedQuery } from '../../lib/db/sql.js';
import type { Actor } from '../../lib/domain/actor.js';
import { noopMonitor } from '../../lib/platform/monitoring.js';
import { asOwner } from './owner.js';
import { ctx, sessionParams } from './server.js';
import { testQueries } from './test-queries.js';
import { until } from './until.js';

const t = testQueries(['holdClient', 'holdContract', 'holdEvent', 'lockWaiters'] as const);

/** The rows a test may hold: a client's, a contract's or an event's (FOR UPDATE). */
export const HOLD = { client: t.holdClient, contract: t.holdContract, event: t.holdEvent } as const;

/** Sessions of their own, each with the API of one collaborator; closed by close(). */
export class Sessions {
  private readonly pools: Database[] = [];

  /** wrap: what the API gets instead of the pool itself (a door that watches or holds back its calls). */
  open(actor: Actor, wrap: (door: Door) => Door = (door) => door): CrmApi {
    const { config } = ctx();
    // As the session's own login role (sql/migrations/040), as a shell calls.
    const db = new Database(sessionParams(actor), { max: 2 });
    this.pools.push(db);
    return createApi({ db: wrap(db), actor: () => actor, config, monitor: noopMonitor });
  }

  async close(): Promise<void> {
    await Promise.all(this.pools.splice(0).map((db) => db.close()));
  }
}

/**
 * Run the writers while another session holds the row; let go once all of
 * them wait on the lock, so they truly run at the same time. Settled results.
 */
export async function together(hold: NamedQuery, id: number, writers: Array<() => Promise<unknown>>): Promise<PromiseSettledResult<unknown>[]> {
  return held(hold, id, async () => {
    const started = writers.map((w) => w());
    await untilWaiting(writers.length);
    return started;
  });
}

/**
 * The same, the writers in a known order: each is started once those before
 * it wait on the held row, so PostgreSQL grants them the row in that order
 * (waiters on a row lock queue first come, first served).
 */
export async function inTurn(hold: NamedQuery, id: number, writers: Array<() => Promise<unknown>>): Promise<PromiseSettledResult<unknown>[]> {
  return held(hold, id, async () => {
    const started: Array<Promise<unknown>> = [];
    for (const w of writers) {
      started.push(w());
      await untilWaiting(started.length);
    }
    return started;
  });
}

function untilWaiting(writers: number): Promise<void> {
  const waiting = async () => ((await ctx().admin.one<{ waiting: number }>(t.lockWaiters, [ctx().config.appDbUser]))?.waiting ?? 0) >= writers;
  return until(waiting, `${writers} writers waiting on the held row`, 20_000);
}

/** Hold the row while start() starts the writers; let go, then their settled results. */
async function held(hold: NamedQuery, id: number, start: () => Promise<Array<Promise<unknown>>>): Promise<PromiseSettledResult<unknown>[]> {
  const holder = await AdminConnection.open(ctx().target.admin);
  try {
    const running = await asOwner(async (conn) => {
      await conn.one(hold, [id]);
      return start();
    }, holder);
    return await Promise.allSettled(running);
  } finally {
    await holder.close();
  }
}
