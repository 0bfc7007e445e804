/**
 * A mistyped method names the closest one the department may call:
 * `clients.lsit()` fails as "did you mean clients.list()?" rather than
 * "is not a function". Read from the statement that failed (which call it
 * wrote), never from the wording of the engine's message.
 */
import type { Department } from '../domain/departments.js';
import { API, OBJECTS, permittedMethods, type ObjectName } from '../crm/permissions.js';

/** Edits (insertions, deletions, substitutions, swaps of two neighbours) from `a` to `b`. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The name among `names` closest to `typed` (a slip of a letter or two, any case), or undefined. */
export function closest(typed: string, names: readonly string[]): string | undefined {
  const lower = typed.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(lower, name.toLowerCase());
    if (distance <= Math.max(1, Math.floor(name.length / 3)) && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

const CALL = new RegExp(`(?<![\\w$.])(${OBJECTS.join('|')})\\s*\\.\\s*([A-Za-z_$][\\w$]*)\\s*\\(`, 'g');

const isTypeError = (err: unknown) => typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'TypeError';

/**
 * When `error` (a TypeError) came from calling a method an object does not
 * have in `code`: a TypeError naming the closest permitted method, or what
 * the object has. Otherwise undefined.
 */
export function mistypedMethod(error: unknown, code: string, department: Department): TypeError | undefined {
  if (!isTypeError(error)) return undefined;
  for (const [, object, name] of code.matchAll(CALL)) {
    if (Object.prototype.hasOwnProperty.call(API[object as ObjectName], name) || name === 'help') continue;
    const permitted = permittedMethods(department, object as ObjectName);
    const near = closest(name, permitted);
    return new TypeError(near
      ? `${object}.${name} is not a method: did you mean ${object}.${near}()?`
      : `${object}.${name} is not a method (${permitted.length ? `${object} has ${permitted.join(', ')}` : `${department} may call nothing on ${object}`}; ${object}.help())`);
  }
  return undefined;
}
