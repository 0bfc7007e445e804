/**
 * A page of a list: rows in a stable order (by id) and the way to the next
 * page. Keyset pagination (`id > last id`), so deep pages stay as fast as the first.
 */
import { ValidationError } from '../errors.js';
import type { ObjectName } from './describe.js';

/** What a page lists: one kind of record, or history entries (a timeline). */
export type PageKind = ObjectName | 'history';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 500;

export interface Page<T> {
  readonly kind: 'page';
  readonly object: PageKind;
  readonly rows: T[];
  readonly hasMore: boolean;
  /**
   * The following page (empty when there is none), of `size` rows when given
   * (export reads a whole list in large pages), else of the list's own limit.
   */
  next(size?: number): Promise<Page<T>>;
}

export function pageSize(limit: unknown): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new ValidationError([{ field: 'limit', problem: `must be a whole number from 1 to ${MAX_PAGE_SIZE}` }]);
  }
  return limit;
}

/**
 * Build a page from a query that fetched up to `limit + 1` rows after `afterId`:
 * the extra row only tells whether more exist.
 */
export function makePage<T extends { id: number }>(
  object: PageKind,
  fetched: T[],
  limit: number,
  fetchAfter: (afterId: number, size?: number) => Promise<Page<T>>,
): Page<T> {
  const hasMore = fetched.length > limit;
  const rows = hasMore ? fetched.slice(0, limit) : fetched;
  const lastId = rows.length ? rows[rows.length - 1].id : undefined;
  return {
    kind: 'page',
    object,
    rows,
    hasMore,
    next: async (size?: number) => (hasMore && lastId !== undefined ? fetchAfter(lastId, size) : { kind: 'page', object, rows: [], hasMore: false, next: async () => emptyPage(object) }),
  };
}

export function emptyPage<T>(object: PageKind): Page<T> {
  return { kind: 'page', object, rows: [], hasMore: false, next: async () => emptyPage<T>(object) };
}

export function isPage(value: unknown): value is Page<unknown> {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'page' && Array.isArray((value as { rows?: unknown }).rows);
}
