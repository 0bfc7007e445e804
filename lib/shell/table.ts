/**
 * Drawing what lib/shell/layout.ts chose: tables (columnify, which measures
 * text as the terminal draws it), records one field a line, and the cells of
 * both. Every width here is counted in terminal columns (lib/platform/width.ts).
 */
import { createRequire } from 'node:module';
import type Columnify from 'columnify';
import { visible } from '../platform/text.js';
import { formatDate, isDate } from '../platform/dates.js';
import { cutToWidth, textWidth, wrapToWidth } from '../platform/width.js';
import { UNBOUNDED_CELL_WIDTH, COLUMN_GAP, chooseLayout, columnLabel, heading, type ColumnChoice, type Expanded } from './layout.js';

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

export function formatField(field: string, value: unknown, dateFormat?: string): string {
  if (value === null || value === undefined) return '';
  if (isDate(value)) return formatDate(value, dateFormat);
  if (MONEY_FIELD.test(field) && (typeof value === 'number' || (typeof value === 'string' && /^-?\d+(\.\d*)?$/.test(value.trim())))) {
    return formatMoney(value);
  }
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

export type Row = Record<string, unknown>;

/** A plain object (a record), not an array, a date or a class instance. */
export function isRecord(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isDate(value) && Object.getPrototypeOf(value) === Object.prototype;
}

/** Widest a table cell gets when the terminal's width is not known (to a file or a pipe). */
export const TABLE_CELL_WIDTH = UNBOUNDED_CELL_WIDTH;

/** Fields whose line breaks a record keeps (everywhere else a line break shows as `\n`). */
const MULTILINE_FIELD = /^notes$/i;

/** One line of at most `width` terminal columns, an ellipsis marking a cut (tables only: records and JSON keep everything). */
export function fitCell(text: string, width = TABLE_CELL_WIDTH): string {
  return cutToWidth(visible(text.replace(/\s*\n\s*/g, ' ')), width);
}

/** A column of money (every value an amount: '1500.00'): right-aligned, so that the decimals line up. */
function isMoney(field: string, rows: readonly Row[]): boolean {
  let any = false;
  for (const row of rows) {
    const v = row[field];
    if (v === null || v === undefined || v === '') continue;
    const amount = typeof v === 'string' && /^-?\d+\.\d{2}$/.test(v.trim());
    const named = MONEY_FIELD.test(field) && (typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d*)?$/.test(v.trim())));
    if (!amount && !named) return false;
    any = true;
  }
  return any;
}

/** How one table is drawn: the object whose view it takes, the terminal's width, the settings. */
export interface TableView {
  object?: string;
  width?: number;
  /** This list's own choice (list({columns})), before the settings' choice for the object. */
  choice?: ColumnChoice;
  /** Columns per object (clients, contracts…); 'default' when not given. */
  columns?: Readonly<Record<string, ColumnChoice>>;
  expanded?: Expanded;
  dateFormat?: string;
}

// columnify is loaded when the first table is drawn, not when the shell starts.
let columnifyModule: typeof Columnify | undefined;
const columnify = (): typeof Columnify => (columnifyModule ??= createRequire(import.meta.url)('columnify') as typeof Columnify);

/** Rows as a table that fits `view.width`, or one record after another when it cannot (lib/shell/layout.ts). */
export function formatTable(rows: Row[], color: boolean, view: TableView = {}): string {
  if (rows.length === 0) return '(no rows)';
  const fields: string[] = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!fields.includes(key)) fields.push(key);
  // Each cell on one line, uncut: the layout measures them, then they are cut to its widths.
  const cells = rows.map((row) => Object.fromEntries(fields.map((f) => [f, fitCell(formatField(f, row[f], view.dateFormat), Infinity)])));
  const cellWidths = Object.fromEntries(fields.map((f) => [f, Math.max(...cells.map((c) => textWidth(c[f])))]));
  const layout = chooseLayout({
    object: view.object,
    fields,
    cellWidths,
    width: view.width,
    columns: view.choice ?? (view.object ? view.columns?.[view.object] : undefined) ?? 'default',
    expanded: view.expanded ?? 'auto',
  });
  if (layout.kind === 'vertical') {
    return rows.map((row, i) => formatRecord(Object.fromEntries(layout.columns.map((c) => [c, row[c]])), color, { width: view.width, dateFormat: view.dateFormat, title: `${i + 1}`, oneLine: true })).join('\n');
  }
  const { columns, widths } = layout;
  const data = cells.map((c) => Object.fromEntries(columns.map((f, i) => [f, cutToWidth(c[f], widths[i])])));
  const config = Object.fromEntries(columns.map((f, i) => [f, { minWidth: widths[i], maxWidth: widths[i], align: isMoney(f, rows) ? 'right' as const : 'left' as const }]));
  const drawn = columnify()(data, {
    columns, config, columnSplitter: ' '.repeat(COLUMN_GAP), preserveNewLines: false,
    headingTransform: (name: string) => visible(columnLabel(name).toUpperCase()),
  }).split('\n').map((line) => line.trimEnd());
  return [paint(drawn[0], 'bold', color), ...drawn.slice(1)].join('\n');
}

export interface RecordView {
  /** The terminal's width: longer values wrap under themselves (oneLine: are cut). */
  width?: number;
  dateFormat?: string;
  /** A heading line above the record (its number in a vertical list). */
  title?: string;
  /** Each value on one line (a vertical list), cut to the width. */
  oneLine?: boolean;
}

/** Narrowest a record's value column gets, however narrow the terminal. */
const MIN_VALUE_WIDTH = 10;

/** One record, one field a line: "full name: Kevin Casey". */
export function formatRecord(record: Row, color: boolean, view: RecordView = {}): string {
  const keys = Object.keys(record);
  if (keys.length === 0) return '{}';
  const label = (k: string) => visible(heading(k));
  const labelWidth = Math.max(...keys.map((k) => textWidth(label(k))));
  const room = view.width === undefined ? undefined : Math.max(MIN_VALUE_WIDTH, view.width - labelWidth - 2);
  const lines = keys.map((k) => {
    const text = formatField(k, record[k], view.dateFormat);
    const shown = view.oneLine ? fitCell(text, room ?? Infinity) : visible(text, MULTILINE_FIELD.test(k) ? '\n' : '');
    const valueLines = room === undefined || view.oneLine ? [shown] : wrapToWidth(shown, room);
    const name = ' '.repeat(labelWidth - textWidth(label(k))) + label(k);
    return `${paint(name, 'bold', color)}: ${valueLines.join(`\n${' '.repeat(labelWidth + 2)}`)}`.trimEnd();
  });
  if (view.title !== undefined) {
    const title = `-[ ${view.title} ]`;
    lines.unshift(paint(title + '-'.repeat(Math.max(0, Math.min(view.width ?? 40, labelWidth + 2 + 20) - title.length)), 'dim', color));
  }
  return lines.join('\n');
}
