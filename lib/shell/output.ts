/**
 * How results look: lists as columnify tables (a page at a time), one record
 * vertically, amounts with two decimals, dates in local time; JSON (one
 * document per result) for scripts. Colour only when asked (TTY, no NO_COLOR).
 * Text from data never drives the terminal: control and bidi characters show
 * as escapes (lib/text.ts), line breaks kept only in a record's multi-line
 * fields; JSON stays exact.
 */
import columnify from 'columnify';
import util from 'node:util';
import { isPage, type Page } from '../crm/page.js';
import { isFound, type Found } from '../crm/find.js';
import { visible } from '../text.js';
import { formatDate, isDate } from '../dates.js';

export { visible, formatDate };

/** Text the shell prints as it is (help, notices), rather than as a value. */
export class ShellText {
  constructor(readonly text: string) {}
  [util.inspect.custom](): string {
    return visible(this.text, '\n');
  }
  toJSON(): string {
    return this.text;
  }
}

export interface OutputOptions {
  json: boolean;
  color: boolean;
}

const ANSI = { bold: '\x1b[1m', dim: '\x1b[2m', red: '\x1b[31m', reset: '\x1b[0m' } as const;

export function paint(text: string, style: keyof typeof ANSI, color: boolean): string {
  return color ? `${ANSI[style]}${text}${ANSI.reset}` : text;
}

/** Whether colour is wanted: an explicit choice, else a TTY without NO_COLOR (https://no-color.org). */
export function wantsColor(explicit: boolean | undefined, stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (explicit !== undefined) return explicit;
  return Boolean(stream.isTTY) && !(env.NO_COLOR !== undefined && env.NO_COLOR !== '');
}

const MONEY_FIELD = /amount|price|total|due/i;

/** Money exactly as text with two decimals; never through a float when it is already a decimal string. */
export function formatMoney(value: string | number): string {
  const text = typeof value === 'number' ? value.toFixed(2) : value.trim();
  const m = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) return text;
  const decimals = (m[3] ?? '').padEnd(2, '0');
  return `${m[1]}${m[2]}.${decimals.length > 2 ? decimals : decimals.slice(0, 2)}`;
}

export function formatField(field: string, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (isDate(value)) return formatDate(value);
  if (MONEY_FIELD.test(field) && (typeof value === 'number' || (typeof value === 'string' && /^-?\d+(\.\d*)?$/.test(value.trim())))) {
    return formatMoney(value);
  }
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** fullName → "full name", salesContactId → "sales contact id". */
export function heading(field: string): string {
  return field.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/_/g, ' ').toLowerCase();
}

type Row = Record<string, unknown>;

function isRecord(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isDate(value) && Object.getPrototypeOf(value) === Object.prototype;
}

/** Widest a table cell gets: long notes would push every other column off the screen. */
export const TABLE_CELL_WIDTH = 40;

/** Fields whose line breaks a record keeps (everywhere else a line break shows as `\n`). */
const MULTILINE_FIELD = /^notes$/i;

/** One line of at most `width` characters, an ellipsis marking a cut (tables only: records and JSON keep everything). */
export function fitCell(text: string, width = TABLE_CELL_WIDTH): string {
  const line = visible(text.replace(/\s*\n\s*/g, ' '));
  const chars = [...line]; // by code point: never split a surrogate pair
  return chars.length > width ? `${chars.slice(0, width - 1).join('').trimEnd()}…` : line;
}

export function formatTable(rows: Row[], color: boolean): string {
  if (rows.length === 0) return '(no rows)';
  const fields: string[] = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!fields.includes(key)) fields.push(key);
  const data = rows.map((row) => Object.fromEntries(fields.map((f) => [f, fitCell(formatField(f, row[f]))])));
  const table = columnify(data, {
    columns: fields,
    columnSplitter: '  ',
    preserveNewLines: false,
    truncate: false,
    headingTransform: (name: string) => paint(visible(heading(name).toUpperCase()), 'bold', color),
    config: Object.fromEntries(fields.filter((f) => MONEY_FIELD.test(f)).map((f) => [f, { align: 'right' as const }])),
  });
  return table.split('\n').map((line) => line.trimEnd()).join('\n');
}

/** One record, one field a line: "full name: Kevin Casey". */
export function formatRecord(record: Row, color: boolean): string {
  const keys = Object.keys(record);
  if (keys.length === 0) return '{}';
  const label = (k: string) => visible(heading(k));
  const width = Math.max(...keys.map((k) => label(k).length));
  return keys.map((k) => `${paint(label(k).padStart(width), 'bold', color)}: ${visible(formatField(k, record[k]), MULTILINE_FIELD.test(k) ? '\n' : '')}`).join('\n');
}

/** A value in a history line: amounts with two decimals, timestamps local, nothing as "none". */
function historyValue(field: string, value: unknown): string {
  if (value === null || value === undefined) return 'none';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/.test(value)) return formatDate(new Date(value));
  return fitCell(formatField(field, value));
}

/** One history entry a line: `2026-11-30 14:02  Bill Boquet  contract 3  amountDue 5000.00 → 0.00`. */
export function formatHistoryLine(entry: Row, color: boolean, showRecord: boolean): string {
  // A signature is its own news: its timestamp is the line's.
  const changes = entry.changes && typeof entry.changes === 'object' && entry.action !== 'signed'
    ? Object.entries(entry.changes as Record<string, [unknown, unknown]>).map(([f, [from, to]]) => `${f} ${historyValue(f, from)} → ${historyValue(f, to)}`).join(', ')
    : '';
  const what = visible([entry.action === 'updated' && changes ? '' : String(entry.action), changes].filter(Boolean).join(' '));
  const note = entry.note ? ` (${fitCell(String(entry.note), 80)})` : '';
  const record = showRecord ? visible(`${entry.object} ${entry.recordId ?? '?'}  `) : '';
  return `${paint(formatDate(entry.at as Date), 'dim', color)}  ${fitCell(String(entry.actorName))}  ${record}${what}${note}`;
}

function formatTimeline(rows: Row[], color: boolean): string {
  if (rows.length === 0) return '(no changes)';
  const records = new Set(rows.map((r) => `${r.object} ${r.recordId}`));
  return rows.map((r) => formatHistoryLine(r, color, records.size > 1)).join('\n');
}

export function formatPage(page: Page<unknown>, color: boolean): string {
  const rows = page.rows.filter(isRecord);
  const listing = page.object === 'history' ? formatTimeline(rows, color) : formatTable(rows, color);
  const table = rows.length === page.rows.length ? listing : page.rows.map((r) => inspectVisibly(r, false)).join('\n');
  // The last page says how many were listed in all (with the pages `it` showed before it).
  if (!page.hasMore) return page.rows.length ? `${table}\n${paint(`(${page.listed} ${page.listed === 1 ? 'row' : 'rows'})`, 'dim', color)}` : table;
  return `${table}\n${paint('Type "it" for more', 'dim', color)}`;
}

/** find(): each kind with its rows as a table, kinds with nothing left out. */
export function formatFound(found: Found, color: boolean): string {
  const kinds = (['clients', 'contracts', 'events'] as const).filter((k) => found[k].length > 0);
  if (kinds.length === 0) return '(nothing found)';
  return kinds.map((k) => {
    const count = found.more.includes(k) ? `first ${found[k].length}` : String(found[k].length);
    return `${paint(`${k} (${count})`, 'bold', color)}\n${formatTable(found[k] as unknown as Row[], color)}`;
  }).join('\n\n');
}

/** JSON with exact amounts (strings stay strings) and ISO timestamps. */
export function toJson(value: unknown): string {
  if (value instanceof ShellText) return value.text;
  if (isPage(value)) return JSON.stringify(value.rows);
  return JSON.stringify(value === undefined ? null : value) ?? 'null';
}

/**
 * util.inspect, safe for a terminal. Strings are escaped by inspect itself,
 * but an error's message, a symbol's description or a class name are not; and
 * with colour the text holds inspect's own escape sequences. So: inspect
 * without colour and make it visible; only when that changed nothing (no
 * unsafe character came from the value) is the coloured form used.
 */
function inspectVisibly(value: unknown, color: boolean): string {
  const bare = util.inspect(value, { colors: false, depth: 4 });
  const safe = visible(bare, '\n');
  if (!color || safe !== bare) return safe;
  return util.inspect(value, { colors: true, depth: 4 });
}

/** Render any value the shell printed: the writer of the REPL, and what batches print. */
export function render(value: unknown, options: OutputOptions): string {
  if (value instanceof ShellText) return visible(value.text, '\n');
  if (options.json) return toJson(value);
  if (isPage(value)) return formatPage(value, options.color);
  if (isFound(value)) return formatFound(value, options.color);
  if (Array.isArray(value) && value.length > 0 && value.every(isRecord)) return formatTable(value, options.color);
  if (isRecord(value) && Object.values(value).every((v) => v === null || typeof v !== 'object' || isDate(v))) {
    return formatRecord(value, options.color);
  }
  return inspectVisibly(value, options.color);
}

/**
 * What print(...values) writes: strings as they are but safe (line breaks and
 * tabs kept; exact with --json, as machine output), anything else rendered.
 */
export function printed(values: unknown[], options: OutputOptions): string {
  return values.map((v) => (typeof v !== 'string' ? render(v, options) : options.json ? v : visible(v, '\n\t'))).join(' ');
}
