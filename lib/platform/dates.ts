/**
 * Dates in and out, in one place. In: ISO 8601 strings, `Date` objects from
 * any realm (the REPL's context has its own `Date`, so no `instanceof`),
 * `+7d`-style offsets and plain English through chrono-node ('today',
 * 'tomorrow 18:00', 'next friday', '5 June 2026 18:00'); anything ambiguous
 * ('04/06/2027': April or June?) is refused with an example. Out: the local
 * time zone, one format (2026-06-04 13:00) for records, errors and history.
 */
import { createRequire } from 'node:module';
import type * as Chrono from 'chrono-node';

const require = createRequire(import.meta.url);
let english: typeof Chrono.en | undefined;

/** chrono-node's English parsers, loaded at the first phrase (about 100 ms: never at start-up). */
function chronoEnglish(): typeof Chrono.en {
  english ??= require('chrono-node/en') as typeof Chrono.en;
  return english;
}

export interface ReadDate {
  date: Date;
  /** Only a day was given ('2026-12-03', 'tomorrow'): it starts at local midnight. */
  dateOnly: boolean;
}

export const DATE_EXAMPLES = "'2026-06-04 13:00', 'tomorrow 18:00', 'next friday' or '+7d'";

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const RELATIVE = /^([+-])\s*(\d{1,5})\s*(min|minutes?|h|hours?|d|days?|w|weeks?)$/i;
/** 04/06/2027, 4.6.27, 04-06-2027: day and month in an order only the writer knows. */
const NUMERIC_DAY_MONTH = /^(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?(?=$|[\sT,])/;

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Whether a value is a Date, whatever realm made it. */
export function isDate(value: unknown): value is Date {
  return Object.prototype.toString.call(value) === '[object Date]';
}

/** What a value is, for a message: 'text', 'a number', 'a Date'… */
function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (isDate(value)) return 'a Date';
  return typeof value === 'string' ? 'text' : `a ${typeof value}`;
}

/**
 * A date from what a user typed, or the problem with it (a sentence to put
 * after the field's name). `now` is the reference for relative phrases.
 */
export function readDate(value: unknown, now: Date = new Date()): ReadDate | { problem: string } {
  if (isDate(value)) {
    const time = Date.prototype.getTime.call(value);
    return Number.isNaN(time) ? { problem: 'is an invalid Date' } : { date: new Date(time), dateOnly: false };
  }
  if (typeof value !== 'string') return { problem: `must be a date such as ${DATE_EXAMPLES}, or a Date (got ${kindOf(value)})` };
  const text = value.trim();
  const got = JSON.stringify(value.slice(0, 40));
  const iso = ISO_DATE.exec(text);
  if (iso) return readIso(text, iso) ?? { problem: `is not a date that exists (got ${got})` };
  const relative = RELATIVE.exec(text);
  if (relative) {
    const n = Number(relative[2]) * (relative[1] === '-' ? -1 : 1);
    const unit = relative[3][0].toLowerCase();
    const minutes = unit === 'm' ? 1 : unit === 'h' ? 60 : unit === 'd' ? 1440 : 10080;
    return { date: new Date(now.getTime() + n * minutes * 60_000), dateOnly: false };
  }
  const typed = readWithFormat(text);
  if (typed) return typed;
  const numeric = NUMERIC_DAY_MONTH.exec(text);
  if (numeric) {
    const [a, b] = [Number(numeric[1]), Number(numeric[2])];
    if (a <= 12 && b <= 12 && a !== b) {
      const year = numeric[3] ? (numeric[3].length === 2 ? `20${numeric[3]}` : numeric[3]) : String(now.getFullYear());
      const rest = text.slice(numeric[0].length).replace(/^[\sT,]+/, '');
      const time = rest ? ` ${rest.slice(0, 20)}` : '';
      const iso = (day: number, month: number) => `'${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}${time}'`;
      return { problem: `is ambiguous (got ${got}: ${a} ${MONTHS[b - 1]} or ${MONTHS[a - 1]} ${b}?); write the month as a word or the date as ISO, such as '${a} ${MONTHS[b - 1]} ${year}${time}' or ${iso(a, b)} (or ${iso(b, a)} for ${MONTHS[a - 1]} ${b})` };
    }
  }
  const found = text && text.length <= 80 ? chronoEnglish().GB.parse(text, now, { forwardDate: true }) : [];
  if (found.length === 1 && found[0].index === 0 && found[0].text.length === text.length && !found[0].end) {
    const start = found[0].start;
    const dateOnly = !start.isCertain('hour');
    const date = start.date();
    if (dateOnly) date.setHours(0, 0, 0, 0);
    return { date, dateOnly };
  }
  return { problem: `must be a date such as ${DATE_EXAMPLES}, or a Date (got ${got})` };
}

/** The dateFormat setting's pattern, also read as input ('DD/MM/YYYY HH:mm': '10/12/2026' is 10 December); undefined for 'local' and 'iso'. */
let inputFormat: string | undefined;

/** What the dateFormat setting says (lib/shell/settings.ts): dates typed that way are read that way. */
export function setInputDateFormat(format: string | undefined): void {
  inputFormat = format && format !== 'local' && format !== 'iso' ? format : undefined;
}

/** A pattern's tokens as a regular expression: the whole pattern, or its date alone (the time after it left out). */
function formatPattern(format: string): RegExp {
  const source = format.split(/(YYYY|MM|DD|HH|mm|ss)/).map((part, i) => (i % 2 ? `(?<${part}>\\d{${part === 'YYYY' ? 4 : '1,2'}})` : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ +/g, '\\s+'))).join('');
  return new RegExp(`^${source}$`);
}

/** `text` read with the dateFormat setting's pattern (with or without its time), or undefined. */
function readWithFormat(text: string): ReadDate | undefined {
  if (!inputFormat) return undefined;
  const lastDate = Math.max(...['YYYY', 'MM', 'DD'].map((t) => { const at = inputFormat!.lastIndexOf(t); return at < 0 ? -1 : at + t.length; }));
  const forms = [{ pattern: inputFormat, dateOnly: false }, { pattern: inputFormat.slice(0, lastDate), dateOnly: true }];
  for (const { pattern, dateOnly } of forms) {
    const m = lastDate > 0 ? formatPattern(pattern).exec(text) : null;
    if (!m?.groups?.YYYY || !m.groups.MM || !m.groups.DD) continue;
    const n = (k: string) => Number(m.groups?.[k] ?? 0);
    const date = new Date(n('YYYY'), n('MM') - 1, n('DD'), n('HH'), n('mm'), n('ss'));
    const exists = date.getFullYear() === n('YYYY') && date.getMonth() === n('MM') - 1 && date.getDate() === n('DD') && n('HH') <= 23 && n('mm') <= 59 && n('ss') <= 59;
    if (exists) return { date, dateOnly };
  }
  return undefined;
}

/** Local time unless a zone is given; a bare date is local midnight; Feb 30 is refused. */
function readIso(text: string, m: RegExpExecArray): ReadDate | undefined {
  const [, y, mo, d, h = '00', mi = '00', s = '00'] = m;
  const daysInMonth = new Date(Date.UTC(Number(y), Number(mo), 0)).getUTCDate();
  const inRange = Number(mo) >= 1 && Number(mo) <= 12 && Number(d) >= 1 && Number(d) <= daysInMonth
    && Number(h) <= 23 && Number(mi) <= 59 && Number(s) <= 59;
  const parsed = new Date(m[4] === undefined ? `${text}T00:00` : text.replace(' ', 'T'));
  return inRange && !Number.isNaN(parsed.getTime()) ? { date: parsed, dateOnly: m[4] === undefined } : undefined;
}

/** The next local midnight after a day's start: a date-only upper bound includes that whole day. */
export function endOfDay(dayStart: Date): Date {
  const next = new Date(dayStart.getTime());
  next.setDate(next.getDate() + 1);
  next.setHours(0, 0, 0, 0);
  return next;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** The parts of a date format (the dateFormat setting): anything else in it is printed as it is. */
export const DATE_TOKENS = /YYYY|MM|DD|HH|mm|ss/g;

/**
 * A timestamp in the local time zone, from any realm. `format` (the
 * dateFormat setting): 'local' (the default: 2026-06-04 13:00, seconds only
 * when not zero), 'iso' (2026-06-04T13:00:00+02:00) or a pattern of YYYY MM
 * DD HH mm ss ('DD/MM/YYYY HH:mm'). Every timestamp the shell prints comes
 * through here.
 */
export function formatDate(date: Date, format = 'local'): string {
  const time = Date.prototype.getTime.call(date);
  if (Number.isNaN(time)) return 'Invalid Date';
  const d = new Date(time);
  const parts: Record<string, string> = {
    YYYY: String(d.getFullYear()), MM: pad2(d.getMonth() + 1), DD: pad2(d.getDate()),
    HH: pad2(d.getHours()), mm: pad2(d.getMinutes()), ss: pad2(d.getSeconds()),
  };
  if (format === 'iso') {
    const offset = -d.getTimezoneOffset();
    const zone = `${offset < 0 ? '-' : '+'}${pad2(Math.trunc(Math.abs(offset) / 60))}:${pad2(Math.abs(offset) % 60)}`;
    return `${parts.YYYY}-${parts.MM}-${parts.DD}T${parts.HH}:${parts.mm}:${parts.ss}${zone}`;
  }
  if (format !== 'local') return format.replace(DATE_TOKENS, (token) => parts[token]);
  const base = `${parts.YYYY}-${parts.MM}-${parts.DD} ${parts.HH}:${parts.mm}`;
  return d.getSeconds() ? `${base}:${parts.ss}` : base;
}
