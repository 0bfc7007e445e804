/**
 * A mistyped method names the closest one the department may call:
 * `clients.lsit()` fails as "did you mean clients.list()?" rather than
 * "is not a function". Read from the statement that failed (which call it
 * wrote), never from the wording of the engine's message.
 */
import type { Department } from '../domain/departments.js';
import { API, OBJECTS, permittedMethods, type ObjectName } from '../crm/permissions.js';
import { tokenize } from './tokens.js';

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

const DECLARATION = new Set(['const', 'let', 'var']);
const OPENERS = new Set(['{', '(', '[', '${']);
const CLOSERS = new Set(['}', ')', ']']);

/**
 * The names a statement declares at its top level (`const contracts = …`,
 * `let [a, clients] = …`, `function users() {}`, `class find {}`): a
 * declaration there would hide the shell's own name for the rest of the
 * session. Declarations inside a function or a block are left alone.
 */
export function declaredNames(code: string): string[] {
  const tokens = tokenize(code);
  const names: string[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type === 'punct' && OPENERS.has(t.value)) depth++;
    else if (t.type === 'punct' && CLOSERS.has(t.value)) depth = Math.max(0, depth - 1);
    if (depth !== 0 || t.type !== 'ident') continue;
    if ((t.value === 'function' || t.value === 'class') && tokens[i + 1]?.type === 'ident') names.push(tokens[i + 1].value);
    if (!DECLARATION.has(t.value)) continue;
    // The bindings up to each `=` (keys followed by `:` are not bindings), then the initialiser up to `,` or `;`.
    let inner = 0;
    let binding = true;
    for (let j = i + 1; j < tokens.length; j++) {
      const u = tokens[j];
      if (u.type === 'punct' && OPENERS.has(u.value)) inner++;
      else if (u.type === 'punct' && CLOSERS.has(u.value)) inner--;
      if (inner < 0 || (inner === 0 && u.value === ';' && u.type === 'punct')) break;
      if (inner === 0 && u.type === 'punct' && u.value === '=') binding = false;
      else if (inner === 0 && u.type === 'punct' && u.value === ',') binding = true;
      else if (binding && u.type === 'ident' && !(tokens[j + 1]?.type === 'punct' && tokens[j + 1].value === ':')) names.push(u.value);
      else if (binding && u.type === 'punct' && u.value === '=' ) binding = false;
    }
  }
  return names;
}

/**
 * What a psql or mongosh hand types first, answered in the shell's terms: the
 * statement to run instead (`\q` is exit()), or a line saying what to type.
 */
export function reflex(code: string): { run: string } | { say: string } | undefined {
  const typed = code.trim().replace(/;$/, '').trim();
  if (/^\\q$/.test(typed)) return { run: 'exit()' };
  if (/^(\\\?|\\h|\?)$/.test(typed)) return { run: 'help()' };
  if (/^\\x( (on|off|auto))?$/.test(typed)) {
    return { say: "Records one after another: config.set('expanded', 'on') (or 'auto': when a table does not fit; 'off'). One list: clients.list({columns: 'all'})" };
  }
  if (/^(\\d[a-z+]*( \S+)?|\\l|show (collections|tables|dbs|databases))$/i.test(typed)) {
    return { say: `The shell has objects, not tables: ${OBJECTS.join(', ')}. Type one bare (clients) for its methods, help() for everything.` };
  }
  if (/^use \S+$/i.test(typed)) return { say: 'There is one CRM: nothing to switch to. help() lists the objects.' };
  return undefined;
}

const isReferenceError = (err: unknown) => typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'ReferenceError';

/**
 * When `error` (a ReferenceError) came from a name `code` uses that is not
 * defined but is close to one of the shell's (`client.list()`): a
 * ReferenceError naming it. Read from the statement's own names.
 */
export function mistypedName(error: unknown, code: string, defined: (name: string) => boolean, shellNames: readonly string[]): ReferenceError | undefined {
  if (!isReferenceError(error)) return undefined;
  const tokens = tokenize(code);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.type !== 'ident' || (i > 0 && tokens[i - 1].type === 'punct' && (tokens[i - 1].value === '.' || tokens[i - 1].value === '?.')) || defined(t.value)) continue;
    const near = closest(t.value, shellNames);
    if (near) return new ReferenceError(`${t.value} is not defined: did you mean ${near}?`);
  }
  return undefined;
}

/** A name the shell put in `context` (lib/shell/context.ts injectContext: fixed, never reassigned). */
export function isShellName(context: object, name: string): boolean {
  const own = Object.getOwnPropertyDescriptor(context, name);
  return own !== undefined && own.configurable === false && typeof own.get === 'function';
}
