/**
 * From the database's errors to ours, by SQLSTATE (the server's, and our own
 * EP001/EP002 raised by assert_session) and constraint name: in one table,
 * exact codes first, then whole classes. Never by the words of a message: a
 * server's messages follow its lc_messages, and the driver's are not an interface.
 * Anything unrecognised is rethrown as it is: a bug, reported as unexpected.
 */
import { AuthError, Conflict, DatabaseUnavailable, EpicError, NotFound, PermissionDenied, QueryCancelled, SessionRevoked, ValidationError } from '../domain/errors.js';

/**
 * A failure of the driver itself, which has no SQLSTATE: recognised where it
 * happens (lib/db/driver.ts) by the connection's state, not by its message.
 * 'unreachable': the connection could not be made or was lost;
 * 'tls-refused': TLS was required and the server answered that it has none.
 */
export class DriverFailure extends Error {
  constructor(readonly kind: 'unreachable' | 'tls-refused', override readonly cause: unknown) {
    super((cause as Error | undefined)?.message ?? kind);
    this.name = 'DriverFailure';
  }
}

/** What the mapping may know beyond the error itself. */
export interface ErrorContext {
  /** The embedded server's data directory (named when its disk is full). */
  dataDir?: string;
  /**
   * This process asked the server to cancel the statement (Ctrl+C): a
   * query_canceled (57014) is then that request, not the server's statement timeout.
   */
  cancelRequested?: boolean;
  /** The connection logs in as a session's own role (sql/migrations/040): refused, the session has ended. */
  sessionLogin?: boolean;
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
const missingReference: Mapper = (e) => new ValidationError(`a referenced record does not exist (${e.constraint ?? 'foreign key'})`);
const refusedLogin: Mapper = (e, context) => context.sessionLogin
  ? new SessionRevoked('your session has ended (logged out, ended by management, expired, or your password, email or department changed); log in again')
  : new DatabaseUnavailable(`the database refused the login (${e.message}): run \`epic-events setup\`, or check APP_DB_PASSWORD`, 'login');
const concurrentChange: Mapper = () => new Conflict('another session changed the same record at the same time; try again');
const diskFull: Mapper = (_e, context) =>
  new DatabaseUnavailable(`the database's disk is full (${context.dataDir ? `data directory ${context.dataDir}` : 'on the database server'}); free some space and try again`, 'disk-full');

/** The unique indexes a user can run into (sql/migrations/001_schema.sql), and what to say. */
const UNIQUE: Record<string, string> = {
  users_email_key: 'that email address is already used',
  clients_email_key: 'that email address is already used',
  users_employee_number_key: 'that employee number is already used',
};

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
  // The way back (sql/migrations/026-028): refusals that name what is wrong, in the database's words.
  EP320: (e) => new PermissionDenied(e.message ?? 'the database refused this operation for your department'),
  EP321: (e) => new Conflict(e.message ?? 'the record changed or is not where it was'),
  EP322: (e) => new NotFound(e.message ?? 'not found'),
  '28P01': refusedLogin,
  // A pooler (PgBouncer) says a refused login as a protocol error: the same refusal (a session's role gone).
  '08P01': (e, context) => (/authentication failed|no such user/i.test(e.message ?? '') ? refusedLogin(e, context) : unreachable(e, context)),
  '28000': refusedLogin,
  '3D000': (e) => new DatabaseUnavailable(`${e.message}: run \`epic-events setup\``, 'missing'),
  // query_canceled: this process's cancel request (Ctrl+C), else the server's own statement timeout.
  '57014': (_e, context) => context.cancelRequested
    ? new QueryCancelled('the query was cancelled')
    : new QueryCancelled('the query ran too long and was cancelled by the server (statement timeout)'),
  '23505': (e) => new Conflict(UNIQUE[e.constraint ?? ''] ?? `a record with the same unique value already exists (${e.constraint ?? 'unique'})`),
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
  '23503': missingReference,
  '23001': missingReference,
  '42501': () => new PermissionDenied('the database refused this operation for your department'),
  '40001': concurrentChange,
  '40P01': concurrentChange,
};

const BY_CLASS: Record<string, Mapper> = {
  '08': unreachable, // connection exception
  '53': (e) => new DatabaseUnavailable(`the database server lacks a resource (${e.message})`, 'resources'), // insufficient resources
  '58': (e) => new DatabaseUnavailable(`the database server could not use its files (${e.message})`, 'resources'), // system error (I/O)
};

/** The operating system's own failures to reach the server (errno codes). */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);

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
  if (err instanceof DriverFailure) {
    return err.kind === 'tls-refused'
      ? new DatabaseUnavailable('the server does not accept TLS connections, and sslmode requires TLS', 'tls')
      : unreachable({}, context);
  }
  const e = (err ?? {}) as DriverError;
  const code = e.code ?? '';
  const mapper = BY_SQLSTATE[code] ?? (/^[0-9A-Z]{5}$/.test(code) ? BY_CLASS[code.slice(0, 2)] : undefined);
  if (mapper) return mapper(e, context);
  if (CONNECTION_CODES.has(code)) return unreachable(e, context);
  // TLS (sslmode, sslrootcert): the server's certificate refused.
  if (TLS_CODES.has(code) || /^ERR_TLS_|^ERR_SSL_/.test(code)) {
    return new DatabaseUnavailable(`the server's TLS certificate was not accepted (${e.message}): check sslrootcert or PGSSLROOTCERT, and the host name`, 'tls');
  }
  return err;
}

/** Too many connections, or the server not accepting any yet: worth waiting for. */
export const WAIT_CODES: ReadonlySet<string> = new Set(['53300', '57P03']);
