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
import type { Info } from 'csv-parse';
import { ValidationError } from '../domain/errors.js';
import { bind, queries } from '../db/sql.js';
import { resolveUserPath } from '../platform/user-paths.js';
import { fileStart, headerKey, IMPORT_FIELDS, MAX_RECORD_BYTES, parseProblem, readHeader, utf8Only, type ImportField } from './csv-file.js';
import { inSession, type ApiDeps } from './deps.js';
import { ImportRun, type DuplicatePolicy } from './import-run.js';
import { may, method, readArgs, value, fields, type FieldsArg, type MethodDescription } from './describe.js';
import { email as emailCheck, flag, isPlainObject, text, validated, Problems } from './validate.js';

const q = queries('clients', ['markImport', 'beginImport'] as const);

export type { DuplicatePolicy };

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
  /** The import's number, for clients.undoImport (null for a dry run, which writes nothing). */
  importId: number | null;
}

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
    // Loaded when an import runs: not on every call's start-up path.
    const { parse } = await import('csv-parse');
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
        // An import that wrote something is numbered for clients.undoImport: its entries are its transaction's (migration 027).
        const importId = dryRun || run.created + run.updated === 0 ? null
          : Number((await tx.one<{ importId: string }>(q.beginImport, bind(q.beginImport, { file: name })))!.importId);
        return { file: name, created: run.created, updated: run.updated, skipped: run.skipped, dryRun, importId };
      }, { readOnly: dryRun });
    } finally {
      progress(undefined);
    }
  };
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
