/**
 * The trash (sql/migrations/026_trash.sql): clients.delete(id),
 * contracts.delete(id), events.delete(id) move a record there with what goes
 * with it; …restore(id) brings it back; trash() lists what the caller may
 * see; trash.empty({olderThan}) (management) removes it for good. PostgreSQL
 * decides who may do what (DELETE policies, restore_record, empty_trash):
 * these only validate the arguments and say why a refusal happened.
 */
import { bind, queries } from '../db/sql.js';
import type { Department } from '../domain/departments.js';
import { Conflict, NotFound, PermissionDenied } from '../domain/errors.js';
import { EVERYONE, fields, may, method, need, one, pageOf, value, type RecordDescription, type Values, record } from './describe.js';
import { inSession, inSessionStatement, type ApiDeps } from './deps.js';
import { DEFAULT_PAGE_SIZE, makePage, type Page } from './page.js';
import { recordId, type Problems } from './validate.js';
import { pageLimitField } from './list-filters.js';

const q = queries('trash', ['deleteClient', 'deleteContract', 'deleteEvent', 'whyNotDeleted', 'restoreRecord', 'listTrash', 'emptyTrash'] as const);

export type TrashObject = 'client' | 'contract' | 'event';
const TRASH_OBJECTS: readonly TrashObject[] = ['client', 'contract', 'event'];

export interface TrashEntry {
  id: number;
  object: TrashObject;
  recordId: number;
  /** The record in a few words (a client's name and email, a contract's client and total, an event's name). */
  what: string;
  /** How many records went with it (a client's contracts and their events, a contract's event). */
  withRecords: number;
  deletedAt: Date;
  deletedBy: string;
}

const TRASHED = "'client' | 'contract' | 'event'";

const DELETED = record<{ deleted: string; id: number }>('Deleted', { deleted: [TRASHED, 'What went to the trash.'], id: 'number' });

const TRASH_ENTRY = record<TrashEntry>('TrashEntry', {
  id: 'number', object: TRASHED, recordId: 'number', what: ['string', 'The record in a few words.'],
  withRecords: ['number', 'How many records went with it.'], deletedAt: 'Date', deletedBy: 'string',
});

const PURGED = record<{ purged: number }>('Purged', { purged: ['number', 'Trash entries removed for good.'] });

/** Who may delete (and restore), as the DELETE policies say, in words for a refusal. */
const RULES: Record<TrashObject, string> = {
  client: 'sales delete only their own clients (and not one with a signed contract with payments: management only)',
  contract: "sales delete only their own clients' contracts, and a signed contract with payments only management",
  event: 'support delete only the events assigned to them',
};

const DELETE_QUERY = { client: q.deleteClient, contract: q.deleteContract, event: q.deleteEvent } as const;

function trashObject(v: unknown, field: string, p: Problems): TrashObject | undefined {
  if (typeof v === 'string' && (TRASH_OBJECTS as readonly string[]).includes(v)) return v as TrashObject;
  p.add(field, `must be one of ${TRASH_OBJECTS.join(', ')}`);
  return undefined;
}

/** A duration such as '30d', '12h', '2w' or '0d', as a PostgreSQL interval. */
export function duration(v: unknown, field: string, p: Problems): string | undefined {
  const m = typeof v === 'string' ? /^\s*(\d{1,5})\s*(m|h|d|w)\s*$/.exec(v) : null;
  if (!m) {
    p.add(field, "must be a duration such as '30d' (days), '12h', '2w' or '0d' (everything)");
    return undefined;
  }
  const unit = { m: 'minutes', h: 'hours', d: 'days', w: 'weeks' }[m[2] as 'm' | 'h' | 'd' | 'w'];
  return `${Number(m[1])} ${unit}`;
}

/** The descriptions of an object's delete and restore (lib/crm/describe.ts). */
export function trashDescriptions(object: TrashObject, departments: readonly Department[], restored: RecordDescription) {
  const plural = `${object}s`;
  /** What goes to the trash along with the record. */
  const along: Record<TrashObject, string> = { client: ', with its contracts and events', contract: ', with its event', event: '' };
  return {
    delete: method({
      returns: one(DELETED), departments, writes: true, args: [value('id', recordId)],
      description: `move a ${object} to the trash${along[object]} (${plural}.restore(id) brings it back)`,
      example: `${plural}.delete(1)`,
    }),
    restore: method({
      returns: one(restored), departments, writes: true, args: [value('id', recordId)],
      description: `bring a ${object} back from the trash, with what went with it`,
      example: `${plural}.restore(1)`,
    }),
  };
}

/** trash(): not an object's method, but read through descriptions all the same. */
export const TRASH_LIST = method({
  returns: pageOf(TRASH_ENTRY), departments: EVERYONE, writes: false,
  args: [fields('options', { object: may(trashObject), limit: may(pageLimitField) }, { optional: true })],
  description: 'what is in the trash that you may see, newest first', example: "trash({object: 'client'})",
});

export const TRASH_EMPTY = method({
  returns: one(PURGED), departments: ['management'], writes: true, confirm: true,
  args: [fields('options', { olderThan: need(duration) })],
  description: 'remove for good what has been in the trash longer than olderThan', example: "trash.empty({olderThan: '30d'})",
});

/** delete(id) and restore(id) for one kind of record; `get` reads it back once restored. */
export function trashMethods<R>(deps: ApiDeps, object: TrashObject, described: ReturnType<typeof trashDescriptions>, get: (id: number) => Promise<R>) {
  async function remove(recordIdValue: number): Promise<{ deleted: string; id: number }> {
    await inSession(deps, async (tx) => {
      if ((await tx.exec(DELETE_QUERY[object], [recordIdValue])) > 0) return;
      const why = await tx.one<{ live: boolean; inTrash: boolean }>(q.whyNotDeleted, bind(q.whyNotDeleted, { object, id: recordIdValue }));
      if (why?.live) throw new PermissionDenied(`${deps.actor().department} may not delete ${object} ${recordIdValue}: ${RULES[object]}`);
      if (why?.inTrash) throw new Conflict(`${object} ${recordIdValue} is already in the trash (${object}s.restore(${recordIdValue}) brings it back)`);
      throw new NotFound(`no ${object} has id ${recordIdValue}`);
    });
    return { deleted: object, id: recordIdValue };
  }

  async function restore(recordIdValue: number): Promise<R> {
    await inSession(deps, (tx) => tx.one(q.restoreRecord, bind(q.restoreRecord, { object, id: recordIdValue })));
    return get(recordIdValue);
  }

  return { delete: remove, restore };
}

export function createTrash(deps: ApiDeps) {
  // One statement, one round trip (the caller's session held by the connection): no transaction around it.
  const page = async (object: TrashObject | null, limit: number, before: number | null, listed = 0): Promise<Page<TrashEntry>> => {
    const rows = await inSessionStatement<TrashEntry>(deps, q.listTrash, bind(q.listTrash, { object, beforeId: before, limit: limit + 1 }), { readOnly: true });
    return makePage('trash', rows, limit, (last, so, size = limit) => page(object, size, last.id, so), listed);
  };

  return {
    /** What the caller may see in the trash, newest first (`it` for more). */
    async list(o: Values<typeof TRASH_LIST>[0]): Promise<Page<TrashEntry>> {
      return page(o.object ?? null, o.limit ?? DEFAULT_PAGE_SIZE, null);
    },

    /** Management removes for good what has been in the trash longer than olderThan. */
    async empty(o: Values<typeof TRASH_EMPTY>[0]): Promise<{ purged: number }> {
      const row = await inSession(deps, (tx) => tx.one<{ purged: number }>(q.emptyTrash, bind(q.emptyTrash, { olderThan: o.olderThan })));
      return { purged: row?.purged ?? 0 };
    },
  };
}

export type Trash = ReturnType<typeof createTrash>;
