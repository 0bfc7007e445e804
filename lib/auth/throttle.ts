/**
 * Login throttling: after MAX_FAILURES failed logins for one email within
 * WINDOW_SECONDS, that email is refused for LOCK_SECONDS. The counts live in the
 * database (login_throttle), so every process and machine sees the same lock.
 */
import type { Executor } from '../db/index.js';
import { queries } from '../db/sql.js';

export const MAX_FAILURES = 5;
export const WINDOW_SECONDS = 15 * 60;
export const LOCK_SECONDS = 15 * 60;

const q = queries('auth', ['lockedUntil', 'recordFailure', 'lockOut', 'clearFailures'] as const);

/** When the email's lock ends, or undefined when it may try. */
export async function lockedUntil(db: Executor, email: string): Promise<Date | undefined> {
  const row = await db.one<{ lockedUntil: Date }>(q.lockedUntil, [email]);
  return row?.lockedUntil;
}

/** Count one failure; returns the lock's end when this failure started a lockout. */
export async function recordFailure(db: Executor, email: string): Promise<Date | undefined> {
  const row = await db.one<{ failures: number }>(q.recordFailure, [email, WINDOW_SECONDS]);
  if (!row || row.failures < MAX_FAILURES) return undefined;
  return (await db.one<{ lockedUntil: Date }>(q.lockOut, [email, LOCK_SECONDS]))?.lockedUntil;
}

export async function clearFailures(db: Executor, email: string): Promise<void> {
  await db.exec(q.clearFailures, [email]);
}
