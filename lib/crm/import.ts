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
import { ValidationError } from '../domain/errors.js';
import { bind, queries } from '../db/sql.js';
import { resolveUserPath } from '../platform/user-paths.js';
import { csvRecords, fileStart, type SourceItem } from './csv-file.js';
import { headerKey, IMPORT_FIELDS, readHeader, type ColumnRole, type ImportField } from './import-header.js';
import { checkRow, isBlank, refusal, type CreateDescription } from './import-rows.js';
import { isWorkbook, xlsxSource } from './import-xlsx.js';
import { inSession, type ApiDeps } from './deps.js';
import { ImportRun, type DuplicatePolicy } from './import-run.js';
import { may, method, value, fields, type Values, one, record } from './describe.js';
import { flag, isPlainObject, text, Problems } from './validate.js';

const q = queries('clients', ['beginImport'] as const);

export type { DuplicatePolicy };

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

const IMPORT_REPORT = record<ImportReport>('ImportReport', {
  file: 'string', created: 'number', updated: 'number', skipped: 'number', dryRun: 'boolean',
  importId: ['number | null', "The import's number, for clients.undoImport (null for a dry run)."],
});

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

/** clients.import, as help, completion and the call pipeline read it. */
export const IMPORT = method({
  returns: one(IMPORT_REPORT), departments: ['sales', 'management'], writes: true,
  args: [value('file', fileName), fields('options', { dryRun: may(flag), onDuplicate: may(duplicatePolicy), map: may(columnMap) }, { optional: true })],
  description: 'clients from a CSV file, all or nothing, every bad line named (sales: yours; management: a salesContact column by email)',
  example: "clients.import('clients.csv', {dryRun: true, onDuplicate: 'skip'})",
});

/** A terminal's progress line on stderr (nothing when stderr is not a terminal). */
function progressLine(file: string): (rows: number | undefined) => void {
  if (!process.stderr.isTTY) return () => undefined;
  return (rows) => void process.stderr.write(rows === undefined ? '\r\x1b[K' : `\r${file}: ${rows} rows checked`);
}

/** clients.import for `deps`; rows are checked with clients.create's own description (`create`). */
export function importClients(deps: ApiDeps, create: CreateDescription) {
  return async function importFile(name: string, o: Values<typeof IMPORT>[1]): Promise<ImportReport> {
    const actor = deps.actor();
    const policy = o.onDuplicate ?? 'fail';
    const dryRun = o.dryRun ?? false;
    const map = o.map ?? {};
    const path = resolveUserPath(name);
    const workbook = isWorkbook(name);
    const records = workbook ? await xlsxSource(path, name) : csvSource(path, name, (await fileStart(path, name)).delimiter);
    const mayName = (field: ImportField) => (field === 'salesContact' && actor.department !== 'management'
      ? 'you become the sales contact of the clients you import (leave the column out, or {map: {…: null}})'
      : undefined);
    const progress = progressLine(name);
    try {
      return await inSession(deps, async (tx) => {
        const run = new ImportRun(tx, name, actor, policy, dryRun);
        let columns: ColumnRole[] | undefined;
        let unreadable = false;
        for await (const item of records()) {
          if ('unreadable' in item) {
            run.problem(item.line, undefined, item.unreadable);
            unreadable = true;
            break;
          }
          const { record, line } = item;
          if (isBlank(record)) continue; // a row of separators only is an empty line
          if (!columns) {
            columns = readHeader(record, name, map, mayName, line);
            continue;
          }
          run.rows++;
          if (run.rows % 1000 === 0) progress(run.rows);
          await checkRow(run, create, columns, record, line, actor.department);
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

function csvSource(path: string, name: string, delimiter: string): () => AsyncIterable<SourceItem> {
  return () => csvRecords(path, name, delimiter);
}
