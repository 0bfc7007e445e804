/**
 * The one door to the database: the only module that imports `pg`.
 * Pooling, transactions, type decisions and error mapping live here once.
 */
import pg from 'pg';
import type { ConnectionParams } from '../config.js';
import { Conflict, DatabaseUnavailable, EpicError, PermissionDenied, QueryCancelled, SessionRevoked, ValidationError } from '../errors.js';
import { queries, type NamedQuery } from './sql.js';

const tq = queries('transaction', ['begin', 'beginReadOnly', 'commit', 'rollback'] as const);
const ownerQ = queries('setup', ['actAsOwner'] as const);

// Decided once: int8 (counts, sums of ids) as JS numbers; numeric stays a string (exact money).
pg.types.setTypeParser(20, (v: string) => Number(v));

export type Row = Record<string, unknown>;

/** What domain code runs queries on: the pool or a transaction, it does not care which. */
export interface Executor {
  /** At most one row (undefined when none). */
  one<R = Row>(q: NamedQuery, params?: readonly unknown[]): Promise<R | undefined>;
  many<R = Row>(q: NamedQuery, params?: readonly unknown[]): Promise<R[]>;
  /** Affected row count. */
  exec(q: NamedQuery, params?: readonly unknown[]): Promise<number>;
}

/** Transaction-local identity (see sql/session.sql): set first thing in every transaction. */
export interface TransactionOptions {
  /** A query run with these params right after BEGIN (e.g. the session identity). */
  prelude?: { query: NamedQuery; params: readonly unknown[] };
  readOnly?: boolean;
  /**
   * Read-only statements only: the caller's identity kept by the connection
   * (Database.statement). `key` names it; `set` puts it on a connection for
   * the connection's life; `check` says why when a read finds nothing.
   */
  standing?: StandingIdentity;
}

/** An identity a pooled connection may hold between calls (see Database.statement). */
export interface StandingIdentity {
  key: string;
  set: { query: NamedQuery; params: readonly unknown[] };
  check: { query: NamedQuery; params: readonly unknown[] };
}

export { QueryCancelled };

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);

/** Turn a driver error into one of ours; anything unrecognised is rethrown as is (a bug). */
export function mapDatabaseError(err: unknown): unknown {
  if (err instanceof EpicError) return err;
  const mapped = mapDriverError(err);
  if (mapped instanceof EpicError) mapped.sqlState = (err as { code?: string })?.code;
  return mapped;
}

function mapDriverError(err: unknown): unknown {
  const e = err as { code?: string; message?: string; constraint?: string; detail?: string };
  const code = e?.code ?? '';
  const message = e?.message ?? '';
  if (CONNECTION_CODES.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03'
    || /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(message)
    // pg.Client's own connectionTimeoutMillis error (AdminConnection): a plain Error without a code.
    || (!code && message === 'timeout expired')) {
    return new DatabaseUnavailable('the database is not reachable right now; try again in a moment');
  }
  if (code === 'EP001') return new SessionRevoked(message);
  if (code === '28P01' || code === '28000') {
    return new DatabaseUnavailable(`the database refused the login (${message}): run \`epic-events setup\`, or check APP_DB_PASSWORD`);
  }
  if (code === '3D000') return new DatabaseUnavailable(`${message}: run \`epic-events setup\``);
  if (code === '57014') {
    return /statement timeout/i.test(message)
      ? new QueryCancelled('the query ran too long and was cancelled by the server (statement timeout)')
      : new QueryCancelled('the query was cancelled');
  }
  if (code === '23505') return new Conflict(uniqueMessage(e.constraint));
  if (code === '23514' || code === '23502' || code === '22021' || code === '22P02' || code === '22003' || code === '22007' || code === '22008' || code === '22001') {
    return new ValidationError(`the database refused the values (${e.constraint ?? code})`);
  }
  if (code === '23503' || code === '23001') return new ValidationError(`a referenced record does not exist (${e.constraint ?? 'foreign key'})`);
  if (code === '42501') return new PermissionDenied('the database refused this operation for your department');
  if (code === '40001' || code === '40P01') return new Conflict('another session changed the same record at the same time; try again');
  return err;
}

function uniqueMessage(constraint: string | undefined): string {
  if (constraint && /email/.test(constraint)) return 'that email address is already used';
  if (constraint && /employee_number/.test(constraint)) return 'that employee number is already used';
  return `a record with the same unique value already exists (${constraint ?? 'unique'})`;
}

async function run(client: pg.Pool | pg.PoolClient | pg.Client, q: NamedQuery, params: readonly unknown[] = [], prepare = false): Promise<pg.QueryResult> {
  try {
    // Prepared once per connection (parse and plan reused) unless the query
    // asks to be planned for each call's values.
    const name = prepare && !q.perCallPlan ? `${q.area}.${q.name}` : undefined;
    return await client.query({ name, text: q.text, values: params as unknown[] });
  } catch (err) {
    throw mapDatabaseError(err);
  }
}

class QueryRunner implements Executor {
  /** `prepare`: the shell's pool (statements prepared per connection); provisioning connections do not. */
  constructor(protected readonly target: () => pg.Pool | pg.PoolClient | pg.Client, private readonly prepare = false) {}
  async one<R = Row>(q: NamedQuery, params?: readonly unknown[]): Promise<R | undefined> {
    const r = await run(this.target(), q, params, this.prepare);
    if (r.rows.length > 1) throw new Error(`query ${q.area}.${q.name} (:one) returned ${r.rows.length} rows`);
    return r.rows[0] as R | undefined;
  }
  async many<R = Row>(q: NamedQuery, params?: readonly unknown[]): Promise<R[]> {
    return (await run(this.target(), q, params, this.prepare)).rows as R[];
  }
  async exec(q: NamedQuery, params?: readonly unknown[]): Promise<number> {
    return (await run(this.target(), q, params, this.prepare)).rowCount ?? 0;
  }
}

export interface PoolOptions {
  max?: number;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  applicationName?: string;
}

/** A dedicated connection LISTENing on a channel (Database.listen). */
export interface Subscription {
  /** False once the connection is lost: notifications may have been missed. */
  readonly connected: boolean;
  /** When the LISTEN took effect (ms since the epoch). */
  readonly since: number;
  close(): Promise<void>;
}

/** What became of the writes in flight when Ctrl+C came (Database.interrupt). */
export interface InterruptTally {
  /** Writes that committed all the same (their COMMIT had gone through). */
  committed: number;
  /** Writes rolled back, or refused before they began. */
  rolledBack: number;
}

export class Database extends QueryRunner {
  private readonly pool: pg.Pool;
  private readonly params: ConnectionParams;
  private readonly connectTimeoutMs: number;
  private closed = false;
  /** Backend pids of connections currently running a query on behalf of the caller (for cancel). */
  private readonly busy = new Set<pg.PoolClient>();
  /** Every transaction in flight, for Ctrl+C to wait on. */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Between interrupt() and resume(): no transaction begins, none that has not sent its COMMIT commits. */
  private halted?: InterruptTally;

  constructor(params: ConnectionParams, options: PoolOptions = {}) {
    const pool = new pg.Pool({
      host: params.host,
      port: params.port,
      database: params.database,
      user: params.user,
      password: params.password,
      ssl: params.ssl,
      max: options.max ?? 4,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      statement_timeout: options.statementTimeoutMs,
      application_name: options.applicationName ?? 'epic-events',
      idleTimeoutMillis: 30_000,
      // Pipeline mode: queries queued on a client go out without waiting for
      // the previous reply, so BEGIN, the identity statement and the first
      // query of a transaction share one round trip (each keeps its own Sync,
      // so an error still belongs to its own query). Typed in pg 8.23 but not in @types/pg.
      ...({ pipeline: true } as object),
    });
    super(() => pool, true);
    this.pool = pool;
    this.params = params;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    // An idle client losing its server (restart, crash) must not crash the process;
    // the next query reports DatabaseUnavailable instead.
    this.pool.on('error', () => undefined);
  }

  /** One transaction: BEGIN, the optional prelude, fn, COMMIT; ROLLBACK on any error. */
  transaction<T>(fn: (tx: Executor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return this.withClient(!options.readOnly, async (client) => {
      // Not awaited: fn's first query is queued behind them, and the three go
      // out in one write. Should BEGIN or the prelude fail, the transaction is
      // aborted and fn's queries fail too (nothing runs without the identity);
      // the opening's own error is the one reported.
      let work!: Promise<T>;
      const opening = corked(client, () => {
        const opened = this.open(client, options);
        try {
          work = fn(new QueryRunner(() => client, true));
        } catch (err) {
          work = Promise.reject(err);
        }
        return opened;
      });
      opening.catch(() => undefined);
      let result: T;
      try {
        result = await work;
      } catch (err) {
        await opening;
        throw err;
      }
      await opening;
      // Ctrl+C came while it ran: it does not commit (withClient rolls it back).
      if (this.halted) throw new QueryCancelled('interrupted (Ctrl+C) before it committed');
      await run(client, tq.commit, [], true);
      return result;
    });
  }

  /**
   * A transaction of one statement in one round trip: BEGIN, the prelude, the
   * statement and COMMIT are sent together. When the statement (or the
   * prelude) fails the transaction is aborted, and the COMMIT behind it
   * rolls back: nothing of a failed statement is ever committed.
   */
  statement<R = Row>(q: NamedQuery, params: readonly unknown[], options: TransactionOptions = {}): Promise<R[]> {
    if (options.readOnly && options.standing) return this.standingRead<R>(q, params, options.standing);
    return this.withClient(!options.readOnly, async (client) => {
      const [opening, rows, commit] = corked(client, () => [this.open(client, options), run(client, q, params, true), run(client, tq.commit, [], true)] as const);
      opening.catch(() => undefined);
      rows.catch(() => undefined);
      commit.catch(() => undefined);
      await opening;
      const result = await rows;
      await commit;
      return result.rows as R[];
    });
  }

  /** The standing identity each pooled connection holds (statement with `standing`). */
  private readonly held = new WeakMap<pg.PoolClient, string>();

  /**
   * A read of one statement in one message: the connection holds the caller's
   * identity for its life (set once per connection and identity, at session
   * level), so the read needs no BEGIN, identity statement or COMMIT — what a
   * hand-written script on a bare connection would send. PostgreSQL still
   * verifies the session in every statement (the policies); a read that finds
   * nothing asks `check` why, so an ended or expired session says so instead
   * of looking like an empty result. A connection serving another identity
   * next is set again first.
   */
  private standingRead<R>(q: NamedQuery, params: readonly unknown[], standing: StandingIdentity): Promise<R[]> {
    return this.withClient(false, async (client) => {
      if (this.held.get(client) !== standing.key) {
        this.held.delete(client);
        await run(client, standing.set.query, standing.set.params, true);
        this.held.set(client, standing.key);
      }
      const result = await run(client, q, params, true);
      if (result.rows.length === 0) await run(client, standing.check.query, standing.check.params, true);
      return result.rows as R[];
    });
  }

  /**
   * A pooled connection for one transaction: tracked for Ctrl+C, rolled back
   * when `work` fails (a no-op when its COMMIT already ended it), released —
   * and dropped from the pool when it could not even roll back.
   */
  private withClient<T>(write: boolean, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    if (this.halted) {
      if (write) this.halted.rolledBack++;
      return Promise.reject(new QueryCancelled('interrupted (Ctrl+C): not started'));
    }
    const op = this.onClient(work);
    this.inFlight.add(op);
    const settled = (committed: boolean) => {
      this.inFlight.delete(op);
      if (write && this.halted) this.halted[committed ? 'committed' : 'rolledBack']++;
    };
    op.then(() => settled(true), () => settled(false));
    return op;
  }

  private async onClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw mapDatabaseError(err);
    }
    this.busy.add(client);
    let broken = false;
    try {
      return await work(client);
    } catch (err) {
      try {
        await run(client, tq.rollback, [], true);
      } catch {
        broken = true;
      }
      throw mapDatabaseError(err);
    } finally {
      this.busy.delete(client);
      client.release(broken);
    }
  }

  private async open(client: pg.PoolClient, options: TransactionOptions): Promise<void> {
    const begin = run(client, options.readOnly ? tq.beginReadOnly : tq.begin, [], true);
    const prelude = options.prelude ? run(client, options.prelude.query, options.prelude.params, true) : undefined;
    prelude?.catch(() => undefined);
    await begin;
    await prelude;
  }

  /**
   * LISTEN on a dedicated connection (outside the pool: it stays open and idle).
   * `q` is the LISTEN statement; each notification's payload goes to `onPayload`.
   */
  async listen(q: NamedQuery, onPayload: (payload: string) => void): Promise<Subscription> {
    const client = new pg.Client({ ...this.params, connectionTimeoutMillis: this.connectTimeoutMs, application_name: 'epic-events listener' });
    let connected = false;
    client.on('error', () => (connected = false));
    client.on('end', () => (connected = false));
    client.on('notification', (n) => onPayload(n.payload ?? ''));
    try {
      await client.connect();
      await client.query(q.text);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw mapDatabaseError(err);
    }
    connected = true;
    const since = Date.now();
    return {
      get connected() {
        return connected;
      },
      since,
      close: async () => {
        connected = false;
        await client.end().catch(() => undefined);
      },
    };
  }

  /**
   * Ctrl+C: from now until resume(), no transaction begins and none commits
   * unless its COMMIT was already sent; what runs on the server is
   * cancelled. Resolves once every transaction in flight has ended, with
   * what became of the writes among them (and of those refused since).
   */
  async interrupt(): Promise<InterruptTally> {
    const tally = (this.halted ??= { committed: 0, rolledBack: 0 });
    await this.cancelRunning();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    return { ...tally };
  }

  /** After an interrupt, once the interrupted calls have ended: transactions may run again. */
  resume(): void {
    this.halted = undefined;
  }

  /** Ask the server to cancel whatever this process is running (Ctrl+C). */
  async cancelRunning(): Promise<number> {
    const clients = [...this.busy];
    await Promise.all(clients.map((c) => cancelBackend(c)));
    return clients.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}

/**
 * Queue several pipelined queries and write them to the socket together (one
 * system call instead of one per message).
 */
function corked<T>(client: pg.PoolClient, queue: () => T): T {
  const stream = (client as unknown as { connection?: { stream?: { cork?: () => void; uncork?: () => void } } }).connection?.stream;
  stream?.cork?.();
  try {
    return queue();
  } finally {
    stream?.uncork?.();
  }
}

/** pg's own cancel request: a separate connection carrying the backend's secret key. */
function cancelBackend(client: pg.PoolClient): Promise<void> {
  const c = client as unknown as { connection?: { stream?: unknown }; processID?: number; secretKey?: number; connectionParameters?: pg.ClientConfig };
  return new Promise((resolve) => {
    const cp = c.connectionParameters;
    if (!cp || c.processID === undefined || c.secretKey === undefined) return resolve();
    const con = new (pg as unknown as { Connection: new () => CancelConnection }).Connection();
    con.on('connect', () => con.cancel(c.processID as number, c.secretKey as number));
    con.on('end', () => resolve());
    con.on('error', () => resolve());
    con.connect(cp.port as number, cp.host as string);
  });
}

interface CancelConnection {
  on(event: string, cb: () => void): void;
  cancel(pid: number, key: number): void;
  connect(port: number, host: string): void;
}

/**
 * A single connection for provisioning: runs migration scripts (multi-statement,
 * no parameters) and named queries. Used by setup and the test harness only.
 */
export class AdminConnection extends QueryRunner {
  private constructor(private readonly client: pg.Client) {
    super(() => client);
  }

  static async open(params: ConnectionParams, connectTimeoutMs = 5000): Promise<AdminConnection> {
    const client = new pg.Client({ ...params, connectionTimeoutMillis: connectTimeoutMs, application_name: 'epic-events setup' });
    client.on('error', () => undefined);
    try {
      await client.connect();
    } catch (err) {
      throw mapDatabaseError(err);
    }
    return new AdminConnection(client);
  }

  /**
   * One transaction on this connection: BEGIN, fn, COMMIT (ROLLBACK when fn
   * fails). With `asOwner`, as the schema owner (role epic_owner, search_path epic).
   */
  async transaction<T>(fn: () => Promise<T>, options: { asOwner?: boolean } = {}): Promise<T> {
    await this.exec(tq.begin);
    try {
      if (options.asOwner) await this.exec(ownerQ.actAsOwner);
      const result = await fn();
      await this.exec(tq.commit);
      return result;
    } catch (err) {
      await this.exec(tq.rollback).catch(() => undefined);
      throw err;
    }
  }

  /** Run a whole SQL script (a migration file) as one simple-protocol call. */
  async script(text: string): Promise<void> {
    try {
      await this.client.query(text);
    } catch (err) {
      throw mapDatabaseError(err);
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
