/**
 * Errors as the user sees them: one line (a refused file: one line per bad
 * line), never a stack. Our own errors
 * (lib/domain/errors.ts) print `Name: message`; a mistake in the user's own code
 * (ReferenceError, SyntaxError…) prints the same way; a failure inside our
 * API that is not one of our errors is a bug: it goes to the monitor and the
 * user gets a short line with its reference.
 */
import { isApiFailure, isEpicError } from '../domain/errors.js';
import type { Monitor } from '../platform/monitoring.js';
import { visible } from '../platform/text.js';
import type { InterruptReport } from './login.js';

/** Errors raised inside an API method (as opposed to the user's code) are marked by the call pipeline (lib/crm/invoke.ts). */
export { markApiFailure } from '../domain/errors.js';

/** Ctrl+C while a call was running. */
export class Interrupted extends Error {
  constructor(report?: InterruptReport) {
    super(interruptMessage(report));
    this.name = 'Interrupted';
  }
}

/** What Ctrl+C did, truthfully: a write that committed all the same says so; one stopped in time says nothing was written. */
function interruptMessage(report: InterruptReport | undefined): string {
  if (!report || report.calls === 0) return 'cancelled (Ctrl+C)';
  if (report.committed > 0) {
    return report.rolledBack > 0
      ? `too late for part of it (Ctrl+C): ${report.committed} change(s) had already been committed and are saved; the rest was rolled back`
      : 'too late (Ctrl+C): the change had already been committed and is saved';
  }
  if (report.rolledBack > 0) return 'cancelled (Ctrl+C); nothing was written (the call was stopped before it committed)';
  return 'cancelled (Ctrl+C)';
}

function firstLine(text: string, max = 200): string {
  const line = text.split('\n', 1)[0];
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The one line an error prints as, safe for a terminal (control and bidi characters as escapes). Never throws. */
export function describeError(err: unknown, monitor: Monitor): string {
  try {
    // A file's bad lines print one a line (each value in them is already escaped).
    return isEpicError(err) && (err as { lines?: unknown }).lines === true ? visible(`${err.name}: ${err.message.replace(/\n/g, '\n  ')}`, '\n') : visible(errorLine(err, monitor));
  } catch {
    // A getter or a Proxy that throws when its name, message or text is read: still one line.
    return 'Uncaught: a thrown value that cannot be read (its name, message or text throws)';
  }
}

function errorLine(err: unknown, monitor: Monitor): string {
  if (isEpicError(err)) return `${err.name}: ${err.message.replace(/\s*\n\s*/g, ' ')}`;
  if (err instanceof Interrupted) return `${err.name}: ${err.message}`;
  if (typeof err === 'object' && err !== null && isApiFailure(err)) {
    let reference: string | undefined;
    try {
      reference = monitor.exception(err);
    } catch {
      reference = undefined;
    }
    const name = isErrorLike(err) ? err.name : 'Error';
    return reference
      ? `Error: an unexpected error occurred and was reported (reference ${reference}): ${name}`
      : `Error: an unexpected error occurred (${name}: ${firstLine(isErrorLike(err) ? err.message : String(err))})`;
  }
  // Node's eval reports an unfinished statement as repl.Recoverable: an empty SyntaxError holding the real one.
  const inner = isErrorLike(err) && err.message === '' ? (err as { err?: unknown }).err : undefined;
  if (isErrorLike(inner)) return `${inner.name}: ${firstLine(inner.message)}`;
  // Errors from the REPL context come from another realm: not `instanceof Error`, same shape.
  if (isErrorLike(err)) return `${err.name}: ${firstLine(err.message)}`;
  return `Uncaught: ${firstLine(String(err))}`;
}

function isErrorLike(err: unknown): err is { name: string; message: string } {
  return typeof err === 'object' && err !== null && typeof (err as { name?: unknown }).name === 'string' && typeof (err as { message?: unknown }).message === 'string';
}
