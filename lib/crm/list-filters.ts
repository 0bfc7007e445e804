/**
 * What a list's filters read beyond single fields: search words (clients.list,
 * users.list, find) and the page limit. Split from validate.ts, whose checks
 * they use.
 */
import { ValidationError } from '../domain/errors.js';
import { pageSize } from './page.js';
import { text, type Problems } from './validate.js';

/** A text that is a whole phone number (`06 12 34 56 78`, `+33 6 …`): searched as one number, not as words. */
export function isWholePhone(value: string): boolean {
  return /^\s*\+?[\d ().-]+$/.test(value) && value.replace(/\D/g, '').length >= 6;
}

/** A search term as a LIKE pattern matching it anywhere, with its own % _ \ taken literally. */
function containsPattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Words a search may hold (each one an index scan, sql/clients.sql searchClients). */
export const MAX_SEARCH_WORDS = 4;

/**
 * A search (clients.list, users.list, find): its words as LIKE patterns, each
 * to be found anywhere in the record's search document, in any order. The
 * database lowers case and removes accents (search_text, sql/migrations/008);
 * a word that looks like part of a phone number keeps only its digits, as
 * the document does ('06.12' finds '06 12 34 56 78').
 */
export function searchWords(value: unknown, field: string, problems: Problems): string[] | undefined {
  const v = text(value, field, problems, { max: 200, singleLine: true });
  if (v === undefined) return undefined;
  // A whole phone number (`06 12 34 56 78`) is one word: its digits.
  const words = isWholePhone(v) ? [v.replace(/\D/g, '')] : v.split(/\s+/).filter(Boolean).map((w) => (/^\+?[\d().-]*\d[\d().-]*$/.test(w) ? w.replace(/\D/g, '') : w));
  if (words.length === 0) problems.add(field, 'must hold at least one word');
  else if (words.length > MAX_SEARCH_WORDS) problems.add(field, `must be at most ${MAX_SEARCH_WORDS} words (got ${words.length})`);
  else return words.map(containsPattern);
  return undefined;
}

/** The `limit` key of a list's filters, as a field check (absent: the default page size). */
export function pageLimitField(value: unknown, field: string, problems: Problems): number | undefined {
  const before = problems.list.length;
  const n = pageLimit(value, problems);
  return problems.list.length === before ? n : undefined;
}

/** The `limit` of a list (default 20, at most 500), as one more field problem when bad. */
export function pageLimit(limit: unknown, problems: Problems): number {
  try {
    return pageSize(limit);
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    for (const pr of err.problems) problems.add(pr.field, pr.problem);
    return 1;
  }
}
