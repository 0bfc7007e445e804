/**
 * export() for a spreadsheet (lib/shell/export.ts): headings in words, local
 * times, and the .xlsx workbook, streamed with exceljs's WorkbookWriter
 * (loaded only when a workbook is written): amounts as numbers with two
 * decimals, times as dates in the shell's zone, text as text (a text cell is
 * never run as a formula, so no guard is added).
 */
import { isPage, type Page } from '../crm/page.js';

type Row = Record<string, unknown>;

/** A field's heading in words: `fullName` → `Full name`, `salesContactId` → `Sales contact ID` (clients.import reads both). */
export function headingOf(field: string): string {
  const words = field.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(' ').map((w) => (w === 'id' ? 'ID' : w));
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const two = (n: number) => (n < 10 ? `0${n}` : String(n));

/** A time as the shell's zone reads it, as a spreadsheet recognises a date: `2026-12-07 01:31:18`. */
export function localStamp(d: Date): string {
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** The columns holding money (exact decimal strings from the database). */
const AMOUNT_FIELD = /amount|total|due|collected|paid|revenue/i;
const DECIMAL = /^-?\d+(\.\d+)?$/;

/** A cell's value for the workbook: a number for an amount, a date shifted to read as the local time, text for the rest. */
function sheetValue(value: unknown, amount: boolean): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return new Date(value.getTime() - value.getTimezoneOffset() * 60_000);
  if (typeof value === 'string') return amount && DECIMAL.test(value) ? Number(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  return JSON.stringify(value);
}

/**
 * Every row of the list from `page` on into a workbook at `file` (one sheet
 * named after the list), a page in memory at a time, each row committed as
 * it is written. Returns how many rows were written.
 */
export async function writeWorkbook(page: Page<unknown>, file: string, pageSize: number): Promise<number> {
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useStyles: true, useSharedStrings: false });
  const sheet = book.addWorksheet(String(page.object || 'list'));
  const first = page[0] as Row | undefined;
  const fields = first ? Object.keys(first) : [];
  const amounts = fields.map((f) => AMOUNT_FIELD.test(f) && typeof first?.[f] === 'string' && DECIMAL.test(first[f] as string));
  sheet.columns = fields.map((f, i) => ({
    header: headingOf(f), key: f, width: Math.max(12, headingOf(f).length + 2),
    style: amounts[i] ? { numFmt: '#,##0.00' } : first?.[f] instanceof Date ? { numFmt: 'yyyy-mm-dd hh:mm:ss' } : {},
  }));
  let current = page;
  let count = 0;
  for (;;) {
    const following = current.hasMore ? current.next(pageSize) : undefined;
    following?.catch(() => undefined); // awaited below; a write failing first must not leave it unhandled
    for (const row of current as unknown as Row[]) {
      sheet.addRow(fields.map((f, i) => sheetValue(row[f], amounts[i]))).commit();
    }
    count += current.length;
    if (!following) break;
    current = await following;
    if (!isPage(current)) break;
  }
  sheet.commit();
  await book.commit();
  return count;
}
