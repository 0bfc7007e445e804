/**
 * Results for programs (`--csv`, `--json`): a list whole, cells flat (a nested
 * result's fields as `moved.clients`, find()'s kinds as rows with a `kind`),
 * a report's `(total)` line apart from its data rows (`{rows, total}` in JSON;
 * on stderr beside CSV), and what did not fit said on stderr, never on stdout.
 */
import { isPage, MAX_PAGE_SIZE } from '../crm/page.js';
import { isFound } from '../crm/find.js';
import { splitTotal } from '../crm/reports.js';
import { csvCell } from './csv-cells.js';
import { streamPages } from './export.js';
import { render, type OutputOptions } from './output.js';

type Row = Record<string, unknown>;
type Write = (text: string) => Promise<void>;

const CRLF = '\r\n';

function isRecord(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** A value's cells, nested objects as dotted names (`moved.to.fullName`), arrays of plain values joined. */
export function flatCells(value: Row, prefix = '', out: Row = {}): Row {
  for (const [key, v] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object' || x instanceof Date)) out[name] = v.map((x) => csvCell(x)).join(', ');
    else if (Array.isArray(v)) v.forEach((x, i) => (isRecord(x) ? flatCells(x, `${name}.${i}`, out) : (out[`${name}.${i}`] = x)));
    else if (isRecord(v)) flatCells(v, name, out);
    else out[name] = v;
  }
  return out;
}

/** Rows as one CSV table: the columns of every row, in the order first met. */
function csvTable(rows: readonly Row[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const line = (cells: string[]) => cells.join(',') + CRLF;
  return line(columns.map((c) => csvCell(c))) + rows.map((r) => line(columns.map((c) => csvCell(r[c])))).join('');
}

/** A total on one line: `total: contracts 5, signed 11500.50`. */
function totalLine(total: object): string {
  const figures = Object.entries(total).filter(([, v]) => typeof v === 'number' || (typeof v === 'string' && v !== '(total)'));
  return `total: ${figures.map(([k, v]) => `${k} ${String(v)}`).join(', ')}\n`;
}

/**
 * `--csv`: a result as CSV on `write` — a list whole (every page, streamed), an
 * array of records, one record, find()'s matches; notes for stderr on `note`.
 * Undefined for anything else (printed as usual).
 */
export function csvResult(value: unknown, write: Write, note: (line: string) => void): Promise<void> | undefined {
  // (a whole list's rest comes as blocks of bytes, each whole lines of UTF-8)
  if (isPage(value)) return streamPages(value, 'csv', (data) => write(typeof data === 'string' ? data : data.toString('utf8'))).then(() => undefined);
  if (isFound(value)) {
    const rows = (['clients', 'contracts', 'events'] as const).flatMap((k) => value[k].map((r) => ({ kind: k.slice(0, -1), ...flatCells(r as unknown as Row) })));
    for (const k of value.more) note(`more ${k} match than these ${value[k].length}: give more words to find() to narrow them\n`);
    return rows.length ? write(csvTable(rows)) : Promise.resolve();
  }
  const split = splitTotal(value);
  if (split) note(totalLine(split.total));
  const data = split ? split.rows : value;
  const rows = Array.isArray(data) && data.length > 0 && data.every(isRecord) ? data : isRecord(data) ? [data] : undefined;
  if (!rows) return undefined;
  return write(csvTable(rows.map((r) => flatCells(r))));
}

interface Streams {
  output: NodeJS.WritableStream & { isTTY?: boolean };
  errorOutput: NodeJS.WritableStream;
  csv?: boolean;
}

/**
 * Print a result. --csv: as above; a list with more rows, printed for a
 * program (--json, or a batch whose output is not a terminal: a pipe, a file),
 * says so on stderr rather than `Type "it" for more` on stdout.
 */
export function showResult(value: unknown, io: Streams, options: OutputOptions, batch: boolean): void | Promise<void> {
  if (io.csv) {
    const write: Write = (text) => new Promise<void>((resolve, reject) => {
      if (!text) return resolve();
      io.output.write(text, (err) => (err ? reject(err) : resolve()));
    });
    const csv = csvResult(value, write, (line) => io.errorOutput.write(line));
    if (csv) return csv;
  }
  const forProgram = options.json || (batch && !io.output.isTTY);
  io.output.write(`${render(value, forProgram ? { ...options, moreHint: false } : options)}\n`);
  if (forProgram && isPage(value) && value.hasMore) {
    io.errorOutput.write(`more rows remain after these ${value.rows.length}: give limit (up to ${MAX_PAGE_SIZE}), or export(list, 'file.jsonl') or --csv for all of them\n`);
  }
}
