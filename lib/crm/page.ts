/**
 * A page of a list: rows in a stable order (by a sort key, then id) and the
 * way to the next page. Keyset pagination (after the last row's (key, id)),
 * so deep pages stay as fast as the first.
 */
import { ValidationError } from '../domain/errors.js';
import type { CopyEach, TextRows } from '../db/door.js';
import type { ObjectName } from './objects.js';

/** What a page lists: one kind of record, or history entries (a timeline). */
export type PageKind = ObjectName | 'history' | 'trash';

export const DEFAULT_PAGE_SIZE = 20;

/**
 * The rest of a list as the database printed it, arrays of text (an export's
 * way through a million rows without an object or a Date each): `each` is
 * given one page after the other (the next one read while it works) and the
 * promise gives how many rows were read.
 */
export type TextsAfter = (size: number, each: (page: TextRows) => Promise<void>) => Promise<number>;

/**
 * The rest of a list in one COPY (a whole list, no filter: a CSV export's
 * fastest way): `open` is given the columns, their names and kinds in the
 * COPY's order, and returns what takes each row (COPY's text format: cells
 * split by tabs, `\N` for NULL, backslash escapes, a line feed at the end).
 * The promise gives how many rows were read.
 */
export type CopyAfter = (open: (columns: TextRows['columns']) => CopyEach) => Promise<number>;
export const MAX_PAGE_SIZE = 500;

/**
 * One page of a list. It is an array of its rows (`.length`, `.map`, `for…of`,
 * JSON), and knows the way on: `hasMore`, `next()` (what the shell's `it`
 * calls), `listed` (rows listed so far, this page included), and
 * `for await (const row of page)` runs through this page and every following
 * one, a page at a time (for scripts and exports).
 */
export class Page<T> extends Array<T> {
  // map, filter, slice… give plain arrays, not pages.
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }

  declare readonly kind: 'page';
  declare readonly object: PageKind;
  declare readonly hasMore: boolean;
  declare readonly listed: number;
  /** The rows as a plain array. */
  declare readonly rows: T[];
  /**
   * The following page (empty when there is none), of `size` rows when given
   * (export reads a whole list in large pages), else of the list's own limit.
   */
  declare readonly next: (size?: number) => Promise<Page<T>>;
  /** The rows after this page as text, `size` a page (lists that page by keyset; absent on the last page). */
  declare readonly textsAfter?: TextsAfter;
  /** The rows after this page in one COPY (whole lists that have one; absent on the last page). */
  declare readonly copyAfter?: CopyAfter;

  static make<T>(
    object: PageKind, rows: T[], hasMore: boolean, listedBefore: number, next: (listed: number, size?: number) => Promise<Page<T>>,
    textsAfter?: TextsAfter, copyAfter?: CopyAfter,
  ): Page<T> {
    const page = new Page<T>();
    page.push(...rows);
    const listed = listedBefore + rows.length;
    const hidden = (value: unknown) => ({ value, enumerable: false, writable: false, configurable: false });
    Object.defineProperties(page, {
      kind: hidden('page'), object: hidden(object), hasMore: hidden(hasMore), listed: hidden(listed), rows: hidden(rows),
      textsAfter: hidden(hasMore ? textsAfter : undefined), copyAfter: hidden(hasMore ? copyAfter : undefined),
      next: hidden((size?: number) => (hasMore ? next(listed, size) : Promise.resolve(Page.make<T>(object, [], false, listed, () => Promise.reject(new Error('no next page')))))),
    });
    return page;
  }

  /** Every row from this page on, fetching the following pages as it goes. */
  async *[Symbol.asyncIterator](): AsyncGenerator<T> {
    let page: Page<T> = this;
    for (;;) {
      yield* page.rows;
      if (!page.hasMore) return;
      page = await page.next();
    }
  }
}

export function pageSize(limit: unknown): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new ValidationError([{ field: 'limit', problem: `must be a whole number from 1 to ${MAX_PAGE_SIZE}` }]);
  }
  return limit;
}

/**
 * Build a page from a query that fetched up to `limit + 1` rows after the
 * last one of the previous page: the extra row only tells whether more exist.
 * `fetchAfter` gets the last row shown (its id, and its sort key when sorted),
 * the count listed so far, and the size asked of the next page, if any.
 */
export function makePage<T extends { id: number }>(
  object: PageKind,
  fetched: T[],
  limit: number,
  fetchAfter: (last: T, listed: number, size?: number) => Promise<Page<T>>,
  listedBefore = 0,
  textsAfter?: (last: T) => TextsAfter,
  copyAfter?: (last: T) => CopyAfter | undefined,
): Page<T> {
  const hasMore = fetched.length > limit;
  const rows = hasMore ? fetched.slice(0, limit) : fetched;
  const last = rows[rows.length - 1];
  return Page.make(
    object, rows, hasMore, listedBefore, (listed, size) => fetchAfter(last, listed, size),
    hasMore && textsAfter ? textsAfter(last) : undefined, hasMore && copyAfter ? copyAfter(last) : undefined,
  );
}

export function emptyPage<T>(object: PageKind): Page<T> {
  return Page.make<T>(object, [], false, 0, () => Promise.resolve(emptyPage<T>(object)));
}

export function isPage(value: unknown): value is Page<unknown> {
  return Array.isArray(value) && (value as { kind?: unknown }).kind === 'page' && Array.isArray((value as { rows?: unknown }).rows);
}
