/**
 * How results look: lists as tables that fit the terminal (a page at a time;
 * columns and layout chosen by lib/shell/layout.ts), or vertically when they
 * do not; one record vertically, amounts with two decimals, dates in local
 * time (or as the dateFormat setting says); JSON (one document per result)
 * for scripts. Colour only when asked (TTY, no NO_COLOR).
 * Text from data never drives the terminal: control and bidi characters show
 * as escapes (lib/platform/text.ts), line breaks kept only in a record's multi-line
 * fields; JSON stays exact.
 */
import util from 'node:util';
import { Page, isPage } from '../crm/page.js';
import { isFound, type Found } from '../crm/find.js';
import { splitTotal } from '../crm/reports.js';
import { isPasswordAnswer } from './password-prompt.js';
import { visible } from '../platform/text.js';
import { fitText } from '../platform/width.js';
import { formatDate, isDate } from '../platform/dates.js';
import { heading, type ColumnChoice, type Expanded } from './layout.js';
import { fitCell, formatField, formatRecord, formatTable, isRecord, paint, type Row, type TableView } from './table.js';

export { visible, heading, formatDate };
export { TABLE_CELL_WIDTH, fitCell, formatField, formatMoney, formatRecord, formatTable, paint, wantsColor, type RecordView, type TableView } from './table.js';

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

/** A value that prints as text fitted to the terminal's width (a bare `clients`): the function gives the text. */
export const LISTING = Symbol('epic-events listing');

function listingOf(value: unknown): ((width?: number) => string) | undefined {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
  const listing = (value as { [LISTING]?: unknown })[LISTING];
  return typeof listing === 'function' ? (listing as (width?: number) => string) : undefined;
}

export interface OutputOptions {
  json: boolean;
  color: boolean;
  /** The terminal's width in columns; undefined when the output is not a terminal. */
  width?: number;
  /** The settings that shape lists and dates (config.set, lib/shell/settings.ts). */
  display?: Display;
  /** false: a page with more rows does not end with `Type "it" for more` (printed for a program). */
  moreHint?: boolean;
}

/** What the settings choose for display. */
export interface Display {
  /** Columns per object (clients, contracts…); 'default' when not given. */
  columns?: Readonly<Record<string, ColumnChoice>>;
  expanded?: Expanded;
  /** Passed to formatDate, the one function that prints a timestamp. */
  dateFormat?: string;
}

/** A value in a history line: amounts with two decimals, timestamps local, nothing as "none". */
function historyValue(field: string, value: unknown, dateFormat?: string): string {
  if (value === null || value === undefined) return 'none';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/.test(value)) return formatDate(new Date(value), dateFormat);
  return fitCell(formatField(field, value, dateFormat));
}

/** A change's field and value in words: a collaborator by name (`salesContact Bill Boquet`), else as it is. */
function historyChange(entry: Row, field: string, value: unknown, dateFormat?: string): string {
  const people = (entry.people ?? {}) as Record<string, string>;
  if (!/^(sales|support)ContactId$/.test(field) || value === null || value === undefined) return historyValue(field, value, dateFormat);
  const name = people[String(value)];
  return name ? fitCell(name) : `id ${String(value)}`;
}

/** One history entry a line: `2026-11-30 14:02  Bill Boquet  contract 3 (Kevin Casey)  salesContact Bill Boquet → Ana Vente`. */
export function formatHistoryLine(entry: Row, color: boolean, showRecord: boolean, dateFormat?: string): string {
  // A signature is its own news: its timestamp is the line's.
  const changes = entry.changes && typeof entry.changes === 'object' && entry.action !== 'signed'
    ? Object.entries(entry.changes as Record<string, [unknown, unknown]>).map(([f, [from, to]]) => `${f.replace(/^(sales|support)ContactId$/, '$1Contact')} ${historyChange(entry, f, from, dateFormat)} → ${historyChange(entry, f, to, dateFormat)}`).join(', ')
    : '';
  const what = visible([entry.action === 'updated' && changes ? '' : String(entry.action), changes].filter(Boolean).join(' '));
  const note = entry.note ? ` (${fitCell(String(entry.note), 80)})` : '';
  const named = entry.recordName ? ` (${fitCell(String(entry.recordName))})` : '';
  const record = showRecord ? visible(`${entry.object} ${entry.recordId ?? '?'}${named}  `) : '';
  return `${paint(formatDate(entry.at as Date, dateFormat), 'dim', color)}  ${fitCell(String(entry.actorName))}  ${record}${what}${note}`;
}

function formatTimeline(rows: Row[], color: boolean, dateFormat?: string, width?: number): string {
  if (rows.length === 0) return '(no changes)';
  const records = new Set(rows.map((r) => `${r.object} ${r.recordId}`));
  // A long line wraps between words, under the text after its timestamp.
  return rows.map((r) => fitText(formatHistoryLine(r, color, records.size > 1, dateFormat), width)).join('\n');
}

/** The columns a list was asked for (list({columns})), kept with it and the pages after it. */
const pageChoices = new WeakMap<object, ColumnChoice>();

/** `page` (and every page after it, through `it`) shown with `columns`. */
export function withColumns<T>(page: Page<T>, columns: ColumnChoice): Page<T> {
  const chosen = Page.make<T>(page.object, page.rows, page.hasMore, page.listed - page.rows.length, async (_listed, size) => withColumns(await page.next(size), columns));
  pageChoices.set(chosen, columns);
  return chosen;
}

/** A table's view from the output options. */
function tableView(options: { width?: number; display?: Display }, object?: string, choice?: ColumnChoice): TableView {
  return { ...options.display, width: options.width, object, choice };
}

export function formatPage(page: Page<unknown>, color: boolean, options: { width?: number; display?: Display; moreHint?: boolean } = {}): string {
  const rows = page.rows.filter(isRecord);
  const listing = page.object === 'history'
    ? formatTimeline(rows, color, options.display?.dateFormat, options.width)
    : formatTable(rows, color, tableView(options, page.object, pageChoices.get(page)));
  const table = rows.length === page.rows.length ? listing : page.rows.map((r) => inspectVisibly(r, false)).join('\n');
  // The last page says how many were listed in all (with the pages `it` showed before it).
  if (!page.hasMore) return page.rows.length ? `${table}\n${paint(`(${page.listed} ${page.listed === 1 ? 'row' : 'rows'})`, 'dim', color)}` : table;
  return options.moreHint === false ? table : `${table}\n${paint('Type "it" for more', 'dim', color)}`;
}

/** find(): each kind with its rows as a table, kinds with nothing left out. */
export function formatFound(found: Found, color: boolean, options: { width?: number; display?: Display } = {}): string {
  const kinds = (['clients', 'contracts', 'events'] as const).filter((k) => found[k].length > 0);
  if (kinds.length === 0) return '(nothing found)';
  return kinds.map((k) => {
    const count = found.more.includes(k) ? `first ${found[k].length}` : String(found[k].length);
    return `${paint(`${k} (${count})`, 'bold', color)}\n${formatTable(found[k] as unknown as Row[], color, tableView(options, k))}`;
  }).join('\n\n');
}

/** JSON with exact amounts (strings stay strings) and ISO timestamps. */
export function toJson(value: unknown): string {
  if (value instanceof ShellText) return value.text;
  if (isPage(value)) return JSON.stringify(value.rows);
  const totalled = splitTotal(value);
  if (totalled) return JSON.stringify(totalled);
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

const isScalar = (v: unknown) => v === null || (typeof v !== 'object' && typeof v !== 'function') || isDate(v);

/**
 * A record as one field a line, what it holds inside flattened (`users.update`
 * with `moved: {clients, events, to}` prints `moved clients`, `moved to`…): a
 * collaborator as `Bill Boquet (id 4)`, a list of plain values joined. Undefined
 * when it holds something else (a list of records: inspected as it is).
 */
function flatRecord(record: Row, prefix = '', depth = 2): Row | undefined {
  const out: Row = {};
  for (const [key, v] of Object.entries(record)) {
    const name = prefix ? `${prefix} ${heading(key)}` : key;
    if (isScalar(v)) out[name] = v;
    else if (Array.isArray(v) && v.every(isScalar)) out[name] = v.map((x) => formatField(key, x)).join(', ');
    else if (isRecord(v) && Object.keys(v).length === 2 && typeof v.fullName === 'string' && typeof v.id === 'number') out[name] = `${v.fullName} (id ${v.id})`;
    else if (isRecord(v) && depth > 0) {
      const inner = flatRecord(v, name, depth - 1);
      if (!inner) return undefined;
      Object.assign(out, inner);
    } else return undefined;
  }
  return out;
}

/** Render any value the shell printed: the writer of the REPL, and what batches print. */
export function render(value: unknown, options: OutputOptions): string {
  if (isPasswordAnswer(value)) return '(the password typed at passwordPrompt(): not shown)';
  if (value instanceof ShellText) return fitText(visible(value.text, '\n'), options.width);
  if (options.json) return toJson(value);
  const listing = listingOf(value);
  if (listing) return fitText(visible(listing(options.width), '\n'), options.width);
  if (isPage(value)) return formatPage(value, options.color, options);
  if (isFound(value)) return formatFound(value, options.color, options);
  if (Array.isArray(value) && value.length > 0 && value.every(isRecord)) {
    // Every list says how many rows it has, as a page does.
    return `${formatTable(value, options.color, tableView(options))}\n${paint(`(${value.length} ${value.length === 1 ? 'row' : 'rows'})`, 'dim', options.color)}`;
  }
  const flat = isRecord(value) ? flatRecord(value) : undefined;
  if (flat) return formatRecord(flat, options.color, { width: options.width, dateFormat: options.display?.dateFormat });
  return inspectVisibly(value, options.color);
}

/**
 * What print(...values) writes: strings as they are but safe (line breaks and
 * tabs kept; exact with --json, as machine output), anything else rendered.
 */
export function printed(values: unknown[], options: OutputOptions): string {
  return values.map((v) => (typeof v !== 'string' ? render(v, options) : options.json ? v : visible(v, '\n\t'))).join(' ');
}
