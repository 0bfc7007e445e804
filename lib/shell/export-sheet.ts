/**
 * export() for a spreadsheet (lib/shell/export.ts): headings in words, local
 * times, and the .xlsx workbook, streamed with exceljs's WorkbookWriter
 * (in a worker thread, lib/shell/sheet-writer.ts, only when a workbook is written): amounts as numbers with two
 * decimals, times as dates in the shell's zone, text as text (a text cell is
 * never run as a formula, so no guard is added).
 */
import { Worker } from 'node:worker_threads';
import { isPage, type Page } from '../crm/page.js';
import { localDate, type SheetColumn, type SheetJob } from './sheet-writer.js';
import { capYoungGeneration } from './statements.js';

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
  if (value instanceof Date) return localDate(value);
  if (typeof value === 'string') return amount && DECIMAL.test(value) ? Number(value) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return Number(value);
  return JSON.stringify(value);
}

/**
 * The heap of the worker writing a workbook (lib/shell/sheet-writer.ts), in
 * MB: what bounds its memory. What it holds at once is one message of rows
 * (ROWS_A_MESSAGE, a few hundred kB) and exceljs's state; left to itself, V8
 * lets both generations grow by a hundred MB and more under a million rows.
 */
const WRITER_HEAP = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 64 };
/** Rows sent to the worker at once: small enough to die young there. */
const ROWS_A_MESSAGE = 1000;

type Reply = { written?: number; done?: true; error?: string };

/**
 * Every row of the list from `page` on into a workbook at `file` (one sheet
 * named after the list), a page in memory at a time: a worker thread
 * (lib/shell/sheet-writer.ts) writes each page while the next one is read,
 * and is sent the next only once it has written the last. Returns how many
 * rows were written.
 */
export async function writeWorkbook(page: Page<unknown>, file: string, pageSize: number): Promise<number> {
  const first = page[0] as Row | undefined;
  const fields = first ? Object.keys(first) : [];
  const amounts = fields.map((f) => AMOUNT_FIELD.test(f) && typeof first?.[f] === 'string' && DECIMAL.test(first[f] as string));
  const columns: SheetColumn[] = fields.map((f, i) => ({
    header: headingOf(f), key: f, width: Math.max(12, headingOf(f).length + 2),
    ...(amounts[i] ? { numFmt: '#,##0.00', amount: true } : first?.[f] instanceof Date ? { numFmt: 'yyyy-mm-dd hh:mm:ss' } : {}),
  }));
  const job: SheetJob = { kind: 'epic-events-sheet', file, sheet: String(page.object || 'list'), columns };
  const worker = new Worker(new URL('./sheet-writer.js', import.meta.url), { workerData: job, resourceLimits: WRITER_HEAP });
  // Each request's answer, in order; a worker that fails or exits early fails the one waiting.
  let waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void } | undefined;
  const fail = (err: Error) => waiting?.reject(err);
  worker.on('message', (reply: Reply) => (reply.error ? fail(new Error(`writing ${file}: ${reply.error}`)) : waiting?.resolve(reply)));
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`writing ${file}: the workbook writer stopped (exit ${code})`)));
  const ask = (message: unknown) => new Promise<Reply>((resolve, reject) => {
    waiting = { resolve, reject };
    worker.postMessage(message);
  });
  try {
    let current = page;
    let count = 0;
    if (current.textsAfter && first) {
      // A list that pages by keyset is read on as text: no object, no Date in this thread for each of a million rows.
      const rows = (current as unknown as Row[]).map((row) => fields.map((f, i) => sheetValue(row[f], amounts[i])));
      // The rest is read (its first fetch under way) while this page is sent.
      const sent = (async () => {
        for (let k = 0; k < rows.length; k += ROWS_A_MESSAGE) await ask({ rows: rows.slice(k, k + ROWS_A_MESSAGE) });
      })();
      sent.catch(() => undefined); // awaited by the first page, or below
      count += await current.textsAfter(pageSize, async (text) => {
        capYoungGeneration(); // as a long batch does (issue 28): Node.js 24 would let it grow to 128 MB
        await sent;
        const at = fields.map((name) => text.columns.findIndex((c) => c.name === name));
        if (at.some((i) => i < 0)) throw new Error(`export: the list's columns changed between pages (${fields.join(', ')})`);
        const kinds = at.map((i) => text.columns[i].kind);
        for (let k = 0; k < text.rows.length; k += ROWS_A_MESSAGE) await ask({ texts: text.rows.slice(k, k + ROWS_A_MESSAGE), at, kinds });
      });
      await sent;
      count += rows.length;
      await ask({ end: true });
      return count;
    }
    for (;;) {
      capYoungGeneration();
      const following = current.hasMore ? current.next(pageSize) : undefined;
      following?.catch(() => undefined); // awaited below; a write failing first must not leave it unhandled
      const rows = (current as unknown as Row[]).map((row) => fields.map((f, i) => sheetValue(row[f], amounts[i])));
      for (let k = 0; k < rows.length; k += ROWS_A_MESSAGE) await ask({ rows: rows.slice(k, k + ROWS_A_MESSAGE) });
      count += rows.length;
      if (!following) break;
      current = await following;
      if (!isPage(current)) break;
    }
    await ask({ end: true });
    return count;
  } finally {
    waiting = undefined;
    await worker.terminate();
  }
}
