/**
 * Sorted lists and their keyset pages. Each list names its sort keys (API
 * field → column, a fixed list per object); `sort: 'startAt'` or `'-amountDue'`
 * picks one. A list query is written once in sql/ with three placeholders
 * that pg-format fills from that fixed list only: %1$I the sort column, %2$s
 * the keyset comparison (> or <) and %3$s the direction (asc or desc). Values
 * stay parameters: the next page starts after the last row's (key, id), on
 * an index of (column, id), so page 1,000 costs what page 1 does. Each row
 * also brings its key as text ("sortKey", taken off before the row is shown),
 * the exact value the next page compares with.
 */
import format from 'pg-format';
import type { Executor, TextRows } from '../db/door.js';
import { queries, type NamedQuery } from '../db/sql.js';
import { inSession, type ApiDeps } from './deps.js';
import type { Check } from './describe.js';
import { makePage, type CopyAfter, type Page, type PageKind, type TextsAfter } from './page.js';

const xq = queries('export', ['wholeCursor', 'fetchExport'] as const);

/** API field → column of the list's main table (each with an index on (column, id)). */
export type SortKeys = Readonly<Record<string, string>>;

export interface Sort {
  /** The API field the rows are sorted by. */
  readonly key: string;
  readonly column: string;
  readonly descending: boolean;
}

export const BY_ID: Sort = { key: 'id', column: 'id', descending: false };

/** The check of a `sort` field, carrying its keys for help and completion. */
export type SortCheck = Check<Sort> & { readonly sortKeys: readonly string[] };

/** The `sort` key of a list's filters: one of the keys, '-' in front for descending. */
export function sortField(keys: SortKeys): SortCheck {
  const check: Check<Sort> = (value, field, problems) => {
    if (typeof value === 'string') {
      const descending = value.startsWith('-');
      const key = descending ? value.slice(1) : value;
      if (Object.prototype.hasOwnProperty.call(keys, key)) return { key, column: keys[key], descending };
    }
    const got = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : value === null ? 'null' : `a ${typeof value}`;
    problems.add(field, `must be one of ${Object.keys(keys).join(', ')}, with '-' in front for descending such as '-${Object.keys(keys)[0]}' (got ${got})`);
    return undefined;
  };
  return Object.assign(check, { sortKeys: Object.keys(keys) });
}

/** The sort keys of a method's `sort` field (none when it has none). */
export function sortKeysOf(schema: { readonly [key: string]: { readonly check: unknown } }): readonly string[] {
  const check = schema.sort?.check as Partial<SortCheck> | undefined;
  return check?.sortKeys ?? [];
}

/** How help shows a list's sort keys. */
export function sortHelp(keys: SortKeys): string {
  return `sort by ${Object.keys(keys).join(', ')} ('-' in front: descending)`;
}

const formatted = new Map<string, NamedQuery>();

/** The list query with its sort filled in (only ever from a SortKeys table). */
export function sortedQuery(q: NamedQuery, sort: Sort): NamedQuery {
  const cacheKey = `${q.area}.${q.name} ${sort.column} ${sort.descending}`;
  let out = formatted.get(cacheKey);
  if (!out) {
    // Planned per call: the text differs per sort, and the best plan depends on the filters given.
    out = { ...q, text: format(q.text, sort.column, sort.descending ? '<' : '>', sort.descending ? 'desc' : 'asc'), perCallPlan: true };
    formatted.set(cacheKey, out);
  }
  return out;
}

/** A list's whole rest as one COPY: the statement setting its keyset values (afterKey, afterId), then the COPY reading them. */
export interface CopyQueries {
  settings: NamedQuery;
  copy: NamedQuery;
}

/**
 * The first page of a sorted list, each next page after the last row shown.
 * `params` are the query's filters; afterKey, afterId and limit are added here.
 */
export function keysetPage<T extends { id: number }>(
  deps: ApiDeps, object: PageKind, q: NamedQuery, sort: Sort, limit: number, bindParams: (p: Record<string, unknown>) => unknown[],
  cursor?: NamedQuery, copy?: CopyQueries,
): Promise<Page<T>> {
  const query = sortedQuery(q, sort);
  // The key as PostgreSQL printed it: exact (a timestamp keeps its microseconds, which a Date would lose).
  const keys = new WeakMap<T, string>();
  // The rest as text (export): with the list's cursor query, one read-only
  // transaction reads it through one cursor planned for the whole result
  // (one snapshot); else page after page, the last row's key and id its own cells.
  const textsAfter = (afterKey: string | null | undefined, afterId: number): TextsAfter => async (size, each) => {
    if (cursor) {
      const params = bindParams({ afterKey, afterId, limit: null });
      return inSession(deps, (tx) => readCursor(tx, sortedQuery(cursor, sort), params, each), { readOnly: true });
    }
    let count = 0;
    for (let after: [string | null | undefined, number] | undefined = [afterKey, afterId]; after;) {
      const params = bindParams({ afterKey: after[0], afterId: after[1], limit: size + 1 });
      const page = await inSession(deps, (tx) => tx.texts(query, params));
      const more = page.rows.length > size;
      if (more) page.rows.length = size;
      const last = page.rows[page.rows.length - 1];
      after = more && last ? [last[page.columns.findIndex((c) => c.name === 'sortKey')], Number(last[page.columns.findIndex((c) => c.name === 'id')])] : undefined;
      await each(page);
      count += page.rows.length;
    }
    return count;
  };
  // The rest of a whole list (no filter given) as one COPY: read only, one
  // statement (one snapshot); the list's own query with limit 0 gives its
  // columns' names and kinds, sent with the COPY in one round trip.
  const whole = copy !== undefined && bindParams({ afterKey: null, afterId: null, limit: null }).every((v) => v === null);
  const copyAfter = (afterKey: string | null | undefined, afterId: number): CopyAfter | undefined => {
    if (!whole || !copy || afterKey === undefined || afterKey === null) return undefined;
    return (open) => inSession(deps, async (tx) => {
      const settings = tx.exec(copy.settings, [afterKey, afterId]);
      const described = tx.texts(query, bindParams({ afterKey, afterId, limit: 0 }));
      settings.catch(() => undefined);
      described.catch(() => undefined);
      await settings;
      const columns = (await described).columns.filter((c) => c.name !== 'sortKey');
      return tx.copyOut(sortedQuery(copy.copy, sort), [], open(columns));
    }, { readOnly: true });
  };
  const fetchAfter = async (last: T | undefined, listed: number, size = limit): Promise<Page<T>> => {
    const params = bindParams({ afterKey: last === undefined ? null : keys.get(last), afterId: last?.id ?? null, limit: size + 1 });
    const rows = await inSession(deps, (tx) => tx.many<T & { sortKey?: string }>(query, params));
    // Only the last row shown starts a next page: its key is the one kept
    // (one entry a page, not a million while a list is exported).
    const lastShown = rows[Math.min(rows.length, size) - 1];
    if (lastShown) keys.set(lastShown, lastShown.sortKey as string);
    for (const row of rows) delete row.sortKey;
    return makePage(object, rows, size, fetchAfter, listed, (row) => textsAfter(keys.get(row), row.id), (row) => copyAfter(keys.get(row), row.id));
  };
  return fetchAfter(undefined, 0);
}

/**
 * Every row of a cursor declared in `tx`, a fetch at a time, the next fetch
 * sent before `each` works on the page just read (both overlap); an empty
 * fetch ends it. The cursor is planned for its whole result, not its first rows.
 */
async function readCursor(tx: Executor, declare: NamedQuery, params: readonly unknown[], each: (page: TextRows) => Promise<void>): Promise<number> {
  await tx.exec(xq.wholeCursor);
  await tx.exec(declare, params);
  let count = 0;
  let pending: Promise<TextRows> | undefined = tx.texts(xq.fetchExport);
  while (pending) {
    const page: TextRows = await pending;
    pending = page.rows.length ? tx.texts(xq.fetchExport) : undefined;
    pending?.catch(() => undefined); // awaited next turn; `each` failing first must not leave it unhandled
    if (page.rows.length) await each(page);
    count += page.rows.length;
  }
  return count;
}
