/**
 * The rest of a whole list, read as one COPY (lib/crm/page.ts CopyAfter),
 * written as CSV (lib/shell/export.ts): each row of COPY's text format (cells
 * split by tabs, `\N` for NULL, backslash escapes, a line feed at the end)
 * is turned into the CSV line csvTextCell would write for the same cells,
 * byte for byte, without a string made of each cell: numbers are copied,
 * booleans spelled, times in UTC rearranged (`2026-06-04 13:00:00.123456+00`
 * → `2026-06-04T13:00:00.123Z`), text copied, neutralised and quoted as
 * csvText does. A cell with an escape, a time in another form, JSON, and
 * times for a spreadsheet go through csvTextCell itself. Lines gather in
 * blocks of 1 MB, written one after the other; while a block waits behind
 * another, the COPY is not read (its server waits: memory stays bounded).
 */
import type { CopyEach, TextKind, TextRows } from '../db/index.js';
import { csvTextCell, type CsvStyle } from './csv-cells.js';

const BLOCK = 1 << 20;
const TAB = 0x09;
const LF = 0x0a;
const QUOTE = 0x22;
const APOSTROPHE = 0x27;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const BACKSLASH = 0x5c;
const ESCAPED: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** A cell of COPY's text format as the text it stands for. */
function unescaped(chunk: Buffer, start: number, end: number): string {
  return chunk.toString('utf8', start, end).replace(/\\(.)/gs, (_, c: string) => ESCAPED[c] ?? c);
}

/** Whether the cell is a timestamptz at +00 that isoFromTimestampText reads (lib/db/timestamp.ts), checked on its bytes. */
function utcStamp(b: Buffer, s: number, e: number): boolean {
  const n = e - s;
  return n >= 22 && b[e - 3] === 0x2b && b[e - 2] === 0x30 && b[e - 1] === 0x30
    && b[s + 4] === 0x2d && b[s + 7] === 0x2d && b[s + 10] === 0x20 && b[s + 13] === 0x3a && b[s + 16] === 0x3a
    && b[s] !== 0x30 && (n === 22 || b[s + 19] === 0x2e);
}

export interface CopiedCsv {
  /** Takes a row of the COPY (given to Executor.copyOut); a promise when the reading must wait. */
  each: CopyEach;
  /** Writes what is left and waits for every write. */
  end(): Promise<void>;
}

/**
 * CSV lines from a COPY's rows: `columns` as the COPY gives them, `header`
 * the CSV's columns in order (the first page's fields), `write` given each
 * block of bytes once the previous one is written.
 */
export function copiedCsv(columns: TextRows['columns'], header: readonly string[], style: CsvStyle, write: (bytes: Buffer) => Promise<void>): CopiedCsv {
  const at = header.map((name) => columns.findIndex((c) => c.name === name));
  if (at.some((i) => i < 0)) throw new Error(`export: the list's columns changed between pages (${header.join(', ')})`);
  const kinds: TextKind[] = columns.map((c) => c.kind);
  const width = columns.length;
  const starts = new Int32Array(width);
  const ends = new Int32Array(width);
  const escapes = new Uint8Array(width);
  const sep = style.excel ? SEMICOLON : COMMA;
  let out = Buffer.allocUnsafe(BLOCK);
  let pos = 0;
  let pending: Promise<void> = Promise.resolve();
  let waiting = 0;
  let failure: { err: unknown } | undefined;
  let hold: Promise<void> | undefined;
  let rowRoom = 0;

  /** The block so far goes to be written; a new one of at least `room` bytes takes its place. */
  const flush = (room: number) => {
    if (pos > 0) {
      const bytes = out.subarray(0, pos);
      waiting++;
      pending = pending.then(() => write(bytes)).then(() => void waiting--);
      pending.catch((err: unknown) => void (failure ??= { err }));
      // A block waiting behind another: the COPY is held until both are written.
      if (waiting > 1) hold = pending;
    }
    out = Buffer.allocUnsafe(Math.max(BLOCK, room));
    pos = 0;
  };
  const text = (value: string) => {
    const length = Buffer.byteLength(value);
    if (pos + length > out.length) flush(length + rowRoom);
    pos += out.write(value, pos);
  };
  const ascii = (value: string) => {
    for (let i = 0; i < value.length; i++) out[pos++] = value.charCodeAt(i);
  };

  const each = (chunk: Buffer): void | Promise<void> => {
    if (failure) throw failure.err;
    hold = undefined;
    let field = 0;
    let start = 0;
    let escaped = 0;
    const n = chunk.length;
    for (let i = 0; i < n; i++) {
      const b = chunk[i];
      if (b === TAB || b === LF) {
        if (field === width) throw new Error(`export: a COPY row of more than ${width} cells`);
        starts[field] = start;
        ends[field] = i;
        escapes[field++] = escaped;
        start = i + 1;
        escaped = 0;
      } else if (b === BACKSLASH) {
        escaped = 1;
      }
    }
    if (field !== width || chunk[n - 1] !== LF) throw new Error(`export: a COPY row of ${field} cells, not ${width}`);
    // Room for the line: a cell at most doubles (quotes) with 3 bytes more, a boolean is 5, a time 24.
    rowRoom = 2 * n + 32 * width;
    if (pos + rowRoom > out.length) flush(rowRoom);
    for (let j = 0; j < at.length; j++) {
      if (j) out[pos++] = sep;
      const k = at[j];
      const s = starts[k];
      const e = ends[k];
      if (e - s === 2 && chunk[s] === BACKSLASH && chunk[s + 1] === 0x4e) continue; // \N: NULL, an empty cell
      const kind = kinds[k];
      if (escapes[k]) {
        text(csvTextCell(unescaped(chunk, s, e), kind, style));
      } else if (kind === 'number') {
        for (let i = s; i < e; i++) out[pos++] = chunk[i];
      } else if (kind === 'boolean') {
        ascii(chunk[s] === 0x74 ? 'true' : 'false');
      } else if (kind === 'timestamp' && !style.excel && utcStamp(chunk, s, e)) {
        for (let i = s; i < s + 10; i++) out[pos++] = chunk[i];
        out[pos++] = 0x54; // T
        for (let i = s + 11; i < s + 19; i++) out[pos++] = chunk[i];
        out[pos++] = 0x2e; // .
        const to = Math.min(e - 3, s + 23);
        let digits = 0;
        for (let i = s + 20; i < to; i++, digits++) out[pos++] = chunk[i];
        for (; digits < 3; digits++) out[pos++] = 0x30;
        out[pos++] = 0x5a; // Z
      } else if (kind === 'text') {
        if (s === e) continue;
        const first = chunk[s];
        // = + - @ (a tab or a carriage return comes escaped, above)
        const formula = first === 0x3d || first === 0x2b || first === 0x2d || first === 0x40;
        let quoted = (!formula && first <= 0x20) || chunk[e - 1] <= 0x20;
        for (let i = s; !quoted && i < e; i++) {
          const b = chunk[i];
          quoted = b === QUOTE || b === COMMA || b === SEMICOLON;
        }
        if (quoted) out[pos++] = QUOTE;
        if (formula) out[pos++] = APOSTROPHE;
        for (let i = s; i < e; i++) {
          const b = chunk[i];
          out[pos++] = b;
          if (b === QUOTE) out[pos++] = QUOTE;
        }
        if (quoted) out[pos++] = QUOTE;
      } else {
        text(csvTextCell(chunk.toString('utf8', s, e), kind, style));
      }
    }
    out[pos++] = 0x0d;
    out[pos++] = LF;
    return hold;
  };

  return {
    each,
    end: async () => {
      flush(0);
      await pending;
      if (failure) throw failure.err;
    },
  };
}
