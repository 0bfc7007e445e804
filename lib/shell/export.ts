/**
 * export(list, file): every page of a list streamed to a file, a page in
 * memory at a time (the next one is read while the current one is written).
 * The format follows the extension: .csv (RFC 4180, CRLF, cells that a
 * spreadsheet would run as a formula neutralised), .json (one array), .jsonl
 * (one record a line). Amounts stay the exact strings the database gave,
 * timestamps ISO 8601 (UTC). The file is written 0600 under a temporary
 * name beside it and takes its name only when complete (a killed export
 * leaves no plausible partial file); it never replaces one that exists
 * unless {overwrite: true}; a failed export removes what it wrote.
 * The same writers print `--csv` results (lib/shell/runtime.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import util from 'node:util';
import { ValidationError } from '../domain/errors.js';
import { isPage, type Page } from '../crm/page.js';
import type { TextRows } from '../db/index.js';
import { resolveUserPath } from '../platform/user-paths.js';
import { visible } from '../platform/text.js';
import { complete, exportOptions, openPartial, pageFrom, type ExportFormat } from './export-file.js';
import { headingOf, writeWorkbook } from './export-sheet.js';
import { csvCell, csvTextCell, PLAIN, type CsvStyle } from './csv-cells.js';
import { copiedCsv } from './export-copy.js';
import { capYoungGeneration } from './statements.js';

/** Rows a page holds while a list is exported: large enough that round trips do not dominate, small enough to stay bounded. */
export const EXPORT_PAGE_SIZE = 5000;

const FORMATS: Record<string, ExportFormat> = { '.csv': 'csv', '.json': 'json', '.jsonl': 'jsonl', '.xlsx': 'xlsx' };

type Row = Record<string, unknown>;

/** What export() prints: the row count and the file; as JSON {file, rows, format}. */
export class ExportSummary {
  constructor(readonly file: string, readonly rows: number, readonly format: ExportFormat) {}
  [util.inspect.custom](): string {
    return visible(`${this.rows} ${this.rows === 1 ? 'row' : 'rows'} written to ${this.file}`);
  }
  toJSON(): { file: string; rows: number; format: ExportFormat } {
    return { file: this.file, rows: this.rows, format: this.format };
  }
}

const CRLF = '\r\n';

/** Turns rows into the format's text, a page at a time. */
interface Encoder {
  start(first: Row | undefined): string;
  rows(rows: readonly Row[]): string;
  end(): string;
}

function encoder(format: ExportFormat, style: CsvStyle = PLAIN): Encoder {
  if (format === 'csv') {
    let columns: string[] | undefined;
    const sep = style.excel ? ';' : ',';
    return {
      start: (first) => {
        columns = first ? Object.keys(first) : undefined;
        const bom = style.excel ? '\uFEFF' : '';
        return columns ? `${bom}${columns.map((c) => csvCell(style.excel ? headingOf(c) : c)).join(sep)}${CRLF}` : bom;
      },
      rows: (rows) => {
        const cols = columns ?? [];
        return csvLines(rows, cols.length, (row, i) => csvCell(row[cols[i]], style), sep);
      },
      end: () => '',
    };
  }
  if (format === 'jsonl') {
    return { start: () => '', rows: (rows) => rows.map((r) => `${JSON.stringify(r)}\n`).join(''), end: () => '' };
  }
  let first = true;
  return {
    start: () => '[',
    rows: (rows) => rows.map((r) => {
      const text = `${first ? '\n' : ',\n'}${JSON.stringify(r)}`;
      first = false;
      return text;
    }).join(''),
    end: () => (first ? ']\n' : '\n]\n'),
  };
}

/**
 * Write every row of the list from `page` on: this page, then the following
 * ones in pages of `pageSize`, each fetched while the one before is written.
 * To CSV, a list that pages by keyset is read on as text (no object, no Date
 * for each of a million rows). Returns how many rows were written.
 */
export async function streamPages(page: Page<unknown>, format: ExportFormat, write: (data: string | Buffer) => Promise<void>, pageSize = EXPORT_PAGE_SIZE, style: CsvStyle = PLAIN): Promise<number> {
  const enc = encoder(format, style);
  let current = page;
  let count = 0;
  const first = current.rows[0] as Row | undefined;
  await write(enc.start(first));
  if (format === 'csv' && first && current.copyAfter) {
    // A whole list: the rest in one COPY, its rows turned into CSV bytes as they come.
    const written = write(enc.rows(current.rows as Row[]));
    written.catch(() => undefined); // awaited before the first bytes of the rest, or below
    let sink: ReturnType<typeof copiedCsv> | undefined;
    const rest = await current.copyAfter((columns) => {
      sink = copiedCsv(columns, Object.keys(first), style, async (bytes) => {
        capYoungGeneration();
        await written;
        await write(bytes);
      });
      return sink.each;
    });
    await written;
    await sink?.end();
    return current.rows.length + rest;
  }
  if (format === 'csv' && first && current.textsAfter) {
    const columns = Object.keys(first);
    // The rest is read (a fetch under way) while a page is encoded and written.
    const written = write(enc.rows(current.rows as Row[]));
    written.catch(() => undefined); // awaited by the first page read, or below
    const rest = await current.textsAfter(pageSize, async (text) => {
      capYoungGeneration(); // as a long batch does (issue 28): Node.js 24 would let it grow to 128 MB
      await written;
      await write(csvTextRows(text, columns, style));
    });
    await written;
    return current.rows.length + rest;
  }
  for (;;) {
    capYoungGeneration();
    const following = current.hasMore ? current.next(pageSize) : undefined;
    following?.catch(() => undefined); // awaited below; a write failing first must not leave it unhandled
    if (current.rows.length) await write(enc.rows(current.rows as Row[]));
    count += current.rows.length;
    if (!following) break;
    current = await following;
  }
  await write(enc.end());
  return count;
}

/** Text rows as CSV lines, in the header's column order (the sort key is left out). */
function csvTextRows(page: TextRows, columns: readonly string[], style: CsvStyle): string {
  const at = columns.map((name) => page.columns.findIndex((c) => c.name === name));
  if (at.some((i) => i < 0)) throw new Error(`export: the list's columns changed between pages (${columns.join(', ')})`);
  const kinds = at.map((i) => page.columns[i].kind);
  return csvLines(page.rows, at.length, (row, i) => csvTextCell(row[at[i]], kinds[i], style), style.excel ? ';' : ',');
}

/** CSV lines of `width` cells each, the i-th cell of a row written by `cell(row, i)`. */
function csvLines<R>(rows: readonly R[], width: number, cell: (row: R, i: number) => string, sep = ','): string {
  let out = '';
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < width; i++) line += i ? `${sep}${cell(row, i)}` : cell(row, i);
    out += line + CRLF;
  }
  return out;
}

/** The format a file name asks for, or a ValidationError naming the ones known. */
export function formatOf(file: string): ExportFormat {
  const format = FORMATS[path.extname(file).toLowerCase()];
  if (!format) throw new ValidationError([{ field: 'file', problem: `must end in .csv, .xlsx, .json or .jsonl (the format follows the extension; got "${file}")` }]);
  return format;
}

/**
 * export(source, file, {overwrite?, excel?}) in the shell and in scripts.
 * `source`: a list call (its promise or its page, from that page on) or a
 * list method (`contracts.list`: the whole list).
 */
export async function exportList(source: unknown, file: unknown, options?: unknown): Promise<ExportSummary> {
  // A list call given as a promise is already running: never leave its failure unhandled.
  if (source && typeof (source as { catch?: unknown }).catch === 'function') (source as Promise<unknown>).catch(() => undefined);
  if (typeof file !== 'string' || file === '') throw new ValidationError([{ field: 'file', problem: "must be a file name such as 'unpaid.csv'" }]);
  const format = formatOf(file);
  const { overwrite, excel } = exportOptions(options, format);
  const target = resolveUserPath(file);
  const { handle, partial } = await openPartial(target, overwrite);
  try {
    const page = await pageFrom(source);
    let rows: number;
    if (format === 'xlsx') {
      await handle.close(); // the workbook writer writes the partial file (0600) by its name
      rows = await writeWorkbook(page, partial, EXPORT_PAGE_SIZE);
    } else {
      rows = await streamPages(page, format, async (data) => {
        if (typeof data !== 'string') await handle.write(data);
        else if (data) await handle.write(data);
      }, EXPORT_PAGE_SIZE, { excel });
      await handle.close();
    }
    await complete(partial, target, overwrite);
    return new ExportSummary(file, rows, format);
  } catch (err) {
    await handle.close().catch(() => undefined);
    await fs.promises.unlink(partial).catch(() => undefined);
    throw err;
  }
}
