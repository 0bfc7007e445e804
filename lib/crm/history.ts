/**
 * Record history: the change log PostgreSQL keeps by itself
 * (sql/migrations/007_change_log.sql), read a page at a time, newest first.
 * `clients.history(id)`, `contracts.history(id)`, `events.history(id)`,
 * `users.history(id)` and the `activity()` feed all come from here.
 */
import { bind, queries } from '../db/sql.js';
import type { Department } from '../domain/departments.js';
import { EVERYONE, fields, may, method, value, type Values, pageOf, record } from './describe.js';
import { inSession, type ApiDeps } from './deps.js';
import { DEFAULT_PAGE_SIZE, makePage, type Page } from './page.js';
import { recordId, timestamp, type Problems } from './validate.js';
import { pageLimitField } from './list-filters.js';

const q = queries('history', ['recordHistory', 'activity'] as const);

export type HistoryObject = 'client' | 'contract' | 'event' | 'user';
export const HISTORY_OBJECTS: readonly HistoryObject[] = ['client', 'contract', 'event', 'user'];

export interface HistoryEntry {
  id: number;
  at: Date;
  actorId: number | null;
  actorName: string;
  object: HistoryObject;
  recordId: number | null;
  action: string;
  /** Each changed field: [old, new]. */
  changes: Record<string, [unknown, unknown]> | null;
  note: string | null;
  /** The collaborators the changes name (salesContactId, supportContactId): id → full name. */
  people?: Record<string, string> | null;
  /** The record's name (a contract's: its client's); null when it is gone or out of sight. */
  recordName?: string | null;
}

const HISTORY_ENTRY = record<HistoryEntry>('HistoryEntry', {
  id: 'number', at: 'Date', actorId: 'number | null', actorName: 'string', object: "'client' | 'contract' | 'event' | 'user'",
  recordId: 'number | null', action: 'string', changes: ['Record<string, [unknown, unknown]> | null', 'Each changed field: [old, new].'], note: 'string | null',
  people: ['Record<string, string> | null', 'The collaborators the changes name: id → full name.', 'optional'],
  recordName: ['string | null', "The record's name (a contract's: its client's); null when gone or out of sight.", 'optional'],
});

function historyObject(v: unknown, field: string, p: Problems): HistoryObject | undefined {
  if (typeof v === 'string' && (HISTORY_OBJECTS as readonly string[]).includes(v)) return v as HistoryObject;
  p.add(field, `must be one of ${HISTORY_OBJECTS.join(', ')}`);
  return undefined;
}

const RECORD_HISTORY = method({
  returns: pageOf(HISTORY_ENTRY), departments: [], writes: false,
  args: [value('id', recordId), fields('options', { limit: may(pageLimitField) }, { optional: true })],
  description: '', example: '',
});

/** The description of an object's `history(id)` method (lib/crm/describe.ts). */
export function historyDescription(object: HistoryObject, departments: readonly Department[]) {
  return method({
    ...RECORD_HISTORY,
    departments,
    description: `who changed this ${object === 'user' ? 'collaborator' : object} and when, newest first`,
    example: `${object}s.history(${object === 'user' ? 3 : 1})`,
  });
}

/** activity(): not an object's method, but called through the pipeline all the same (everyone; management sees everyone's). */
export const ACTIVITY = method({
  returns: pageOf(HISTORY_ENTRY), departments: EVERYONE, writes: false,
  args: [fields('filter', { by: may(recordId), since: may(timestamp), object: may(historyObject), limit: may(pageLimitField) }, { optional: true })],
  description: 'recent changes, newest first', example: 'activity({since: \'2026-06-01\'})',
});

export function createHistory(deps: ApiDeps) {
  const recordPage = (object: HistoryObject, id: number, limit: number, before: number | null, listed = 0): Promise<Page<HistoryEntry>> =>
    inSession(deps, async (tx) => {
      const rows = await tx.many<HistoryEntry>(q.recordHistory, bind(q.recordHistory, { object, recordId: id, beforeId: before, limit: limit + 1 }));
      return makePage('history', rows, limit, (last, so, size = limit) => recordPage(object, id, size, last.id, so), listed);
    });

  const activityPage = (f: { by: number | null; since: Date | null; object: HistoryObject | null; limit: number }, before: number | null, listed = 0): Promise<Page<HistoryEntry>> =>
    inSession(deps, async (tx) => {
      const everyone = deps.actor().department === 'management';
      const rows = await tx.many<HistoryEntry>(q.activity, bind(q.activity, { by: f.by, since: f.since, object: f.object, everyone, beforeId: before, limit: f.limit + 1 }));
      return makePage('history', rows, f.limit, (last, so, size = f.limit) => activityPage({ ...f, limit: size }, last.id, so), listed);
    });

  return {
    /** The history of one record, newest first (`it` for more). */
    async of(object: HistoryObject, id: number, options: Values<typeof RECORD_HISTORY>[1]): Promise<Page<HistoryEntry>> {
      return recordPage(object, id, options.limit ?? DEFAULT_PAGE_SIZE, null);
    },

    /** Recent changes: management sees everyone's; others their own and their records'. */
    async activity(given: Values<typeof ACTIVITY>[0]): Promise<Page<HistoryEntry>> {
      const f = { by: given.by ?? null, since: given.since ?? null, object: given.object ?? null, limit: given.limit ?? DEFAULT_PAGE_SIZE };
      return activityPage(f, null);
    },
  };
}

export type History = ReturnType<typeof createHistory>;

/**
 * An object's `history(id)` method: NotFound for a record that does not
 * exist (`get` says so), then its history a page at a time.
 */
export function historyMethod(deps: ApiDeps, object: HistoryObject, get: (id: number) => Promise<unknown>) {
  const history = createHistory(deps);
  return async (id: number, options: Values<typeof RECORD_HISTORY>[1]): Promise<Page<HistoryEntry>> => {
    await get(id);
    return history.of(object, id, options);
  };
}
