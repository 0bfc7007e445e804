/**
 * The session check run at start and before each evaluation: the token's
 * signature and expiry, then one primary-key lookup proving the collaborator
 * still exists with the same department and token version. The version lives in
 * the database, so a revocation by management in any process is seen by every
 * other process's next check.
 */
import type { Config } from '../config.js';
import type { Executor } from '../db/index.js';
import { queries } from '../db/sql.js';
import type { Actor } from '../session.js';
import { tokenSecret } from './secret.js';
import { verifyToken, type TokenClaims } from './tokens.js';
import type { SessionWatch } from './watch.js';

const q = queries('auth', ['sessionUser'] as const);

export type SessionCheck =
  | { ok: true; actor: Actor }
  | { ok: false; reason: 'expired' | 'revoked'; message: string };

/** The collaborator as a session sees them (no hash), or undefined when gone. */
export function sessionActor(db: Executor, userId: number): Promise<Actor | undefined> {
  return db.one<Actor>(q.sessionUser, [userId]);
}

/** Why the database no longer backs these claims, or the actor when it does. */
export async function actorForClaims(db: Executor, claims: TokenClaims): Promise<SessionCheck> {
  const user = await db.one<Actor>(q.sessionUser, [claims.userId]);
  if (!user) return { ok: false, reason: 'revoked', message: 'your collaborator account no longer exists' };
  if (user.department !== claims.department) {
    return { ok: false, reason: 'revoked', message: `your department changed (now ${user.department}); log in again` };
  }
  if (user.tokenVersion !== claims.tokenVersion) {
    return { ok: false, reason: 'revoked', message: 'your password or department changed since this session began; log in again' };
  }
  return { ok: true, actor: user };
}

function tokenRefusal(reason: 'expired' | 'invalid'): SessionCheck {
  return reason === 'expired'
    ? { ok: false, reason: 'expired', message: 'your session has expired' }
    : { ok: false, reason: 'revoked', message: 'the session token is not valid (tampered with or issued elsewhere)' };
}

export function checkToken(secret: string, db: Executor, token: string): Promise<SessionCheck> {
  const verdict = verifyToken(secret, token);
  if (!verdict.ok) return Promise.resolve(tokenRefusal(verdict.reason));
  return actorForClaims(db, verdict.claims);
}

/**
 * The check before each evaluation. With a `watch` (revocations pushed by the
 * database), the signature and expiry are still verified every time, but the
 * database is asked only when the watch says so (see lib/auth/watch.ts).
 */
export function createSessionVerifier(deps: { config: Config; db: Executor; token: () => string; watch?: SessionWatch }): () => Promise<SessionCheck> {
  const secret = tokenSecret(deps.config);
  const { watch } = deps;
  if (!watch) return () => checkToken(secret, deps.db, deps.token());
  let trusted: { token: string; actor: Actor } | undefined;
  // The signature of the same token bytes under the same key cannot change:
  // once verified, only its expiry is left to check.
  let verified: { token: string; claims: TokenClaims } | undefined;
  return async () => {
    const token = deps.token();
    let claims: TokenClaims;
    if (verified?.token === token && Date.now() / 1000 < verified.claims.expiresAt) {
      claims = verified.claims;
    } else {
      const verdict = verifyToken(secret, token);
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
