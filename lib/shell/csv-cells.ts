/**
 * A cell of a CSV export (lib/shell/export.ts, lib/shell/export-copy.ts):
 * a value, or the text the database printed for it, written as RFC 4180
 * text with the cells a spreadsheet would run as a formula neutralised.
 */
import { isoFromTimestampText, readTimestamp, type TextKind } from '../db/index.js';
import { localStamp } from './export-sheet.js';

/** CSV for programs (the default: `,`, field names, UTC) or for a spreadsheet ({excel: true}: a BOM, `;`, headings in words, local times). */
export interface CsvStyle {
  excel: boolean;
}
export const PLAIN: CsvStyle = { excel: false };

/**
 * OWASP CSV injection: a cell a spreadsheet would read as a formula (= + - @,
 * or a leading tab or carriage return) is prefixed with a single quote, so it
 * shows as the text it is.
 */
export function neutralised(text: string): string {
  return FORMULA_START.has(text.charCodeAt(0)) ? `'${text}` : text;
}

/** = + - @ tab CR, as character codes (a cell's first character is checked for each of a million rows). */
const FORMULA_START = new Set([0x3d, 0x2b, 0x2d, 0x40, 0x09, 0x0d]);
const NEEDS_QUOTES = /[",\r\n;\t]/;

/** Text as a CSV cell: neutralised, and quoted when it holds a delimiter, a quote, a line break or edge spaces. */
export function csvText(value: string): string {
  if (value === '') return '';
  const text = neutralised(value);
  if (NEEDS_QUOTES.test(text) || text.charCodeAt(0) <= 0x20 || text.charCodeAt(text.length - 1) <= 0x20) return `"${text.replace(/"/g, '""')}"`;
  return text;
}

/** One value as CSV text: null empty, dates ISO 8601, text neutralised and quoted when it must be. */
export function csvCell(value: unknown, style: CsvStyle = PLAIN): string {
  if (typeof value === 'string') return csvText(value);
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return style.excel ? localStamp(value) : value.toISOString();
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return csvText(JSON.stringify(value));
}

/** One cell of text as the database printed it, written as csvCell writes the value it parses to. */
export function csvTextCell(value: string | null, kind: TextKind, style: CsvStyle): string {
  if (value === null) return '';
  switch (kind) {
    case 'number': return value;
    case 'boolean': return value === 't' ? 'true' : 'false';
    case 'timestamp': return style.excel ? csvCell(readTimestamp(value), style) : isoFromTimestampText(value) ?? csvCell(readTimestamp(value));
    case 'json': return csvCell(JSON.parse(value));
    default: return csvText(value);
  }
}
