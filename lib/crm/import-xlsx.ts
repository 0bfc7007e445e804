/**
 * clients.import of a workbook (.xlsx): the first sheet, streamed with
 * exceljs's WorkbookReader (loaded only when a workbook is imported), each
 * row as the text of its cells with its row number as the line, so that
 * every rule of the CSV import applies (lib/crm/import.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ValidationError } from '../domain/errors.js';
import type { SourceItem } from './csv-file.js';

export function isWorkbook(file: string): boolean {
  return path.extname(file).toLowerCase() === '.xlsx';
}

/** A workbook's rows, once it is known to exist. */
export async function xlsxSource(file: string, name: string): Promise<() => AsyncIterable<SourceItem>> {
  const stat = await fs.promises.stat(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new ValidationError([{ field: 'file', problem: `${file} does not exist` }]);
    throw err;
  });
  if (stat.isDirectory()) throw new ValidationError([{ field: 'file', problem: `${file} is a folder, not a workbook` }]);
  return () => xlsxRecords(file, name);
}

/** A cell's value as the text a CSV would hold. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const v = value as { richText?: Array<{ text: string }>; text?: unknown; result?: unknown; formula?: unknown; error?: unknown };
    if (Array.isArray(v.richText)) return v.richText.map((r) => r.text).join('');
    if (v.formula !== undefined || v.result !== undefined) return cellText(v.result);
    if (v.text !== undefined) return cellText(v.text);
    if (v.error !== undefined) return String(v.error);
  }
  return String(value);
}

async function* xlsxRecords(file: string, name: string): AsyncGenerator<SourceItem> {
  const { default: ExcelJS } = await import('exceljs');
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(file, { worksheets: 'emit', sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', entries: 'ignore' });
  let width = 0;
  try {
    for await (const sheet of reader) {
      for await (const row of sheet as AsyncIterable<{ number: number; values: unknown }>) {
        const values = Array.isArray(row.values) ? (row.values as unknown[]) : [];
        const record: string[] = [];
        // values[0] is unused (columns count from 1); cells not written are holes.
        for (let i = 1; i < values.length; i++) record.push(cellText(values[i]));
        if (width === 0 && record.some((c) => c.trim() !== '')) width = record.length;
        while (record.length < width) record.push('');
        yield { line: row.number, record };
      }
      break; // the first sheet only
    }
  } catch (err) {
    if (err instanceof ValidationError) throw err;
    const why = err instanceof Error ? err.message.split('\n', 1)[0].slice(0, 120) : 'unknown error';
    throw new ValidationError([{ field: 'file', problem: `${name} cannot be read as an .xlsx workbook (${why}); save it from the spreadsheet as "Excel Workbook (.xlsx)" or as "CSV UTF-8" (nothing was imported)` }]);
  }
}
