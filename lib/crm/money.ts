/**
 * Amounts: exact, as numeric(12,2) holds them, never through a float beyond
 * its shortest decimal form; compared in cents (bigint).
 */
import { describeGiven, type Problems } from './validate.js';

/** numeric(12,2): at most 10 digits before the point and 2 after. */
const MONEY = /^(\d{1,10})(?:\.(\d{1,2}))?$/;
/** The largest amount numeric(12,2) holds. */
export const MAX_AMOUNT = '9999999999.99';

/**
 * An exact amount, from a string ('1500.10') or a number (1500.1, 1500); returned
 * as the canonical string with two decimals ('1500.10'). Floats are only read
 * through their shortest decimal form, so 0.1 is '0.10', never 0.1000000000000000055.
 */
export function money(value: unknown, field: string, problems: Problems): string | undefined {
  let raw: string | undefined;
  if (typeof value === 'number') raw = Number.isFinite(value) ? String(value) : undefined;
  else if (typeof value === 'string') raw = value.trim();
  const m = raw === undefined ? null : MONEY.exec(raw);
  if (!m) {
    problems.add(field, `${moneyProblem(raw)} (got ${raw !== undefined ? JSON.stringify(raw.slice(0, 40)) : describeGiven(value)})`);
    return undefined;
  }
  const units = m[1].replace(/^0+(?=\d)/, '');
  return `${units}.${(m[2] ?? '').padEnd(2, '0')}`;
}

/** Which rule an amount breaks, said with its limit. */
function moneyProblem(raw: string | undefined): string {
  const plain = raw === undefined ? null : /^(-?)(\d+)(?:\.(\d+))?$/.exec(raw);
  if (plain?.[1]) return 'must be at least 0';
  if (plain && plain[2].replace(/^0+(?=\d)/, '').length > 10) return `must be at most ${MAX_AMOUNT}, the largest amount stored`;
  if (plain && (plain[3]?.length ?? 0) > 2) return 'must have at most 2 decimals (cents)';
  return `must be an amount from 0 to ${MAX_AMOUNT} with at most 2 decimals, such as '1500.10'`;
}

/** Cents of a canonical amount, for exact comparisons. */
export function cents(amount: string): bigint {
  return BigInt(amount.replace('.', ''));
}
