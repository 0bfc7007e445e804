/**
 * Where export() writes (lib/shell/export.ts): a new file (0600) beside the
 * target under a name that cannot pass for the export, which takes the
 * target's name only when complete — a killed export leaves no plausible
 * partial file under its final name. And what export() is given: the list,
 * the options.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Conflict, ValidationError } from '../domain/errors.js';
import { isPage, type Page } from '../crm/page.js';

/** What export() writes, read from the target's extension (lib/shell/export.ts). */
export type ExportFormat = 'csv' | 'json' | 'jsonl' | 'xlsx';

/**
 * The partial file, opened. The target is refused up front when it exists
 * (unless overwrite) or is a symbolic link.
 */
export async function openPartial(file: string, overwrite: boolean): Promise<{ handle: fs.promises.FileHandle; partial: string }> {
  const existing = await fs.promises.lstat(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (existing?.isSymbolicLink()) throw new Conflict(`${file} is a symbolic link: export writes only to a regular file`);
  if (existing && !overwrite) throw new Conflict(`${file} already exists: give {overwrite: true} to replace it`);
  const partial = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}-${Date.now().toString(36)}.partial`);
  const { O_WRONLY, O_CREAT, O_EXCL } = fs.constants;
  return { handle: await fs.promises.open(partial, O_WRONLY | O_CREAT | O_EXCL, 0o600), partial };
}

/**
 * The complete export takes its final name: without overwrite through a hard
 * link (refused, atomically, if a file appeared there meanwhile), with it by
 * rename (which replaces the old file, never writing through it).
 */
export async function complete(partial: string, file: string, overwrite: boolean): Promise<void> {
  if (overwrite) return fs.promises.rename(partial, file);
  try {
    await fs.promises.link(partial, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new Conflict(`${file} already exists: give {overwrite: true} to replace it`);
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
    // A file system without hard links: check, then rename.
    if (await fs.promises.lstat(file).then(() => true, () => false)) throw new Conflict(`${file} already exists: give {overwrite: true} to replace it`);
    return fs.promises.rename(partial, file);
  }
  await fs.promises.unlink(partial);
}

export async function pageFrom(source: unknown): Promise<Page<unknown>> {
  const value = typeof source === 'function' ? await (source as () => unknown)() : await source;
  if (!isPage(value)) {
    throw new ValidationError([{ field: 'source', problem: 'must be a list, such as contracts.list({unpaid: true}) (or contracts.list)' }]);
  }
  return value;
}

export function exportOptions(options: unknown, format: ExportFormat): { overwrite: boolean; excel: boolean } {
  if (options === undefined) return { overwrite: false, excel: false };
  if (typeof options !== 'object' || options === null || Object.keys(options).some((k) => k !== 'overwrite' && k !== 'excel')) {
    throw new ValidationError([{ field: 'options', problem: 'takes only {overwrite: true} and, for .csv, {excel: true}' }]);
  }
  const { overwrite, excel } = options as { overwrite?: unknown; excel?: unknown };
  if (overwrite !== undefined && typeof overwrite !== 'boolean') throw new ValidationError([{ field: 'overwrite', problem: 'must be true or false' }]);
  if (excel !== undefined && typeof excel !== 'boolean') throw new ValidationError([{ field: 'excel', problem: 'must be true or false' }]);
  if (excel === true && format !== 'csv') throw new ValidationError([{ field: 'excel', problem: 'applies to a .csv file (a .xlsx file is a workbook already)' }]);
  return { overwrite: overwrite === true, excel: excel === true };
}
