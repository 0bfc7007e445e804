/**
 * The worker thread that writes an export's workbook (lib/shell/export-sheet.ts
 * starts it): exceljs's streaming WorkbookWriter, fed a page of rows at a
 * time by messages, each row committed as it is written. It runs in a worker
 * so that its young generation is bounded (resourceLimits): exceljs makes
 * objects for every cell of a million rows, and on Node.js 24 the main
 * thread's young generation alone grows past 100 MB under that.
 *
 * Messages in: {rows: unknown[][]} (cell values), or {texts, at, kinds}
 * (rows as PostgreSQL printed them, the list's keyset pages: the cells of
 * column i at `at[i]`, read here as `kinds[i]` says), each answered
 * {written: n} once the rows have gone to the compressor; {end: true}
 * (answered {done: true} once the file is complete). Any failure: {error: message}.
 */
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import type { TextKind } from '../db/door.js';
import { timestampReader } from '../db/timestamp.js';

export interface SheetColumn {
  header: string;
  key: string;
  width: number;
  numFmt?: string;
  /** Money: its exact decimal text is written as a number. */
  amount?: boolean;
}

export interface SheetJob {
  kind: 'epic-events-sheet';
  file: string;
  sheet: string;
  columns: SheetColumn[];
}

/**
 * Until the sheet's compressor has taken what was written. exceljs's writer
 * ignores backpressure: left alone, it buffers the XML of rows written faster
 * than zlib compresses them (300 MB and more for a million contracts). Its
 * sheet stream pipes into a readable-stream PassThrough (v2: the state is
 * read where that version keeps it).
 */
async function drained(sheet: unknown): Promise<void> {
  const pipes = (sheet as { stream?: { pipes?: Writable[] } }).stream?.pipes ?? [];
  for (const pipe of pipes) {
    const state = (pipe as unknown as { _writableState?: { needDrain?: boolean } })._writableState;
    if (pipe.writableNeedDrain || state?.needDrain) await once(pipe, 'drain');
  }
}

/** A time shifted so that the workbook (which has no zones) shows it as the shell's zone reads it. */
export function localDate(d: Date): Date {
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000);
}

const DECIMAL = /^-?\d+(\.\d+)?$/;

/** What a timestamp the reader does not know (BC, infinity) stays: its text. */
const readTime = timestampReader((text) => text);

/** A cell of text as the database printed it, as a workbook's value: numbers, booleans and local times typed. */
function textValue(value: string | null, kind: TextKind, amount: boolean): unknown {
  if (value === null) return null;
  if (amount && DECIMAL.test(value)) return Number(value);
  switch (kind) {
    case 'number': return Number(value);
    case 'boolean': return value === 't';
    case 'timestamp': {
      const time = readTime(value);
      return time instanceof Date ? localDate(time) : time;
    }
    default: return value;
  }
}

interface Message {
  rows?: unknown[][];
  texts?: Array<Array<string | null>>;
  at?: number[];
  kinds?: TextKind[];
  end?: true;
}

async function run(job: SheetJob): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('sheet-writer runs as a worker thread');
  const { default: ExcelJS } = await import('exceljs');
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: job.file, useStyles: true, useSharedStrings: false });
  const sheet = book.addWorksheet(job.sheet);
  sheet.columns = job.columns.map((c) => ({ header: c.header, key: c.key, width: c.width, style: c.numFmt ? { numFmt: c.numFmt } : {} }));
  // One message at a time, in order: the parent sends the next page only once this one is answered.
  let queue = Promise.resolve();
  port.on('message', (message: Message) => {
    queue = queue.then(async () => {
      if (message.rows) {
        for (const row of message.rows) sheet.addRow(row).commit();
        await drained(sheet);
        port.postMessage({ written: message.rows.length });
      } else if (message.texts) {
        const at = message.at ?? [];
        const kinds = message.kinds ?? [];
        const amounts = job.columns.map((c) => c.amount === true);
        for (const row of message.texts) sheet.addRow(at.map((j, i) => textValue(row[j], kinds[i], amounts[i]))).commit();
        await drained(sheet);
        port.postMessage({ written: message.texts.length });
      } else if (message.end) {
        sheet.commit();
        await book.commit();
        port.postMessage({ done: true });
        port.close();
      }
    }).catch((err: unknown) => {
      port.postMessage({ error: err instanceof Error ? err.message : String(err) });
      port.close();
    });
  });
}

if (parentPort && (workerData as Partial<SheetJob> | null)?.kind === 'epic-events-sheet') {
  run(workerData as SheetJob).catch((err: unknown) => parentPort?.postMessage({ error: err instanceof Error ? err.message : String(err) }));
}
