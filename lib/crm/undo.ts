/**
 * undo(historyEntryId) and clients.undoImport(importId)
 * (sql/migrations/027_undo.sql). PostgreSQL does the work with the caller's
 * own rights: an undo is allowed to whoever could have made the change, and
 * refused, naming the fields, when the record changed since.
 */
import { bind, queries } from '../db/sql.js';
import { EVERYONE, method, one, value, record } from './describe.js';
import { inSession, inSessionStatement, type ApiDeps } from './deps.js';
import { recordId, type Problems } from './validate.js';

const q = queries('trash', ['undoChange', 'undoImport'] as const);

/** What an undo did: the entry's old values written back ('undone'), or the record moved to the trash or restored. */
export interface UndoResult {
  /** 'user': a collaborator's update (management's; sql/migrations/046_undo_users.sql). */
  object: 'client' | 'contract' | 'event' | 'user';
  recordId: number;
  action: 'undone' | 'deleted' | 'restored';
  /** The fields written back (an 'undone'). */
  fields: string[];
}

export interface UndoImportResult {
  importId: number;
  /** The clients the import created, now in the trash. */
  deleted: number[];
  /** The clients it updated, their values put back. */
  restored: number[];
}

const UNDONE = record<UndoResult>('Undone', {
  object: "'client' | 'contract' | 'event' | 'user'", recordId: 'number', action: "'undone' | 'deleted' | 'restored'",
  fields: ['string[]', "The fields written back (an 'undone')."],
});

const IMPORT_UNDONE = record<UndoImportResult>('ImportUndone', {
  importId: 'number', deleted: ['number[]', 'The clients the import created, now in the trash.'], restored: ['number[]', 'The clients it updated, their values put back.'],
});

/** A history entry's or an import's id (bigint in the database). */
function entryId(v: unknown, field: string, p: Problems): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return v;
  p.add(field, 'must be a history entry id (a whole number above 0, as history() shows it)');
  return undefined;
}

export const UNDO = method({
  returns: one(UNDONE), departments: EVERYONE, writes: true, confirm: true, args: [value('historyEntryId', entryId)],
  description: "write a history entry's old values back (a creation goes to the trash, a deletion comes back); refused when the record changed since",
  example: 'undo(42)',
});

export const UNDO_IMPORT = method({
  returns: one(IMPORT_UNDONE), departments: ['sales', 'management'], writes: true, confirm: true, args: [value('importId', recordId)],
  description: 'undo an import: the clients it created go to the trash, those it updated get their values back (all or nothing)',
  example: 'clients.undoImport(3)',
});

export function createUndo(deps: ApiDeps) {
  return {
    /** One statement, its own transaction: one round trip (the caller's session held by the connection, as for reads). */
    async undo(id: number): Promise<UndoResult> {
      const [row] = await inSessionStatement<{ result: UndoResult }>(deps, q.undoChange, bind(q.undoChange, { entryId: id }));
      return row!.result;
    },

    async undoImport(id: number): Promise<UndoImportResult> {
      const row = await inSession(deps, (tx) => tx.one<{ result: Omit<UndoImportResult, 'importId'> }>(q.undoImport, bind(q.undoImport, { importId: id })));
      return { importId: id, ...row!.result };
    },
  };
}
