/**
 * The errors a user can meet. Each has a stable `code`; the shell prints
 * `Name: message` for these and nothing else (no stack).
 */
export abstract class EpicError extends Error {
  abstract readonly code: string;
  /** Exit code a non-interactive command ends with when this error stops it. */
  readonly exitCode: number = 1;
  /** The PostgreSQL SQLSTATE this error was mapped from, when it came from the server. */
  sqlState?: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class PermissionDenied extends EpicError {
  readonly code = 'E_PERMISSION';
}

export interface FieldProblem {
  field: string;
  problem: string;
}

/** The longest message an error carries (a few kB, whatever it is about): the rest is counted. */
export const MAX_MESSAGE_CHARS = 4096;
/** The longest one problem reads in a message. */
const MAX_PROBLEM_CHARS = 600;

/**
 * Problems as one bounded message: each cut at MAX_PROBLEM_CHARS, and once
 * MAX_MESSAGE_CHARS is reached the rest counted ("… and 998,990 more problems").
 */
export function boundedMessage(parts: readonly string[], separator: string): string {
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i].length > MAX_PROBLEM_CHARS ? `${parts[i].slice(0, MAX_PROBLEM_CHARS - 1)}…` : parts[i];
    const next = i === 0 ? part : `${out}${separator}${part}`;
    if (next.length > MAX_MESSAGE_CHARS && i > 0) {
      const rest = parts.length - i;
      return `${out}${separator}… and ${rest.toLocaleString('en-US')} more ${rest === 1 ? 'problem' : 'problems'}`;
    }
    out = next;
  }
  return out;
}

export class ValidationError extends EpicError {
  readonly code = 'E_VALIDATION';
  readonly problems: FieldProblem[];
  /** The problems are lines (a file's bad lines): the message holds one a line, and the shell prints them so. */
  readonly lines: boolean;
  constructor(problems: FieldProblem[] | string, options: { lines?: boolean } = {}) {
    const list = typeof problems === 'string' ? [{ field: '', problem: problems }] : problems;
    const lines = options.lines === true;
    super(boundedMessage(list.map((p) => (p.field ? `${p.field} ${p.problem}` : p.problem)), lines ? '\n' : '; '));
    this.problems = list;
    this.lines = lines;
  }
}

export class NotFound extends EpicError {
  readonly code = 'E_NOT_FOUND';
}

export class AuthError extends EpicError {
  readonly code = 'E_AUTH';
  override readonly exitCode = 3;
}

/** The database refused a transaction because the session was revoked meanwhile: the shell ends (exit 3). */
export class SessionRevoked extends AuthError {}

export class Conflict extends EpicError {
  readonly code = 'E_CONFLICT';
}

/**
 * Why the database is unavailable: not reachable (down, restarting, the
 * network), its connection limit reached, its disk full, or another resource
 * or configuration problem on the server.
 */
export type UnavailableReason = 'unreachable' | 'connection-limit' | 'not-accepting' | 'disk-full' | 'resources' | 'login' | 'missing' | 'tls';

export class DatabaseUnavailable extends EpicError {
  readonly code = 'E_DB';
  constructor(message: string, readonly reason?: UnavailableReason) {
    super(message);
  }
}

/** The server cancelled a running statement (statement timeout, or Ctrl+C). */
export class QueryCancelled extends EpicError {
  readonly code = 'E_CANCELLED';
}

/** Bad configuration or command-line usage: one line naming what is wrong. */
export class ConfigError extends EpicError {
  readonly code = 'E_CONFIG';
  override readonly exitCode = 2;
}

export function isEpicError(err: unknown): err is EpicError {
  return err instanceof EpicError;
}

/** Failures raised inside an API method that are none of ours (a bug), marked by the call pipeline (lib/crm/invoke.ts). */
const apiFailures = new WeakSet<object>();

/** Mark a failure of an API method that is not one of our errors: the shell reports it as unexpected (lib/shell/errors.ts). */
export function markApiFailure(err: unknown): void {
  if (typeof err === 'object' && err !== null && !isEpicError(err)) apiFailures.add(err);
}

export function isApiFailure(err: unknown): boolean {
  return typeof err === 'object' && err !== null && apiFailures.has(err);
}
