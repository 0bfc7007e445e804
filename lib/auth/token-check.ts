/**
 * The token check run at start and before each evaluation: the token's
 * signature, lifetime and expiry, then the database's word on the session it
 * carries (ended, expired, whose, which installation). The database checks
 * the session again in every transaction; this check is what lets the shell
 * say why, ask for the password when it expired, or end.
 */
import type { Config } from '../platform/config.js';
import type { Executor } from '../db/index.js';
import { queries } from '../db/sql.js';
import type { Department } from '../domain/departments.js';
import type { Actor } from '../domain/actor.js';
import { authNow } from './clock.js';
import { tokenSecret } from './secret.js';
import { verifyToken, type TokenClaims } from './tokens.js';
import type { SessionWatch } from './watch.js';

const q = queries('auth', ['session', 'sessionEnding'] as const);

export type TokenCheck =
  | { ok: true; actor: Actor }
  | { ok: false; reason: 'expired' | 'revoked'; message: string };

interface SessionRow {
  id: number;
  email: string;
  fullName: string;
  department: Department;
  expiresAt: Date;
  expired: boolean;
  installation: string;
}

export const SESSION_ENDED = 'your session has ended (logged out, ended by management, or your password, email or department changed); log in again';

export const ACCOUNT_DELETED = 'your account was deleted: logging in again cannot work (ask management)';
export const SESSION_CAPPED = 'your session was ended because you opened more sessions than the team allows (setup sets how many; the oldest end first); log in again';

/**
 * Why a session that is gone ended, when its holder cannot tell by itself:
 * the account deleted, or the cap on sessions per collaborator
 * (sql/migrations/020_session_endings.sql); else the usual words.
 */
export async function sessionEndedBecause(db: Executor, sessionKey: string): Promise<string> {
  const reason = (await db.one<{ reason: string | null }>(q.sessionEnding, [sessionKey]))?.reason;
  return reason === 'deleted' ? ACCOUNT_DELETED : reason === 'cap' ? SESSION_CAPPED : SESSION_ENDED;
}

/** Why the database no longer backs these claims, or the actor when it does. */
export async function actorForClaims(db: Executor, claims: TokenClaims): Promise<TokenCheck> {
  const row = await db.one<SessionRow>(q.session, [claims.sessionKey]);
  if (!row) return { ok: false, reason: 'revoked', message: await sessionEndedBecause(db, claims.sessionKey) };
  if (row.id !== claims.userId) return { ok: false, reason: 'revoked', message: SESSION_ENDED };
  if (row.installation !== claims.installation) {
    return { ok: false, reason: 'revoked', message: 'the session token was issued by another installation' };
  }
  if (row.email.toLowerCase() !== claims.email) return { ok: false, reason: 'revoked', message: SESSION_ENDED };
  if (row.department !== claims.department) {
    return { ok: false, reason: 'revoked', message: `your department changed (now ${row.department}); log in again` };
  }
  if (row.expired) return { ok: false, reason: 'expired', message: 'your session has expired' };
  return {
    ok: true,
    actor: {
      id: row.id, email: row.email, fullName: row.fullName, department: row.department, sessionKey: claims.sessionKey, sessionExpiresAt: row.expiresAt,
      ...(claims.dbLogin ? { dbLogin: claims.dbLogin } : {}),
    },
  };
}

function tokenRefusal(reason: 'expired' | 'invalid'): TokenCheck {
  return reason === 'expired'
    ? { ok: false, reason: 'expired', message: 'your session has expired' }
    : { ok: false, reason: 'revoked', message: 'the session token is not valid (tampered with or issued elsewhere)' };
}

export function checkToken(config: Config, db: Executor, token: string): Promise<TokenCheck> {
  const verdict = verifyToken(tokenSecret(config), token, config.tokenTtlSeconds);
  if (!verdict.ok) return Promise.resolve(tokenRefusal(verdict.reason));
  return actorForClaims(db, verdict.claims);
}

/**
 * The check before each evaluation. With a `watch` (revocations pushed by the
 * database), the signature and expiry are still verified every time, but the
 * database is asked only when the watch says so (see lib/auth/watch.ts).
 */
export function createTokenCheck(deps: { config: Config; db: Executor; token: () => string; watch?: SessionWatch }): () => Promise<TokenCheck> {
  const { config, watch } = deps;
  if (!watch) return () => checkToken(config, deps.db, deps.token());
  const secret = tokenSecret(config);
  let trusted: { token: string; actor: Actor } | undefined;
  // The signature of the same token bytes under the same key cannot change:
  // once verified, only its expiry is left to check.
  let verified: { token: string; claims: TokenClaims } | undefined;
  return async () => {
    const token = deps.token();
    let claims: TokenClaims;
    if (verified?.token === token && authNow() / 1000 < verified.claims.expiresAt) {
      claims = verified.claims;
    } else {
      const verdict = verifyToken(secret, token, config.tokenTtlSeconds);
      if (!verdict.ok) return tokenRefusal(verdict.reason);
      claims = verdict.claims;
      verified = { token, claims };
    }
    const userId = claims.userId;
    if (trusted?.token === token && !watch.needsCheck(userId)) return { ok: true, actor: trusted.actor };
    watch.checking(userId);
    const check = await actorForClaims(deps.db, claims);
    trusted = check.ok ? { token, actor: check.actor } : undefined;
    return check;
  };
}
