/**
 * clients.import(file, {dryRun?, onDuplicate?, map?}): clients from a CSV
 * file, all or nothing. The file is streamed (csv-parse; UTF-8 with or
 * without BOM, `,` `;` or tab found from the header line, quoted fields with
 * line breaks, any mix of line endings), never held whole: a batch of rows at
 * a time is checked against the database and written, in the one
 * transaction of the call, under the caller's session (INSERT … SELECT FROM
 * unnest, sql/clients.sql: COPY is refused on tables with row-level security,
 * and the department matrix applies to every row as to clients.create).
 * Every bad line is named (`file.csv:12: email: …`, up to 100, then a count)
 * and then nothing is written. Headers are read case-, accent- and
 * space-insensitively; a column not known is refused by name unless `map`
 * says where it goes. Each client is in its history as "imported from FILE".
 */
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { parse, type Info } from 'csv-parse';
import { ValidationError } from '../errors.js';
import { bind, queries } from '../db/sql.js';
import type { Executor } from '../db/index.js';
import { resolveUserPath } from '../user-paths.js';
import { inSession, type ApiDeps } from './deps.js';
import { may, method, readArgs, value, fields, type FieldsArg, type MethodDescription } from './describe.js';
import { email as emailCheck, flag, isPlainObject, text, validated, Problems } from './validate.js';

const q = queries('clients', ['markImport', 'clientsByEmail', 'collaboratorsByEmail', 'importClients', 'updateImportedClients'] as const);

export type DuplicatePolicy = 'fail' | 'skip' | 'update';

/** The fields a column can fill: a client's, and for management the sales contact (by email). */
export const IMPORT_FIELDS = ['fullName', 'email', 'phone', 'companyName', 'salesContact'] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

export interface ImportOptions {
  dryRun?: boolean;
  onDuplicate?: DuplicatePolicy;
  /** Header as in the file → the field it fills, or null to leave the column out. */
  map?: Record<string, ImportField | null>;
}

/** What an import did (with dryRun: what it would do). */
export interface ImportReport {
  file: string;
  created: number;
  updated: number;
  skipped: number;
  dryRun: boolean;
}

/** A header as compared: no accents, no case, letters and digits only (`Téléphone` → `telephone`, `E-mail` → `email`). */
export function headerKey(header: string): string {
  return header.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/** The headers known without a map, English and French, as headerKey reads them. */
const HEADERS: Record<string, ImportField> = {
  fullname: 'fullName', name: 'fullName', nomcomplet: 'fullName', nom: 'fullName', clientname: 'fullName', client: 'fullName',
  email: 'email', mail: 'email', emailaddress: 'email', courriel: 'email', adresseemail: 'email', adressemail: 'email',
  phone: 'phone', phonenumber: 'phone', telephone: 'phone', tel: 'phone', mobile: 'phone',
  company: 'companyName', companyname: 'companyName', societe: 'companyName', entreprise: 'companyName',
  salescontact: 'salesContact', salescontactemail: 'salesContact', commercial: 'salesContact',
};

/** Rows checked against the database and written together. */
export const IMPORT_BATCH = 1000;
/** Bad lines named in the error; the rest are counted. */
export const MAX_REPORTED_LINES = 100;
/** A record longer than this is refused (a missing closing quote swallows the file). */
export const MAX_RECORD_BYTES = 1024 * 1024;

function duplicatePolicy(v: unknown, field: string, p: Problems): DuplicatePolicy | undefined {
  if (v === 'fail' || v === 'skip' || v === 'update') return v;
  p.add(field, "must be 'fail', 'skip' or 'update'");
  return undefined;
}

function columnMap(v: unknown, field: string, p: Problems): Record<string, ImportField | null> | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !isPlainObject(v)) {
    p.add(field, "must be an object such as {'Mobile': 'phone', 'Notes': null}");
    return undefined;
  }
  const out: Record<string, ImportField | null> = {};
  for (const [header, target] of Object.entries(v)) {
    if (target === null || (IMPORT_FIELDS as readonly unknown[]).includes(target)) out[headerKey(header)] = target as ImportField | null;
    else p.add(`${field}.${header}`, `must be one of ${IMPORT_FIELDS.join(', ')}, or null to leave the column out`);
  }
  return out;
}

function fileName(v: unknown, field: string, p: Problems): string | undefined {
  const name = text(v, field, p, { max: 4096, singleLine: true });
  if (name === '') p.add(field, "must be a file name such as 'clients.csv'");
  return name || undefined;
}

/** clients.import, as help, completion and the guard read it. */
export const IMPORT = method({
  departments: ['sales', 'management'], writes: true,
  args: [value('file', fileName), fields('options', { dryRun: may(flag), onDuplicate: may(duplicatePolicy), map: may(columnMap) }, { optional: true })],
  description: 'clients from a CSV file, all or nothing, every bad line named (sales: yours; management: a salesContact column by email)',
  example: "clients.import('clients.csv', {dryRun: true, onDuplicate: 'skip'})",
});

/** A line the file got wrong: `file.csv:12: email: must be …`. */
function lineProblem(file: string, line: number, field: string | undefined, problem: string): string {
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
function notUtf8(file: string, line: number, byte: number | undefined, encoding: string): ValidationError {
  const at = byte === undefined ? '' : ` (line ${line}, byte 0x${byte.toString(16).toUpperCase().padStart(2, '0')})`;
  return new ValidationError([{ field: '', problem: `${file} is not UTF-8${at}: it looks like ${encoding}; save it as "CSV UTF-8" and import it again (nothing was imported)` }]);
}

const newlines = (chunk: Uint8Array, end = chunk.length): number => {
  let n = 0;
  for (let i = 0; i < end; i++) if (chunk[i] === 0x0a) n++;
  return n;
};

/** Passes the file's bytes through, refusing them where they stop being UTF-8. */
async function* utf8Only(source: AsyncIterable<Buffer>, file: string): AsyncGenerator<Buffer> {
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

interface FileStart {
  delimiter: string;
}

/**
 * What the first bytes say before the file is parsed: empty, UTF-16 (a
 * spreadsheet's "Unicode text"), and the delimiter of the header line.
 */
async function fileStart(path: string, file: string): Promise<FileStart> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(path, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ValidationError([{ field: 'file', problem: `${file} does not exist` }]);
    if (code === 'EISDIR') throw new ValidationError([{ field: 'file', problem: `${file} is a folder, not a CSV file` }]);
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

/** Which field each column fills (null: left out), or every problem of the header at once. */
function readHeader(header: string[], file: string, map: Record<string, ImportField | null>, mayName: (f: ImportField) => string | undefined): Array<ImportField | null> {
  const problems: string[] = [];
  const columns = header.map((h, i) => {
    const key = headerKey(h);
    if (Object.prototype.hasOwnProperty.call(map, key)) return map[key];
    const field = Object.prototype.hasOwnProperty.call(HEADERS, key) ? HEADERS[key] : undefined;
    if (!field) problems.push(h.trim() === '' ? `column ${i + 1} has no name` : `column "${h}" is not known`);
    return field ?? null;
  });
  const unknown = problems.length > 0;
  const seen = new Map<ImportField, string>();
  columns.forEach((field, i) => {
    if (!field) return;
    const refusal = mayName(field);
    if (refusal) problems.push(`column "${header[i]}": ${refusal}`);
    const first = seen.get(field);
    if (first !== undefined) problems.push(`columns "${first}" and "${header[i]}" both give ${field}`);
    else seen.set(field, header[i]);
  });
  for (const needed of ['fullName', 'email'] as const) if (!seen.has(needed)) problems.push(`no column gives ${needed} (a header such as ${needed === 'fullName' ? '"Full name" or "Nom complet"' : '"Email" or "E-mail"'})`);
  if (problems.length) {
    const hint = unknown ? `; known headers: Full name, Email, Phone, Company${mayName('salesContact') ? '' : ', Sales contact'} (any case or accents, English or French); {map: {'Header': 'phone'}} says where another goes, {map: {'Header': null}} leaves it out` : '';
    throw new ValidationError(problems.map((p, i) => ({ field: '', problem: `${file}:1: ${p}${i === problems.length - 1 ? hint : ''}` })));
  }
  return columns;
}

interface Candidate {
  line: number;
  fullName: string;
  email: string;
  phone: string | null;
  companyName: string | null;
  /** Management: the sales contact's email (lower case), null for none. */
  salesContact: string | null;
}

interface ClientRef {
  email: string;
  id: number;
  salesContactId: number | null;
  salesContactEmail: string | null;
}

/** The import of one file, inside the call's transaction. */
class ImportRun {
  readonly bad: string[] = [];
  /** Bad lines, and problems found on them (a line may have several). */
  badCount = 0;
  problems = 0;
  private lastBadLine = 0;
  created = 0;
  updated = 0;
  skipped = 0;
  rows = 0;
  /** Each email of the file (lower case) and the line that first gave it. */
  private readonly seen = new Map<string, number>();
  private batch: Candidate[] = [];
  /** Sales contacts named so far (management): email → id, or the reason it cannot be one. */
  private readonly contacts = new Map<string, number | string>();
  /**
   * The last batch's writes, in flight while the next batch is parsed and
   * checked (awaited before the next batch touches the database, and at the end).
   */
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly tx: Executor,
    private readonly file: string,
    private readonly actor: { id: number; department: string },
    private readonly policy: DuplicatePolicy,
    private readonly dryRun: boolean,
  ) {}

  problem(line: number, field: string | undefined, problem: string): void {
    if (line !== this.lastBadLine) this.badCount++;
    this.lastBadLine = line;
    this.problems++;
    if (this.bad.length < MAX_REPORTED_LINES) this.bad.push(lineProblem(this.file, line, field, problem));
  }

  /** A valid row: the same email earlier in the file, else on to the next batch. */
  async add(row: Candidate): Promise<void> {
    const key = row.email.toLowerCase();
    const first = this.seen.get(key);
    if (first !== undefined) {
      if (this.policy === 'skip') this.skipped++;
      else this.problem(row.line, 'email', `${row.email} is already on line ${first}${this.policy === 'update' ? ' (which line should win?)' : ''}`);
      return;
    }
    this.seen.set(key, row.line);
    this.batch.push(row);
    if (this.batch.length >= IMPORT_BATCH) await this.flush();
  }

  /** Check a batch against the database and, while no line is bad, write it. */
  async flush(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    await this.writing;
    if (!batch.length) return;
    const existing = new Map((await this.tx.many<ClientRef>(q.clientsByEmail, bind(q.clientsByEmail, { emails: batch.map((r) => r.email.toLowerCase()) }))).map((c) => [c.email, c]));
    await this.lookUpContacts(batch);
    const inserts: Array<Candidate & { salesContactId: number | null }> = [];
    const updates: Candidate[] = [];
    for (const row of batch) {
      let contactId: number | null = this.actor.department === 'sales' ? this.actor.id : null;
      if (row.salesContact !== null) {
        const contact = this.contacts.get(row.salesContact);
        if (typeof contact === 'string') {
          this.problem(row.line, 'salesContact', contact);
          continue;
        }
        contactId = contact ?? null;
      }
      const client = existing.get(row.email.toLowerCase());
      if (!client) {
        inserts.push({ ...row, salesContactId: contactId });
      } else if (this.policy === 'skip') {
        this.skipped++;
      } else if (this.policy === 'update' && client.salesContactId === this.actor.id) {
        updates.push(row);
      } else if (this.policy === 'update') {
        const whose = client.salesContactEmail ? `belongs to ${client.salesContactEmail}` : 'has no sales contact';
        this.problem(row.line, 'email', `client ${client.id} (${row.email}) ${whose}: onDuplicate 'update' changes only your own clients`);
      } else {
        this.problem(row.line, 'email', `client ${client.id} already has ${row.email} (onDuplicate: 'skip' leaves it, 'update' updates your own)`);
      }
    }
    if (this.badCount > 0) return; // all or nothing: once a line is bad, only checking goes on
    this.created += inserts.length;
    this.updated += updates.length;
    if (this.dryRun) return;
    this.writing = this.write(inserts, updates);
    this.writing.catch(() => undefined); // awaited by the next flush or settle(); not a stray rejection meanwhile
  }

  /** Every batch written (the last one's writes awaited). */
  async settle(): Promise<void> {
    await this.flush();
    await this.writing;
  }

  private async write(inserts: Array<Candidate & { salesContactId: number | null }>, updates: Candidate[]): Promise<void> {
    if (inserts.length) {
      await this.tx.exec(q.importClients, bind(q.importClients, {
        fullNames: inserts.map((r) => r.fullName),
        emails: inserts.map((r) => r.email),
        phones: inserts.map((r) => r.phone),
        companyNames: inserts.map((r) => r.companyName),
        salesContactIds: inserts.map((r) => r.salesContactId),
      }));
    }
    if (updates.length) {
      await this.tx.exec(q.updateImportedClients, bind(q.updateImportedClients, {
        emails: updates.map((r) => r.email),
        fullNames: updates.map((r) => r.fullName),
        phones: updates.map((r) => r.phone),
        companyNames: updates.map((r) => r.companyName),
      }));
    }
  }

  /** The sales contacts a management import names, looked up once each. */
  private async lookUpContacts(batch: Candidate[]): Promise<void> {
    const wanted = [...new Set(batch.map((r) => r.salesContact).filter((e): e is string => e !== null && !this.contacts.has(e)))];
    if (!wanted.length) return;
    const found = await this.tx.many<{ email: string; id: number; department: string }>(q.collaboratorsByEmail, bind(q.collaboratorsByEmail, { emails: wanted }));
    const byEmail = new Map(found.map((u) => [u.email, u]));
    for (const email of wanted) {
      const user = byEmail.get(email);
      this.contacts.set(email, !user ? `no collaborator has the email ${email}` : user.department !== 'sales' ? `${email} is in ${user.department}, not sales` : user.id);
    }
  }
}

type CreateDescription = MethodDescription<readonly [FieldsArg]>;

/** A terminal's progress line on stderr (nothing when stderr is not a terminal). */
function progressLine(file: string): (rows: number | undefined) => void {
  if (!process.stderr.isTTY) return () => undefined;
  return (rows) => void process.stderr.write(rows === undefined ? '\r\x1b[K' : `\r${file}: ${rows} rows checked`);
}

/** clients.import for `deps`; rows are checked with clients.create's own description (`create`). */
export function importClients(deps: ApiDeps, create: CreateDescription) {
  return async function importFile(file: string, options?: ImportOptions): Promise<ImportReport> {
    const actor = deps.actor();
    const [name, o] = validated((p) => readArgs(IMPORT, [file, options], p));
    const policy = o.onDuplicate ?? 'fail';
    const dryRun = o.dryRun ?? false;
    const map = o.map ?? {};
    const path = resolveUserPath(name);
    const { delimiter } = await fileStart(path, name);
    const mayName = (field: ImportField) => (field === 'salesContact' && actor.department !== 'management'
      ? 'you become the sales contact of the clients you import (leave the column out, or {map: {…: null}})'
      : undefined);
    const progress = progressLine(name);
    try {
      return await inSession(deps, async (tx) => {
        await tx.exec(q.markImport, bind(q.markImport, { note: `imported from ${name}` }));
        const run = new ImportRun(tx, name, actor, policy, dryRun);
        let columns: Array<ImportField | null> | undefined;
        let lastLine = 0;
        let lastEmpty = 0;
        // The line the parser's last record ended on: records it has read may not have reached the loop yet when it fails.
        let parsedUpTo = 0;
        const parser = parse({
          bom: true, delimiter, record_delimiter: ['\r\n', '\n', '\r'], relax_column_count: true,
          skip_empty_lines: true, info: true, max_record_size: MAX_RECORD_BYTES,
          on_record: (record: string[], info: Info) => {
            parsedUpTo = info.lines;
            return record;
          },
        });
        let unreadable = false;
        try {
          await pipeline(fs.createReadStream(path, { highWaterMark: 256 * 1024 }), (source: AsyncIterable<Buffer>) => utf8Only(source, name), parser, async (records: AsyncIterable<{ record: string[]; info: Info }>) => {
            for await (const { record, info } of records) {
              // The line the record starts on: after the last one and any empty lines between.
              const line = lastLine + 1 + (info.empty_lines - lastEmpty);
              lastLine = info.lines;
              lastEmpty = info.empty_lines;
              if (!columns) {
                columns = readHeader(record, name, map, mayName);
                continue;
              }
              run.rows++;
              if (run.rows % 1000 === 0) progress(run.rows);
              if (record.length !== columns.length) {
                run.problem(line, undefined, `has ${record.length} ${record.length === 1 ? 'field' : 'fields'}, the header ${columns.length}`);
                continue;
              }
              await checkRow(run, create, columns, record, line, actor.department);
            }
          });
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (typeof code !== 'string' || !code.startsWith('CSV_') && code !== 'INVALID_OPENING_QUOTE') throw err;
          // A quote in the middle of a field is found on its line; the others are where the record began.
          const at = /OPENING_QUOTE$/.test(code) ? (err as { lines: number }).lines : parsedUpTo + 1;
          run.problem(at, undefined, parseProblem(code));
          unreadable = true;
        }
        if (!columns && !unreadable) throw new ValidationError([{ field: '', problem: `${name} is empty: a header line is expected (Full name, Email, Phone, Company)` }]);
        await run.settle();
        if (run.badCount > 0) throw refusal(name, run);
        return { file: name, created: run.created, updated: run.updated, skipped: run.skipped, dryRun };
      }, { readOnly: dryRun });
    } finally {
      progress(undefined);
    }
  };
}

/** Why csv-parse stopped, for the line where the record began. */
function parseProblem(code: string): string {
  switch (code) {
    case 'CSV_MAX_RECORD_SIZE': return `the line is longer than ${MAX_RECORD_BYTES / 1024 / 1024} MB (a quote never closed?); the file was not read further`;
    case 'CSV_QUOTE_NOT_CLOSED': return 'a quoted field starts here and is never closed (unbalanced quotes); the file was not read further';
    case 'CSV_INVALID_CLOSING_QUOTE': return 'a quote closes a field but more text follows it (write "" for a quote inside a quoted field); the file was not read further';
    case 'INVALID_OPENING_QUOTE': case 'CSV_INVALID_OPENING_QUOTE': return 'a quote in the middle of an unquoted field (quote the whole field, and write "" for the quote); the file was not read further';
    default: return `not readable as CSV (${code}); the file was not read further`;
  }
}

/** One data row checked with clients.create's validators (and the sales contact's email for management). */
async function checkRow(run: ImportRun, create: CreateDescription, columns: Array<ImportField | null>, record: string[], line: number, department: string): Promise<void> {
  const given: Record<string, string> = {};
  let contact = '';
  columns.forEach((field, i) => {
    if (field === 'salesContact') contact = record[i];
    else if (field) given[field] = record[i];
  });
  const p = new Problems();
  const [client] = readArgs(create, [given], p);
  const salesContact = department === 'management' && contact.trim() !== '' ? emailCheck(contact, 'salesContact', p) : null;
  if (p.any) {
    for (const { field, problem } of p.list) run.problem(line, field, problem);
    return;
  }
  const c = client as { fullName: string; email: string; phone?: string | null; companyName?: string | null };
  await run.add({ line, fullName: c.fullName, email: c.email, phone: c.phone ?? null, companyName: c.companyName ?? null, salesContact: salesContact ? salesContact.toLowerCase() : null });
}

/** The one error of a refused file: its bad lines (up to 100, then a count) and that nothing was imported. */
function refusal(file: string, run: ImportRun): ValidationError {
  const lines = run.bad.map((problem) => ({ field: '', problem }));
  if (run.problems > run.bad.length) lines.push({ field: '', problem: `… and ${run.problems - run.bad.length} more problems` });
  lines.push({ field: '', problem: `nothing was imported from ${file} (${run.badCount} bad ${run.badCount === 1 ? 'line' : 'lines'}; all or nothing)` });
  return new ValidationError(lines);
}
