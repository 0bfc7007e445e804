/**
 * Behind a connection pooler in transaction or statement mode (PgBouncer's
 * pool_mode = transaction or statement) a client's statements go to whichever
 * server connection is free: what the shell keeps on its connections — the
 * statements it prepares once per connection, the standing identity of a
 * read, the LISTEN that announces revocations — would reach other clients or
 * be lost (the second collaborator's login failed with `prepared statement
 * "auth.login" already exists`). The shell refuses such a pooler at start in
 * one line naming the mode to use; in session mode (a server connection per
 * client for its whole life) it works as on PostgreSQL itself.
 *
 * Telling it costs one unprepared statement on the pool's first connection
 * (which the login uses next): the port the server listens on. Only when it
 * is not the one connected to (a pooler, or a port forwarded by a container)
 * do two connections of their own look whether one keeps its server.
 */
import { ConfigError } from '../domain/errors.js';
import type { ConnectionParams } from '../platform/config.js';
import { openClient, send, type Connection } from './driver.js';
import { queries } from './sql.js';
import type { QueryRunner } from './transaction.js';
import type { Executor } from './door.js';

const pq = queries('pooler', ['serverPort', 'backendPid', 'beginProbe', 'endProbe'] as const);

export const TRANSACTION_POOLING = 'the database is reached through a connection pooler in transaction or statement pooling mode ' +
  "(PgBouncer's pool_mode = transaction), which the shell cannot use: it keeps prepared statements, session settings and LISTEN " +
  'on its connections; use pool_mode = session, or connect to PostgreSQL directly';

/**
 * The check made once, by whichever connection is opened first, before its
 * first statement: `guard` gives executors that run it (once between them)
 * and wait for it (the login with a stored token opens only its session
 * role's connection, a password login only the runtime role's); `check` runs
 * it now (before a password is asked on a terminal).
 */
export interface PoolerGate {
  check(ex: Pick<Executor, 'one'>): Promise<void>;
  guard(ex: Executor): Executor;
}

export function poolerGate(params: ConnectionParams, connectTimeoutMs: number): PoolerGate {
  let checked: Promise<void> | undefined;
  const check = (ex: Pick<Executor, 'one'>) => (checked ??= refuseTransactionPooling(ex, params, connectTimeoutMs));
  return {
    check,
    guard: (ex) => ({
      one: async (q, values) => (await check(ex), ex.one(q, values)),
      many: async (q, values) => (await check(ex), ex.many(q, values)),
      exec: async (q, values) => (await check(ex), ex.exec(q, values)),
      texts: async (q, values) => (await check(ex), ex.texts(q, values)),
      copyOut: async (q, values, each) => (await check(ex), ex.copyOut(q, values, each)),
    }),
  };
}

/** Refuse a pooler in transaction or statement mode between us and the server (ConfigError, exit code 2). */
export async function refuseTransactionPooling(db: Pick<QueryRunner, 'one'>, params: ConnectionParams, connectTimeoutMs: number): Promise<void> {
  if (params.host.startsWith('/')) return; // a Unix socket: the server's own
  const row = await db.one<{ port: number | null }>(pq.serverPort);
  if (row?.port == null || row.port === params.port) return;
  if (await sharesServerConnections(params, connectTimeoutMs)) throw new ConfigError(TRANSACTION_POOLING);
}

/**
 * A asks which server process serves it; B begins a transaction and asks the
 * same, keeping it open; A asks again. With a server connection per client
 * (PostgreSQL, a session pooler) B's is never A's and A's never changes.
 * Sharing them, the pooler hands B the one A just gave back (the most
 * recently used first, PgBouncer's default), so A must move to another; a
 * statement-mode pooler refuses B's transaction outright.
 */
async function sharesServerConnections(params: ConnectionParams, connectTimeoutMs: number): Promise<boolean> {
  const a = await openClient(params, connectTimeoutMs, 'epic-events pooler check');
  let b: Connection | undefined;
  try {
    b = await openClient(params, connectTimeoutMs, 'epic-events pooler check');
    const pid = async (conn: Connection) => (await send(conn, { text: pq.backendPid.text, values: [] })).rows[0]?.pid as number;
    const first = await pid(a);
    try {
      await send(b, { text: pq.beginProbe.text });
    } catch {
      return true; // no transaction blocks: statement pooling
    }
    const other = await pid(b);
    const again = await pid(a);
    await send(b, { text: pq.endProbe.text });
    return other === first || again !== first;
  } finally {
    await a.end().catch(() => undefined);
    await (b as { end?: () => Promise<void> } | undefined)?.end?.().catch(() => undefined);
  }
}
