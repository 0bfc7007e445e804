/**
 * Reading a clients CSV file (clients.import, lib/crm/import.ts): is it
 * UTF-8 (else its likely encoding is named), its delimiter, its records
 * with the line each starts on, and the words for a line it got wrong (the
 * header: lib/crm/import-header.ts).
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { Info } from 'csv-parse';
import { ValidationError } from '../domain/errors.js';

export { headerKey, IMPORT_FIELDS, type ImportField } from './import-header.js';

/** A record longer than this is refused (a missing closing quote swallows the file). */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** A line the file got wrong: `file.csv:12: email: must be …`. */
export function lineProblem(file: string, line: number, field: string | undefined, problem: string): string {
  return `${file}:${line}: ${field ? `${field}: ` : ''}${problem}`;
}

/**
 * Where a byte sequence stops being UTF-8 (Unicode table 3-7: no overlong
 * forms, no surrogates, nothing above U+10FFFF), fed chunk by chunk.
 */
export class Utf8Scanner {
  /** Continuation bytes still expected, and the allowed range of the next one. */
  private need = 0;
  private lo = 0x80;
  private hi = 0xbf;
  /** The first byte of the character being read (what a refusal names). */
  lead = 0;

  /** The index of the first byte of `chunk` that cannot be UTF-8 here, or -1. */
  scan(chunk: Uint8Array): number {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (this.need > 0) {
        if (b < this.lo || b > this.hi) return i;
        this.need--;
        this.lo = 0x80;
        this.hi = 0xbf;
        continue;
      }
      if (b < 0x80) continue;
      this.lead = b;
      if (b >= 0xc2 && b <= 0xdf) this.need = 1;
      else if (b >= 0xe0 && b <= 0xef) {
        this.need = 2;
        if (b === 0xe0) this.lo = 0xa0;
        if (b === 0xed) this.hi = 0x9f;
      } else if (b >= 0xf0 && b <= 0xf4) {
        this.need = 3;
        if (b === 0xf0) this.lo = 0x90;
        if (b === 0xf4) this.hi = 0x8f;
      } else return i;
    }
    return -1;
  }

  /** Whether the input ended inside a character. */
  get incomplete(): boolean {
    return this.need > 0;
  }
}

/** A file that is not UTF-8, its likely encoding named. */
export function notUtf8(file: string, line: number, byte: number | undefined, encoding: string): ValidationError {
  const at = byte === undefined ? '' : ` (line ${line}, byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')})`;
  return new ValidationError([{ field: '', problem: `${file} is not UTF-8${at}: it looks like ${encoding}; save it as "CSV UTF-8" and import it again (nothing was imported)` }]);
}

const newlines = (chunk: Uint8Array, end = chunk.length): number => {
  let n = 0;
  for (let i = 0; i < end; i++) if (chunk[i] === 0x0a) n++;
  return n;
};

/** Passes the file's bytes through, refusing them where they stop being UTF-8. */
export async function* utf8Only(source: AsyncIterable<Buffer>, file: string): AsyncGenerator<Buffer> {
  const scanner = new Utf8Scanner();
  let line = 1;
  for await (const chunk of source) {
    const bad = scanner.scan(chunk);
    if (bad >= 0) {
      const byte = scanner.lead;
      // C1 bytes (0x80–0x9F) are letters in Windows-1252 and controls in ISO-8859-1.
      const encoding = chunk.some((b) => b >= 0x80 && b <= 0x9f) ? 'Windows-1252 (a Latin-1 variant)' : 'Latin-1 (ISO-8859-1)';
      throw notUtf8(file, line + newlines(chunk, bad), byte, encoding);
    }
    line += newlines(chunk);
    yield chunk;
  }
  if (scanner.incomplete) throw notUtf8(file, line, undefined, 'a truncated UTF-8 file');
}

export interface FileStart {
  delimiter: string;
}

/**
 * What the first bytes say before the file is parsed: empty, UTF-16 (a
 * spreadsheet's "Unicode text"), and the delimiter of the header line.
 */
export async function fileStart(path: string, file: string): Promise<FileStart> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ValidationError([{ field: 'file', problem: `${path} does not exist` }]);
    if (code === 'EISDIR') throw new ValidationError([{ field: 'file', problem: `${path} is a folder, not a CSV file` }]);
    throw err;
  }
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    const head = buf.subarray(0, bytesRead);
    if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) throw notUtf8(file, 1, undefined, 'UTF-16 (a BOM says so)');
    const textStart = head.toString('utf8').replace(/^\uFEFF/, '');
    if (textStart.trim() === '') throw new ValidationError([{ field: '', problem: `${file} is empty: a header line is expected (Full name, Email, Phone, Company)` }]);
    const firstLine = textStart.replace(/^[\r\n]+/, '').split(/\r\n|\n|\r/, 1)[0];
    // Outside quotes only: "Smith, John" says nothing about the delimiter.
    const bare = firstLine.replace(/"[^"]*"/g, '');
    const counts = [',', ';', '\t'].map((d) => [d, bare.split(d).length - 1] as const);
    const [delimiter, count] = counts.reduce((a, b) => (b[1] > a[1] ? b : a));
    return { delimiter: count > 0 ? delimiter : ',' };
  } finally {
    await handle.close();
  }
}

/** Why csv-parse stopped, for the line where the record began. */
export function parseProblem(code: string): string {
  switch (code) {
    case 'CSV_MAX_RECORD_SIZE': return `the line is longer than ${MAX_RECORD_BYTES / 1024 / 1024} MB (a quote never closed?); the file was not read further`;
    case 'CSV_QUOTE_NOT_CLOSED': return 'a quoted field starts here and is never closed (unbalanced quotes); the file was not read further';
    case 'CSV_INVALID_CLOSING_QUOTE': return 'a quote closes a field but more text follows it (write "" for a quote inside a quoted field); the file was not read further';
    case 'INVALID_OPENING_QUOTE': case 'CSV_INVALID_OPENING_QUOTE': return 'a quote in the middle of an unquoted field (quote the whole field, and write "" for the quote); the file was not read further';
    default: return `not readable as CSV (${code}); the file was not read further`;
  }
}

/** A record of an import file and the line it starts on, or why the file cannot be read further from that line. */
export type SourceItem = { line: number; record: string[] } | { line: number; unreadable: string };

/** The records of a CSV file, streamed (never held whole), each with the line it starts on. */
export async function* csvRecords(path: string, file: string, delimiter: string): AsyncGenerator<SourceItem> {
  let lastLine = 0;
  let lastEmpty = 0;
  // The line the parser's last record ended on: records it has read may not have reached the loop yet when it fails.
  let parsedUpTo = 0;
  // Loaded when an import runs: not on every call's start-up path.
  const { parse } = await import('csv-parse');
  const parser = parse({
    bom: true, delimiter, record_delimiter: ['\r\n', '\n', '\r'], relax_column_count: true,
    skip_empty_lines: true, info: true, max_record_size: MAX_RECORD_BYTES,
    on_record: (record: string[], info: Info) => {
      parsedUpTo = info.lines;
      return record;
    },
  });
  const input = Readable.from(utf8Only(fs.createReadStream(path, { highWaterMark: 256 * 1024 }), file), { objectMode: false });
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
      // The line the record starts on: after the last one and any empty lines between.
      const line = lastLine + 1 + (info.empty_lines - lastEmpty);
      lastLine = info.lines;
      lastEmpty = info.empty_lines;
      yield { line, record };
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (typeof code !== 'string' || !code.startsWith('CSV_') && code !== 'INVALID_OPENING_QUOTE') throw err;
    // A quote in the middle of a field is found on its line; the others are where the record began.
    yield { line: /OPENING_QUOTE$/.test(code) ? (err as { lines: number }).lines : parsedUpTo + 1, unreadable: parseProblem(code) };
  } finally {
    input.destroy();
    parser.destroy();
  }
}
