/**
 * The driver: with its client (lib/db/pg-client.ts), the only module that
 * uses `pg` (loaded by lib/db/pg-load.ts), and the only one that touches its internals (the socket
 * under a connection for corked writes and for telling a lost connection
 * from a refused one, the backend key for cancel requests, the protocol
 * connection that sends them). Everything else in lib/db sees connections
 * through the small surface below.
 *
 * pg's own failures (a socket closed, a connect timeout, a server answering
 * "no TLS") carry no SQLSTATE and no system code: they are recognised here by
 * where they happen and by the connection's state, never by their words, and
 * handed on as a DriverFailure that lib/db/errors.ts maps.
 */
import type Pg from 'pg';
import { pg } from './pg-load.js';
import type { ConnectionParams } from '../platform/config.js';
import { DriverFailure } from './errors.js';
import { Client, connectionGone, hasCode, internals } from './pg-client.js';
import { timestampReader } from './timestamp.js';
import type { TextKind, TextRows } from './door.js';

// Decided once: int8 (counts, sums of ids) as JS numbers; numeric stays a string (exact money).
pg.types.setTypeParser(20, (v: string) => Number(v));
// timestamptz: the common form read without pg's regular expression (lib/db/timestamp.ts).
const TIMESTAMPTZ = 1184;
export const pgTimestamp = pg.types.getTypeParser(TIMESTAMPTZ) as (text: string) => unknown;
/** A timestamptz's text as a Date (or pg's reading of infinity and the like). */
export const readTimestamp = timestampReader(pgTimestamp);
pg.types.setTypeParser(TIMESTAMPTZ, readTimestamp);

/** One connection to the server, pooled or not: what queries run on. */
export type Connection = Pg.ClientBase;
/** A connection taken from a Pool: given back with release(). */
export type PooledConnection = Pg.PoolClient;
export type Pool = Pg.Pool;

/** What a query returns: its rows and the affected count (and, asked for text, its columns). */
export interface Outcome<R = Record<string, unknown>> {
  rows: R[];
  rowCount: number;
  columns?: TextRows['columns'];
}

/** Every column as the text the server sent: no parser runs. */
const AS_TEXT = { getTypeParser: () => (value: string) => value };

/** The kind of text a column's type prints (pg's type OIDs). */
function textKind(oid: number): TextKind {
  if (oid === 16) return 'boolean';
  if (oid === 1184 || oid === 1114) return 'timestamp';
  if (oid === 114 || oid === 3802) return 'json';
  if (oid === 20 || oid === 21 || oid === 23 || oid === 700 || oid === 701 || oid === 1700) return 'number';
  return 'text';
}

export interface PoolSettings {
  max: number;
  connectTimeoutMs: number;
  statementTimeoutMs?: number;
  applicationName: string;
}

export function createPool(params: ConnectionParams, settings: PoolSettings): Pool {
  const pool = new pg.Pool({
    Client,
    host: params.host,
    port: params.port,
    database: params.database,
    user: params.user,
    password: params.password,
    ssl: params.ssl,
    max: settings.max,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    statement_timeout: settings.statementTimeoutMs,
    application_name: settings.applicationName,
    idleTimeoutMillis: 30_000,
    // Pipeline mode: queries queued on a client go out without waiting for
    // the previous reply, so BEGIN, the identity statement and the first
    // query of a transaction share one round trip (each keeps its own Sync,
    // so an error still belongs to its own query). Typed in pg 8.23 but not in @types/pg.
    ...({ pipeline: true } as object),
  } as unknown as Pg.PoolConfig);
  // An idle client losing its server (restart, crash) must not crash the process;
  // the next query reports DatabaseUnavailable instead.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * A connection from the pool. When the pool was full, the wait for one of its
 * own connections may time out: the pool's own error, the server out of reach
 * as before. A client's failure to connect comes classified (see Client).
 */
export async function takeFromPool(pool: Pool): Promise<PooledConnection> {
  const queued = pool.totalCount >= (pool.options.max ?? 10) && pool.idleCount === 0;
  try {
    return await pool.connect();
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof DriverFailure) throw cause; // the pool's connect timeout wraps the client's failure
    if (queued && !hasCode(err) && !(err instanceof DriverFailure) && !(pool as { ending?: boolean }).ending) throw new DriverFailure('unreachable', err);
    throw err;
  }
}

/** A connection of its own, outside any pool (provisioning, LISTEN). */
export async function openClient(params: ConnectionParams, connectTimeoutMs: number, applicationName: string): Promise<Pg.Client> {
  const client = new Client({ ...params, connectionTimeoutMillis: connectTimeoutMs, application_name: applicationName });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
  return client;
}

/**
 * Send one query. `name` prepares it once per connection (parse and plan
 * reused); without `values` it goes by the simple protocol (a whole script).
 * A failure with the connection gone is a DriverFailure; the server's own
 * errors (a SQLSTATE) and any other pass as they are.
 */
export async function send(conn: Connection, q: { name?: string; text: string; values?: readonly unknown[]; asText?: boolean }): Promise<Outcome> {
  const closedBefore = Boolean(internals(conn)._ending);
  try {
    if (q.asText) {
      // Rows as arrays of the server's text: an export of a million rows makes no object, no Date per row.
      const r = await conn.query({ name: q.name, text: q.text, values: (q.values ?? []) as unknown[], rowMode: 'array', types: AS_TEXT });
      return { rows: r.rows as unknown as Outcome['rows'], rowCount: r.rowCount ?? 0, columns: r.fields.map((f) => ({ name: f.name, kind: textKind(f.dataTypeID) })) };
    }
    const r = q.values === undefined && q.name === undefined
      ? await conn.query(q.text)
      : await conn.query({ name: q.name, text: q.text, values: (q.values ?? []) as unknown[] });
    return { rows: r.rows, rowCount: r.rowCount ?? 0 };
  } catch (err) {
    if (!hasCode(err) && !closedBefore && connectionGone(internals(conn))) throw new DriverFailure('unreachable', err);
    throw err;
  }
}

/** Whether the connection sends queued queries without waiting for replies (the pool's do). */
export function pipelines(conn: Connection): boolean {
  return internals(conn).pipeline === true;
}

/**
 * Queue several pipelined queries and write them to the socket together (one
 * system call instead of one per message).
 */
export function corked<T>(conn: Connection, queue: () => T): T {
  const stream = internals(conn).connection?.stream;
  stream?.cork?.();
  try {
    return queue();
  } finally {
    stream?.uncork?.();
  }
}

/** pg's own cancel request: a separate connection carrying the backend's secret key. */
export function cancelBackend(conn: Connection): Promise<void> {
  const c = internals(conn);
  return new Promise((resolve) => {
    const cp = c.connectionParameters;
    if (!cp || c.processID == null || c.secretKey == null) return resolve();
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

/** A dedicated connection LISTENing on a channel (Database.listen). */
export interface Subscription {
  /** False once the connection is lost: notifications may have been missed. */
  readonly connected: boolean;
  /** When the LISTEN took effect (ms since the epoch). */
  readonly since: number;
  close(): Promise<void>;
}

/**
 * LISTEN on a dedicated connection (outside the pool: it stays open and idle).
 * `text` is the LISTEN statement; each notification's payload goes to `onPayload`.
 */
export async function listen(params: ConnectionParams, connectTimeoutMs: number, text: string, onPayload: (payload: string) => void): Promise<Subscription> {
  const client = new Client({ ...params, connectionTimeoutMillis: connectTimeoutMs, application_name: 'epic-events listener' });
  let connected = false;
  client.on('error', () => (connected = false));
  client.on('end', () => (connected = false));
  client.on('notification', (n) => onPayload(n.payload ?? ''));
  try {
    await client.connect();
    await send(client, { text });
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
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
