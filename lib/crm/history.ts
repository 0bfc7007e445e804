/**
 * Record history: the change log PostgreSQL keeps by itself
 * (sql/migrations/007_change_log.sql), read a page at a time, newest first.
 * `clients.history(id)`, `contracts.history(id)`, `events.history(id)`,
 * `users.history(id)` and the `activity()` feed all come from here.
 */
import { queries } from '../db/sql.js';
import { inSession, type ApiDeps } from './deps.js';
import { makePage, type Page } from './page.js';
import { fieldsOf, optional, pageLimit, recordId, timestamp, validated, type Problems } from './validate.js';

const q = queries('history', ['recordHistory', 'activity'] as const);

export type HistoryObject = 'client' | 'contract' | 'event' | 'user';
const HISTORY_OBJECTS: readonly HistoryObject[] = ['client', 'contract', 'event', 'user'];

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
}

export interface ActivityFilter {
  by?: number;
  since?: string | Date;
  object?: HistoryObject;
  limit?: number;
}

const ACTIVITY_FILTERS = ['by', 'since', 'object', 'limit'] as const;

function historyObject(value: unknown, field: string, p: Problems): HistoryObject | undefined {
  if (typeof value === 'string' && (HISTORY_OBJECTS as readonly string[]).includes(value)) return value as HistoryObject;
  p.add(field, `must be one of ${HISTORY_OBJECTS.join(', ')}`);
  return undefined;
}

export function createHistory(deps: ApiDeps) {
  const recordPage = (object: HistoryObject, id: number, limit: number, before: number | null): Promise<Page<HistoryEntry>> =>
    inSession(deps, async (tx) => {
      const rows = await tx.many<HistoryEntry>(q.recordHistory, [object, id, before, limit + 1]);
      return makePage('history', rows, limit, (last) => recordPage(object, id, limit, last));
    }, { readOnly: true });

  const activityPage = (f: { by: number | null; since: Date | null; object: HistoryObject | null; limit: number }, before: number | null): Promise<Page<HistoryEntry>> =>
    inSession(deps, async (tx) => {
      const everyone = deps.actor().department === 'management';
      const rows = await tx.many<HistoryEntry>(q.activity, [f.by, f.since, f.object, everyone, before, f.limit + 1]);
      return makePage('history', rows, f.limit, (last) => activityPage(f, last));
    }, { readOnly: true });

  return {
    /** The history of one record, newest first (`it` for more). */
    async of(object: HistoryObject, id: unknown, options?: { limit?: number }): Promise<Page<HistoryEntry>> {
      const { recordIdValue, limit } = validated((p) => ({
        recordIdValue: recordId(id, 'id', p) as number,
        limit: pageLimit(fieldsOf(options, 'options', ['limit'], p).limit, p),
      }));
      return recordPage(object, recordIdValue, limit, null);
    },

    /** Recent changes: management sees everyone's; others their own and their records'. */
    async activity(filter: ActivityFilter = {}): Promise<Page<HistoryEntry>> {
      const f = validated((p) => {
        const given = fieldsOf(filter, 'filter', ACTIVITY_FILTERS, p);
        return {
          by: optional(given, 'by', p, recordId) ?? null,
          since: optional(given, 'since', p, timestamp) ?? null,
          object: optional(given, 'object', p, historyObject) ?? null,
          limit: pageLimit(given.limit, p),
        };
      });
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
  return async (id: number, options?: { limit?: number }): Promise<Page<HistoryEntry>> => {
    await get(id);
    return history.of(object, id, options);
  };
}
