/**
 * The rows of an import file, whatever its format (CSV, xlsx): each checked
 * with clients.create's own validators, the refused value shown, and the
 * one error of a refused file (lib/crm/import.ts).
 */
import { ValidationError } from '../domain/errors.js';
import type { ImportRun } from './import-run.js';
import { shown, type ColumnRole } from './import-header.js';
import { readArgs, type FieldsArg, type MethodDescription } from './describe.js';
import { email as emailCheck, Problems, recordId } from './validate.js';

export type CreateDescription = MethodDescription<readonly [FieldsArg]>;

/** = + - @ tab CR after the quote export() puts before a cell a spreadsheet would run as a formula. */
const GUARDED = /^'[=+\-@\t\r]/;

/** A cell as our own export wrote it, back: the formula guard (a leading quote) removed. */
export function unguarded(cell: string): string {
  return GUARDED.test(cell) ? cell.slice(1) : cell;
}

/** Whether a record holds nothing (a row of separators only, or of spaces). */
export function isBlank(record: readonly string[]): boolean {
  return record.every((cell) => cell.trim() === '');
}

/** The columns a record must have: up to the last one with a heading. */
function width(columns: readonly ColumnRole[]): number {
  let n = columns.length;
  while (n > 0 && columns[n - 1] === 'blank') n--;
  return n;
}

/** One data row checked with clients.create's validators (and the sales contact's email for management). */
export async function checkRow(run: ImportRun, create: CreateDescription, columns: readonly ColumnRole[], record: string[], line: number, department: string): Promise<void> {
  const needed = width(columns);
  if (record.length < needed || record.slice(columns.length).some((c) => c.trim() !== '')) {
    run.problem(line, undefined, `has ${record.length} ${record.length === 1 ? 'field' : 'fields'}, the header ${needed}`);
    return;
  }
  const given: Record<string, string> = {};
  let contact = '';
  let first = '';
  let last = '';
  let id = '';
  for (let i = 0; i < columns.length; i++) {
    const role = columns[i];
    const cell = unguarded(record[i] ?? '');
    if (role === 'blank') {
      if (cell.trim() !== '') run.problem(line, undefined, `column ${i + 1} has no heading but holds ${shown(cell)}`);
    } else if (role === 'salesContact') contact = cell;
    else if (role === 'firstName') first = cell.trim();
    else if (role === 'lastName') last = cell.trim();
    else if (role === 'id') id = cell.trim();
    else if (role) given[role] = cell;
  }
  if (first || last || columns.includes('firstName')) given.fullName = [first, last].filter(Boolean).join(' ');
  const p = new Problems();
  const [client] = readArgs(create, [given], p);
  const salesContact = department === 'management' && contact.trim() !== '' ? emailCheck(contact, 'salesContact', p) : null;
  // An export's id column says which client onDuplicate 'update' changes; otherwise it is left out.
  const clientId = run.usesIds && id !== '' ? recordId(id, 'id', p) ?? null : null;
  if (p.any) {
    for (const { field, problem } of p.list) {
      const value = field === 'salesContact' ? contact : field === 'id' ? id : given[field];
      run.problem(line, field, value && value.trim() !== '' ? `${shown(value)} ${problem}` : problem);
    }
    return;
  }
  const c = client as { fullName: string; email: string; phone?: string | null; companyName?: string | null };
  await run.add({ line, fullName: c.fullName, email: c.email, phone: c.phone ?? null, companyName: c.companyName ?? null, salesContact: salesContact ? salesContact.toLowerCase() : null, id: clientId });
}

/** The one error of a refused file: its bad lines in line order (up to 100, then a count), and that nothing was imported. */
export function refusal(file: string, run: ImportRun): ValidationError {
  const named = run.badLines();
  const lines = named.map((problem) => ({ field: '', problem }));
  if (run.badCount > named.length) lines.push({ field: '', problem: `… and ${(run.badCount - named.length).toLocaleString('en-US')} more bad lines` });
  lines.push({ field: '', problem: `nothing was imported from ${file} (${run.badCount.toLocaleString('en-US')} bad ${run.badCount === 1 ? 'line' : 'lines'}; all or nothing)` });
  return new ValidationError(lines, { lines: true });
}
