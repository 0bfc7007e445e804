/**
 * Work on one connection: a query (errors mapped on the spot, so code inside a
 * transaction already sees ours), the one transaction shape both the pool and
 * the administrator's connection use, and the wait for a connection on a
 * full server.
 */
import { corked, pipelines, send, type Connection, type Outcome } from './driver.js';
import type { CopyEach, Executor, Row, TextRows, TransactionOptions } from './door.js';
import { copyOut } from './copy-out.js';
import { mapDatabaseError, WAIT_CODES, type ErrorContext } from './errors.js';
import { DatabaseUnavailable } from '../domain/errors.js';
import { queries, type NamedQuery } from './sql.js';

export const tq = queries('transaction', ['begin', 'beginReadOnly', 'commit', 'rollback', 'transactionId', 'transactionStatus'] as const);

/** What the error mapping knows at the moment a query fails. */
export type ContextOf = () => ErrorContext;
const none: ContextOf = () => ({});

/** How a query's rows come back: parsed (false), as the server's text (true), or a COPY's data handed to a function. */
export type RowsAs = boolean | CopyEach;

/**
 * Run one named query. With `prepare`, it is prepared once per connection
 * (parse and plan reused) unless the query asks to be planned for each
 * call's values.
 */
export async function run(conn: Connection, q: NamedQuery, params: readonly unknown[] = [], prepare = false, context: ContextOf = none, asText: RowsAs = false): Promise<Outcome> {
  try {
    const name = prepare && !q.perCallPlan ? `${q.area}.${q.name}` : undefined;
    if (typeof asText === 'function') return await copyOut(conn, { name, text: q.text, values: params }, asText);
    return await send(conn, { name, text: q.text, values: params, asText });
  } catch (err) {
    throw mapDatabaseError(err, context());
  }
}

type Runner = (q: NamedQuery, params: readonly unknown[], asText?: RowsAs) => Promise<Outcome>;

/** The Executor over any way of running a query. */
export class QueryRunner implements Executor {
  constructor(private readonly runQuery: Runner) {}
  async one<R = Row>(q: NamedQuery, params: readonly unknown[] = []): Promise<R | undefined> {
    const r = await this.runQuery(q, params);
    if (r.rows.length > 1) throw new Error(`query ${q.area}.${q.name} (:one) returned ${r.rows.length} rows`);
    return r.rows[0] as R | undefined;
  }
  async many<R = Row>(q: NamedQuery, params: readonly unknown[] = []): Promise<R[]> {
    return (await this.runQuery(q, params)).rows as R[];
  }
  async exec(q: NamedQuery, params: readonly unknown[] = []): Promise<number> {
    return (await this.runQuery(q, params)).rowCount;
  }
  async texts(q: NamedQuery, params: readonly unknown[] = []): Promise<TextRows> {
    const r = await this.runQuery(q, params, true);
    return { columns: r.columns ?? [], rows: r.rows as unknown as TextRows['rows'] };
  }
  async copyOut(q: NamedQuery, params: readonly unknown[], each: CopyEach): Promise<number> {
    return (await this.runQuery(q, params, each)).rowCount;
  }
}

export interface TransactOptions extends TransactionOptions {
  /** Prepare each query once per connection (the pool's connections live long). */
  prepare?: boolean;
  context?: ContextOf;
  /** A write whose connection is lost around COMMIT throws CommitInDoubt (its id taken before COMMIT), for the caller to ask its fate. */
  commitInDoubt?: boolean;
  /** Last word before COMMIT: throwing here rolls the transaction back (Ctrl+C came meanwhile). */
  beforeCommit?: () => void;
}

/**
 * The one transaction: BEGIN (read only if asked), the optional prelude, fn
 * with the transaction's Executor, COMMIT. On a pipelining connection (the
 * pool's) BEGIN, the prelude and fn's first query go out in one write.
 * Should BEGIN or the prelude fail, the transaction is aborted and fn's
 * queries fail too (nothing runs without the identity); the opening's own
 * error is the one reported. When anything fails, the caller rolls back.
 */
export async function transact<T>(conn: Connection, fn: (tx: Executor) => Promise<T>, options: TransactOptions = {}): Promise<T> {
  const { prepare = false, context = none } = options;
  const query = (q: NamedQuery, params: readonly unknown[] = [], asText: RowsAs = false) => run(conn, q, params, prepare, context, asText);
  // A pipelining connection takes the queries at once; another one (the
  // administrator's) is given each after the previous reply.
  const pipelined = pipelines(conn);
  const open = async () => {
    const begin = query(options.readOnly ? tq.beginReadOnly : tq.begin);
    if (!pipelined) await begin;
    const prelude = options.prelude ? query(options.prelude.query, options.prelude.params) : undefined;
    prelude?.catch(() => undefined);
    await begin;
    await prelude;
  };
  const start = (): Promise<T> => {
    try {
      return fn(new QueryRunner(query));
    } catch (err) {
      return Promise.reject(err);
    }
  };
  let work!: Promise<T>;
  let opening: Promise<void>;
  if (pipelined) {
    opening = corked(conn, () => {
      const opened = open();
      work = start();
      return opened;
    });
  } else {
    opening = open();
    await opening;
    work = start();
  }
  opening.catch(() => undefined);
  let result: T;
  try {
    result = await work;
  } catch (err) {
    await opening;
    throw err;
  }
  await opening;
  options.beforeCommit?.();
  if (options.readOnly || !options.commitInDoubt) {
    await query(tq.commit);
    return result;
  }
  // The transaction's id goes out with the COMMIT (one write on a pipelining
  // connection): should the connection be lost before COMMIT's answer, the
  // caller can still learn what became of it (CommitInDoubt).
  let xid: string | null | undefined;
  const asked = query(tq.transactionId).then((r) => void (xid = (r.rows[0]?.xid as string | null | undefined) ?? null));
  asked.catch(() => undefined);
  if (!pipelined) await asked;
  try {
    await query(tq.commit);
  } catch (err) {
    await asked.catch(() => undefined);
    if (err instanceof DatabaseUnavailable && err.reason === 'unreachable') throw new CommitInDoubt(xid, err, result);
    throw err;
  }
  return result;
}

/**
 * The connection was lost once COMMIT had been sent: the transaction may have
 * committed or not. `xid`: its id (null: it wrote nothing; undefined: the id
 * never came back either). Database.transaction asks the server what became
 * of it; `result` is the work's, should it have committed.
 */
export class CommitInDoubt extends Error {
  constructor(readonly xid: string | null | undefined, readonly lost: DatabaseUnavailable, readonly result: unknown) {
    super(lost.message);
    this.name = 'CommitInDoubt';
  }
}

/** The default bound on the wait for a connection slot (DB_BUSY_TIMEOUT). */
export const DEFAULT_BUSY_WAIT_MS = 20_000;

/**
 * Open a connection, waiting out a full server (too many connections) or one
 * not accepting connections yet: retried with exponential backoff (and
 * jitter, so many waiting processes do not come back together) for at most
 * `waitMs`; then the mapped error (DatabaseUnavailable: the server's
 * connection limit is reached).
 */
export async function connectWithWait<T>(connect: () => Promise<T>, waitMs: number, context: ErrorContext = {}): Promise<T> {
  const deadline = Date.now() + waitMs;
  let delay = 25;
  for (;;) {
    try {
      return await connect();
    } catch (err) {
      const code = (err as { code?: string })?.code ?? '';
      const pause = delay * (0.5 + Math.random());
      if (!WAIT_CODES.has(code) || Date.now() + pause > deadline) throw mapDatabaseError(err, context);
      await new Promise((r) => setTimeout(r, pause));
      delay = Math.min(delay * 2, 1000);
    }
  }
}
