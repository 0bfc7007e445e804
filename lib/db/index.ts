/**
 * The one door to the database: the only module that imports `pg`.
 * Pooling, transactions, type decisions and error mapping live here once.
 */
import pg from 'pg';
import type { ConnectionParams } from '../config.js';
import { AuthError, Conflict, DatabaseUnavailable, EpicError, PermissionDenied, QueryCancelled, SessionRevoked, ValidationError } from '../errors.js';
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
}

/** A call of one statement (Database.statement): who runs it, and whether it only reads. */
export interface StatementOptions {
  /** The caller's identity, held by the connection between calls. */
  standing: StandingIdentity;
  readOnly?: boolean;
}

/** An identity a pooled connection may hold between calls (see Database.statement). */
export interface StandingIdentity {
  key: string;
  set: { query: NamedQuery; params: readonly unknown[] };
  check: { query: NamedQuery; params: readonly unknown[] };
}

export { QueryCancelled };

/** What the mapping may name: the embedded server's data directory (a full disk). */
export interface ErrorContext {
  dataDir?: string;
}

interface DriverError {
  code?: string;
  message?: string;
  constraint?: string;
  detail?: string;
}

type Mapper = (e: DriverError, context: ErrorContext) => EpicError;

const unreachable: Mapper = () => new DatabaseUnavailable('the database is not reachable right now; try again in a moment', 'unreachable');
const invalidValues: Mapper = (e) => new ValidationError(`the database refused the values (${e.constraint ?? e.code})`);
const diskFull: Mapper = (_e, context) =>
  new DatabaseUnavailable(`the database's disk is full (${context.dataDir ? `data directory ${context.dataDir}` : 'on the database server'}); free some space and try again`, 'disk-full');

/**
 * Every SQLSTATE the program can meet, and the error class it becomes: in
 * this one table (exact codes first, then whole classes). Anything else is
 * rethrown as it is: a bug, reported as unexpected.
 */
const BY_SQLSTATE: Record<string, Mapper> = {
  // Class 08, 57P01/57P02: the connection is gone (server down, restarting, network).
  '57P01': unreachable,
  '57P02': unreachable,
  // Waited out at connection time (connectWithWait) before these are reported.
  '53300': () => new DatabaseUnavailable("the server's connection limit is reached; try again in a moment", 'connection-limit'),
  '57P03': (e) => new DatabaseUnavailable(`the server is not accepting connections (${e.message ?? 'starting up or shutting down'}); try again in a moment`, 'not-accepting'),
  '53100': diskFull,
  '53200': () => new DatabaseUnavailable('the database server is out of memory; try again in a moment', 'resources'),
  '53400': (e) => new DatabaseUnavailable(`a limit of the database server's configuration was exceeded (${e.message})`, 'resources'),
  // The session, as assert_session (sql/migrations/006) sees it: ended, or expired since the gate let the call through.
  EP001: (e) => new SessionRevoked(e.message ?? 'the session was revoked'),
  EP002: (e) => new AuthError(e.message ?? 'your session has expired'),
  '28P01': (e) => new DatabaseUnavailable(`the database refused the login (${e.message}): run \`epic-events setup\`, or check APP_DB_PASSWORD`, 'login'),
  '28000': (e) => new DatabaseUnavailable(`the database refused the login (${e.message}): run \`epic-events setup\`, or check APP_DB_PASSWORD`, 'login'),
  '3D000': (e) => new DatabaseUnavailable(`${e.message}: run \`epic-events setup\``, 'missing'),
  '57014': (e) => /statement timeout/i.test(e.message ?? '')
    ? new QueryCancelled('the query ran too long and was cancelled by the server (statement timeout)')
    : new QueryCancelled('the query was cancelled'),
  '23505': (e) => new Conflict(uniqueMessage(e.constraint)),
  // "Already exists" (setup treats these as done).
  '42P04': (e) => new Conflict(e.message ?? 'the database already exists'),
  '42710': (e) => new Conflict(e.message ?? 'the object already exists'),
  '23514': invalidValues,
  '23502': invalidValues,
  '22021': invalidValues,
  '22P02': invalidValues,
  '22003': invalidValues,
  '22007': invalidValues,
  '22008': invalidValues,
  '22001': invalidValues,
  '23503': (e) => new ValidationError(`a referenced record does not exist (${e.constraint ?? 'foreign key'})`),
  '23001': (e) => new ValidationError(`a referenced record does not exist (${e.constraint ?? 'foreign key'})`),
  '42501': () => new PermissionDenied('the database refused this operation for your department'),
  '40001': () => new Conflict('another session changed the same record at the same time; try again'),
  '40P01': () => new Conflict('another session changed the same record at the same time; try again'),
};

const BY_CLASS: Record<string, Mapper> = {
  '08': unreachable, // connection exception
  '53': (e) => new DatabaseUnavailable(`the database server lacks a resource (${e.message})`, 'resources'), // insufficient resources
  '58': (e) => new DatabaseUnavailable(`the database server could not use its files (${e.message})`, 'resources'), // system error (I/O)
};

/** The driver's and the operating system's own failures (no SQLSTATE): the server cannot be reached. */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);
const CONNECTION_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i;

/** OpenSSL's verdicts on a server certificate (tls.connect). */
const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED',
  'CERT_REJECTED', 'INVALID_CA', 'HOSTNAME_MISMATCH',
]);

/** Turn a driver error into one of ours; anything unrecognised is rethrown as is (a bug). */
export function mapDatabaseError(err: unknown, context: ErrorContext = {}): unknown {
  if (err instanceof EpicError) return err;
  const mapped = mapDriverError(err, context);
  if (mapped instanceof EpicError) mapped.sqlState = (err as { code?: string })?.code;
  return mapped;
}

function mapDriverError(err: unknown, context: ErrorContext): unknown {
  const e = (err ?? {}) as DriverError;
  const code = e.code ?? '';
  const mapper = BY_SQLSTATE[code] ?? (/^[0-9A-Z]{5}$/.test(code) ? BY_CLASS[code.slice(0, 2)] : undefined);
  if (mapper) return mapper(e, context);
  if (CONNECTION_CODES.has(code) || CONNECTION_MESSAGES.test(e.message ?? '')
    // pg.Client's own connectionTimeoutMillis error (AdminConnection): a plain Error without a code.
    || (!code && e.message === 'timeout expired')) {
    return unreachable(e, context);
  }
  // TLS (sslmode, sslrootcert): the server's certificate refused, or no TLS on the server.
  if (TLS_CODES.has(code) || /^ERR_TLS_|^ERR_SSL_/.test(code)) {
    return new DatabaseUnavailable(`the server's TLS certificate was not accepted (${e.message}): check sslrootcert or PGSSLROOTCERT, and the host name`, 'tls');
  }
  if (!code && /server does not support SSL/i.test(e.message ?? '')) {
    return new DatabaseUnavailable('the server does not accept TLS connections, and sslmode requires TLS', 'tls');
  }
  return err;
}

/** Too many connections, or the server not accepting any yet: worth waiting for. */
const WAIT_CODES = new Set(['53300', '57P03']);

/** The default bound on that wait (DB_BUSY_TIMEOUT). */
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

function uniqueMessage(constraint: string | undefined): string {
  if (constraint && /email/.test(constraint)) return 'that email address is already used';
  if (constraint && /employee_number/.test(constraint)) return 'that employee number is already used';
  return `a record with the same unique value already exists (${constraint ?? 'unique'})`;
}

async function run(client: pg.PoolClient | pg.Client, q: NamedQuery, params: readonly unknown[] = [], prepare = false, context: ErrorContext = {}): Promise<pg.QueryResult> {
  try {
    // Prepared once per connection (parse and plan reused) unless the query
    // asks to be planned for each call's values.
    const name = prepare && !q.perCallPlan ? `${q.area}.${q.name}` : undefined;
    return await client.query({ name, text: q.text, values: params as unknown[] });
  } catch (err) {
    throw mapDatabaseError(err, context);
  }
}

type Runner = (q: NamedQuery, params: readonly unknown[]) => Promise<pg.QueryResult>;

class QueryRunner implements Executor {
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
    return (await this.runQuery(q, params)).rowCount ?? 0;
  }
}

export interface PoolOptions {
  max?: number;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  applicationName?: string;
  /** How long to wait for a free connection slot on a full server (default 20 s). */
  busyWaitMs?: number;
  /** The embedded server's data directory (named when its disk is full). */
  dataDir?: string;
  /**
   * The server could not be reached: called before the failure is reported
   * (the embedded server restarts itself here); its line replaces the error's.
   */
  onConnectionLost?: () => Promise<string>;
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
  private readonly options: PoolOptions;
  private readonly context: ErrorContext;
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
    // Outside a transaction too, a query takes its connection the same way
    // (waits, recovery); as before Ctrl+C's halt, it is neither refused nor waited for.
    super((q, values) => this.onClient((client) => run(client, q, values, true, this.context), false));
    this.pool = pool;
    this.params = params;
    this.options = options;
    this.context = { dataDir: options.dataDir };
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
          work = fn(new QueryRunner((q, values) => run(client, q, values, true, this.context)));
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
      await run(client, tq.commit, [], true, this.context);
      return result;
    });
  }

  /**
   * A call of one statement, which is its own transaction: it commits whole
   * or not at all (see standingStatement).
   */
  statement<R = Row>(q: NamedQuery, params: readonly unknown[], options: StatementOptions): Promise<R[]> {
    return this.standingStatement<R>(q, params, options.standing, !options.readOnly);
  }

  /** The standing identity each pooled connection holds (Database.statement). */
  private readonly held = new WeakMap<pg.PoolClient, string>();

  /**
   * A call of one statement in one message: the connection holds the caller's
   * identity for its life (set once per connection and identity, at session
   * level), so the statement needs no BEGIN, identity statement or COMMIT —
   * what a hand-written script on a bare connection would send. One statement
   * is its own transaction: it commits whole or not at all. PostgreSQL still
   * verifies the session in every statement (the policies); a read that finds
   * nothing, or a write the policies refuse, asks `check` why, so an ended or
   * expired session says so. A connection serving another identity next is
   * set again first.
   */
  private standingStatement<R>(q: NamedQuery, params: readonly unknown[], standing: StandingIdentity, write: boolean): Promise<R[]> {
    return this.withClient(write, async (client) => {
      if (this.held.get(client) !== standing.key) {
        this.held.delete(client);
        await run(client, standing.set.query, standing.set.params, true, this.context);
        this.held.set(client, standing.key);
      }
      let result: pg.QueryResult;
      try {
        result = await run(client, q, params, true, this.context);
      } catch (err) {
        if (err instanceof PermissionDenied) await run(client, standing.check.query, standing.check.params, true, this.context);
        throw err;
      }
      if (!write && result.rows.length === 0) await run(client, standing.check.query, standing.check.params, true, this.context);
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

  /**
   * The connection itself: taken with the wait for a free slot on a full
   * server (DB_BUSY_TIMEOUT), tracked for cancel, rolled back when `rollback`
   * (a transaction) and `work` failed; a lost server is handed to
   * onConnectionLost (restarted) before the failure is reported.
   */
  private async onClient<T>(work: (client: pg.PoolClient) => Promise<T>, rollback = true): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await connectWithWait(() => this.pool.connect(), this.options.busyWaitMs ?? DEFAULT_BUSY_WAIT_MS, this.context);
    } catch (err) {
      throw await this.lost(err);
    }
    this.busy.add(client);
    let broken = false;
    try {
      return await work(client);
    } catch (err) {
      if (rollback) {
        try {
          await run(client, tq.rollback, [], true);
        } catch {
          broken = true;
        }
      }
      throw await this.lost(mapDatabaseError(err, this.context));
    } finally {
      this.busy.delete(client);
      client.release(broken);
    }
  }

  /** A lost server: let onConnectionLost act (restart it) and say what it did. */
  private async lost(err: unknown): Promise<unknown> {
    if (!(err instanceof DatabaseUnavailable) || err.reason !== 'unreachable' || !this.options.onConnectionLost || this.closed) return err;
    const line = await this.options.onConnectionLost();
    const replaced = new DatabaseUnavailable(line, 'unreachable');
    replaced.sqlState = err.sqlState;
    return replaced;
  }

  private async open(client: pg.PoolClient, options: TransactionOptions): Promise<void> {
    const begin = run(client, options.readOnly ? tq.beginReadOnly : tq.begin, [], true, this.context);
    const prelude = options.prelude ? run(client, options.prelude.query, options.prelude.params, true, this.context) : undefined;
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
      throw mapDatabaseError(err, this.context);
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
    super((q, values) => run(client, q, values));
  }

  /** Connect, waiting up to `busyWaitMs` for a free slot on a full server. */
  static async open(params: ConnectionParams, connectTimeoutMs = 5000, busyWaitMs = DEFAULT_BUSY_WAIT_MS): Promise<AdminConnection> {
    const client = await connectWithWait(async () => {
      const c = new pg.Client({ ...params, connectionTimeoutMillis: connectTimeoutMs, application_name: 'epic-events setup' });
      c.on('error', () => undefined);
      try {
        await c.connect();
      } catch (err) {
        await c.end().catch(() => undefined);
        throw err;
      }
      return c;
    }, busyWaitMs);
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
