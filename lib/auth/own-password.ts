/**
 * A collaborator's own password: choosing a new one (asked twice, hidden,
 * each answer checked as it is typed), changing it — the current one checked
 * by PostgreSQL like a login, the session making the change kept and every
 * other one ended (sql/migrations/010_own_passwords.sql) — and whether a
 * password management set must be replaced before working.
 */
import type { Config } from '../platform/config.js';
import type { Executor } from '../db/index.js';
import { bind, queries } from '../db/sql.js';
import { ValidationError } from '../domain/errors.js';
import type { Monitor } from '../platform/monitoring.js';
import type { Actor } from '../domain/actor.js';
import { lockedError, MIN_PASSWORD_CHARS, passwordProblem } from './passwords.js';

const q = queries('auth', ['changeOwnPassword', 'passwordChangeDue', 'checkOwnPassword'] as const);

export const WRONG_CURRENT_PASSWORD = 'the current password is wrong; nothing was changed';

/** Whether this session's collaborator must replace a password management set before anything else. */
export async function passwordChangeDue(db: Executor, sessionKey: string): Promise<boolean> {
  return (await db.one<{ due: boolean }>(q.passwordChangeDue, bind(q.passwordChangeDue, { sessionKey })))?.due ?? false;
}

/**
 * Change the password of the session's collaborator: true when changed,
 * false when the current password is wrong. AuthError when failures locked
 * the email, ValidationError when the new one is not acceptable or is the
 * current one; nothing changes then.
 */
export async function changeOwnPassword(db: Executor, _config: Config, monitor: Monitor, actor: Actor, oldPassword: string, newPassword: string): Promise<boolean> {
  const problem = passwordProblem(newPassword);
  if (problem) throw new ValidationError([{ field: 'new password', problem }]);
  if (newPassword === oldPassword) throw new ValidationError([{ field: 'new password', problem: 'must differ from the current one' }]);
  if (newPassword.trim().toLowerCase() === actor.email.toLowerCase()) throw new ValidationError([{ field: 'new password', problem: 'must not be your email' }]);
  // PostgreSQL checks the same rules again and hashes it (sql/migrations/013): raw SQL gets no weaker password.
  const row = await db.one<{ status: 'ok' | 'wrong' | 'locked' | 'lockedNow'; lockedUntil: Date | null }>(
    q.changeOwnPassword, bind(q.changeOwnPassword, { sessionKey: actor.sessionKey, oldPassword, newPassword }));
  if (row?.status === 'ok') return true;
  if (row?.status === 'lockedNow') monitor.event('login.lockout', { email: actor.email.toLowerCase(), lockedUntil: (row.lockedUntil as Date).toISOString() });
  if (row?.status === 'locked' || row?.status === 'lockedNow') throw lockedError(row.lockedUntil as Date);
  return false;
}

/**
 * The session's collaborator's current password checked alone, as
 * changeOwnPassword checks it (a wrong one counts as a failed login): true
 * when right; AuthError when failures locked the email. Nothing changes.
 */
export async function checkOwnPassword(db: Executor, monitor: Monitor, actor: Actor, password: string): Promise<boolean> {
  const row = await db.one<{ status: 'ok' | 'wrong' | 'locked' | 'lockedNow'; lockedUntil: Date | null }>(
    q.checkOwnPassword, bind(q.checkOwnPassword, { sessionKey: actor.sessionKey, password }));
  if (row?.status === 'ok') return true;
  if (row?.status === 'lockedNow') monitor.event('login.lockout', { email: actor.email.toLowerCase(), lockedUntil: (row.lockedUntil as Date).toISOString() });
  if (row?.status === 'locked' || row?.status === 'lockedNow') throw lockedError(row.lockedUntil as Date);
  return false;
}

/**
 * A new password, asked hidden and then again; an unacceptable one (or one
 * `refuse` names a problem with: the current one) is said at once and asked
 * again, as are two that differ. Undefined at end of input.
 */
export async function chooseNewPassword(askHidden: (question: string) => Promise<string | undefined>, log: (line: string) => void, question = 'New password', refuse?: (password: string) => string | undefined): Promise<string | undefined> {
  for (;;) {
    const first = await askHidden(`${question} (${MIN_PASSWORD_CHARS}+ characters): `);
    if (first === undefined) return undefined;
    const problem = passwordProblem(first) ?? refuse?.(first);
    if (problem) {
      log(`The password ${problem}; try another.`);
      continue;
    }
    const again = await askHidden(`${question} again: `);
    if (again === undefined) return undefined;
    if (again === first) return first;
    log('The two passwords differ; try again.');
  }
}
