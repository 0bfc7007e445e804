/**
 * Shared validators for the domain objects. Each checks one value, records a
 * problem under the field's name instead of throwing, and returns the value
 * normalised for the database; `finish()` then throws one ValidationError that
 * lists every bad field at once. Nothing here touches the database: a call is
 * validated before any SQL runs.
 */
import { ValidationError, type FieldProblem } from '../domain/errors.js';
import { hasUnsafeCharacters } from '../platform/text.js';
import { endOfDay, isDate, readDate } from '../platform/dates.js';
import { phoneProblem } from './phone.js';

export type Fields = Record<string, unknown>;

/** Collects the problems of one call. */
export class Problems {
  readonly list: FieldProblem[] = [];
  add(field: string, problem: string): void {
    this.list.push({ field, problem });
  }
  get any(): boolean {
    return this.list.length > 0;
  }
  /** Throw every problem found so far as one ValidationError. */
  finish(): void {
    if (this.list.length) throw new ValidationError(this.list);
  }
}

/** Run `check` with a fresh collector and throw what it found. */
export function validated<T>(check: (problems: Problems) => T): T {
  const problems = new Problems();
  const result = check(problems);
  problems.finish();
  return result;
}

/** What was given instead, as a sentence reads it: "nothing", "an object", "the number 1.5", "text". */
export function describeGiven(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (isDate(value)) return 'a Date';
  switch (typeof value) {
    case 'string': return 'text';
    case 'number': return `the number ${String(value)}`;
    case 'boolean': return `the value ${String(value)}`;
    case 'bigint': return `the number ${String(value)}n`;
    case 'object': return 'an object';
    case 'function': return 'a function';
    default: return `a ${typeof value}`;
  }
}
const describe = describeGiven;

/** Length as PostgreSQL counts it (code points, so an emoji is one). */
function charLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * An object literal or Object.create(null): its prototype is null or some
 * realm's Object.prototype (the shell's context has its own). Anything else
 * (`{__proto__: {fullName: …}}`, Object.create(record), a Map) would let
 * fields arrive through the prototype, past the unknown-key check.
 */
export function isPlainObject(value: object): boolean {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/**
 * The argument object of a call: a plain object whose keys are all known.
 * A typo such as `{phon: …}` is refused, never ignored. `hints` gives a
 * better message for a known-but-not-here field.
 */
export function fieldsOf(value: unknown, arg: string, allowed: readonly string[], problems: Problems, hints: Record<string, string> = {}): Fields {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value) || isDate(value)) {
    problems.add(arg, `must be an object such as {${allowed.slice(0, 2).join(', ')}} (got ${describe(value)})`);
    return {};
  }
  if (!isPlainObject(value)) {
    problems.add(arg, `must be a plain object such as {${allowed.slice(0, 2).join(', ')}}, its fields its own (not inherited through a prototype)`);
    return {};
  }
  const fields = value as Fields;
  for (const key of Object.keys(fields)) {
    if (!allowed.includes(key)) {
      problems.add(key, hints[key] ?? `is not a known field (expected one of: ${allowed.join(', ')})`);
    }
  }
  return fields;
}

export interface TextRule {
  /** Maximum length in characters. */
  max: number;
  /** Single-line text (names, emails, phones, company, location): no control, C1 or bidi characters (lib/platform/text.ts). */
  singleLine?: boolean;
}

/**
 * Text stored as given (trimmed when single-line). NUL cannot be stored by
 * PostgreSQL, so it is refused here rather than failing in the driver.
 */
export function text(value: unknown, field: string, problems: Problems, rule: TextRule): string | undefined {
  if (typeof value !== 'string') {
    problems.add(field, `must be text (got ${describe(value)})`);
    return undefined;
  }
  const v = rule.singleLine ? value.trim() : value;
  if (v.includes('\u0000')) problems.add(field, 'must not contain NUL characters');
  else if (rule.singleLine && hasUnsafeCharacters(v)) problems.add(field, 'must be one line without control or bidirectional-override characters');
  else if (charLength(v) > rule.max) problems.add(field, `must be at most ${rule.max} characters (got ${charLength(v)})`);
  else return v;
  return undefined;
}

/** A required name-like value: non-empty after trimming, one line, bounded. */
export function name(value: unknown, field: string, problems: Problems, max = 200): string | undefined {
  const v = text(value, field, problems, { max, singleLine: true });
  if (v === '') {
    problems.add(field, 'must not be empty');
    return undefined;
  }
  return v;
}

/** An optional one-line text: null or '' clears it. */
export function optionalName(value: unknown, field: string, problems: Problems, max = 200): string | null | undefined {
  if (value === null || value === '') return null;
  return text(value, field, problems, { max, singleLine: true }) || null;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s.]+$/;

export function email(value: unknown, field: string, problems: Problems): string | undefined {
  const v = text(value, field, problems, { max: 254, singleLine: true });
  if (v === undefined) return undefined;
  if (!EMAIL.test(v)) {
    problems.add(field, 'must be an email address such as name@example.com');
    return undefined;
  }
  return v;
}

const PHONE_CHARS = /^[0-9 +\-().]+$/;

/** Digits, spaces and `+ - ( ) .`, with 6 to 20 digits. null or '' clears it. */
export function phone(value: unknown, field: string, problems: Problems): string | null | undefined {
  if (value === null || value === '') return null;
  const v = text(value, field, problems, { max: 40, singleLine: true });
  if (v === undefined) return undefined;
  const digits = v.replace(/\D/g, '').length;
  if (!PHONE_CHARS.test(v) || digits < 6 || digits > 20) {
    problems.add(field, 'must be a phone number: digits, spaces and + - ( ) . with 6 to 20 digits');
    return undefined;
  }
  const why = phoneProblem(v);
  if (why) {
    problems.add(field, `must be a phone number such as +33 6 12 34 56 78, or 06 12 34 56 78 in the default region (${why})`);
    return undefined;
  }
  return v;
}

/** The largest id (and count) PostgreSQL's integer holds. */
export const MAX_ID = 2147483647;

/** A record id: a whole number from 1 to 2^31-1 (a digit string is accepted too). */
export function recordId(value: unknown, field: string, problems: Problems): number | undefined {
  const n = typeof value === 'string' && /^\d{1,10}$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_ID) {
    problems.add(field, `must be a record id, a whole number from 1 to ${MAX_ID} (got ${typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : describe(value)})`);
    return undefined;
  }
  return n;
}

/** The id argument of get/update/sign/assign: throws at once when it is not one. */
export function idArgument(value: unknown, what: string): number {
  return validated((p) => recordId(value, what, p)) as number;
}

/**
 * A timestamp: a Date (from any realm), an ISO 8601 string (local time
 * without a zone; a bare date is local midnight) or a phrase such as
 * 'tomorrow 18:00' (lib/platform/dates.ts). Impossible and ambiguous dates are refused.
 */
export function timestamp(value: unknown, field: string, problems: Problems): Date | undefined {
  const read = readDate(value);
  if ('problem' in read) {
    problems.add(field, read.problem);
    return undefined;
  }
  return read.date;
}

/**
 * The end of a range (exclusive): a date given without a time ('2026-12-03',
 * 'tomorrow') includes that whole day, so it ends at the next midnight.
 */
export function rangeEnd(value: unknown, field: string, problems: Problems): Date | undefined {
  const read = readDate(value);
  if ('problem' in read) {
    problems.add(field, read.problem);
    return undefined;
  }
  return read.dateOnly ? endOfDay(read.date) : read.date;
}

/** A count of people: a whole number from 0. */
export function attendees(value: unknown, field: string, problems: Problems): number | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_ID) {
    problems.add(field, `must be a whole number from 0 to ${MAX_ID} (got ${describe(value)})`);
    return undefined;
  }
  return value;
}

export function flag(value: unknown, field: string, problems: Problems): boolean | undefined {
  if (typeof value !== 'boolean') {
    problems.add(field, `must be true or false (got ${describe(value)})`);
    return undefined;
  }
  return value;
}

/** A check that also accepts null (e.g. "no support contact"). */
export function nullOr<T>(check: (value: unknown, field: string, problems: Problems) => T | undefined) {
  const orNull = (value: unknown, field: string, problems: Problems): T | null | undefined => (value === null ? null : check(value, field, problems));
  // Named after what it wraps: the declarations of `epic-events types` read the type from the name.
  return Object.defineProperty(orNull, 'name', { value: `nullOr(${check.name})` });
}
