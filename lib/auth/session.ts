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

const q = queries('auth', ['sessionUser'] as const);

export type SessionCheck =
  | { ok: true; actor: Actor }
  | { ok: false; reason: 'expired' | 'revoked'; message: string };

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

export function checkToken(secret: string, db: Executor, token: string): Promise<SessionCheck> {
  const verdict = verifyToken(secret, token);
  if (!verdict.ok) {
    return Promise.resolve(verdict.reason === 'expired'
      ? { ok: false, reason: 'expired', message: 'your session has expired' }
      : { ok: false, reason: 'revoked', message: 'the session token is not valid (tampered with or issued elsewhere)' });
  }
  return actorForClaims(db, verdict.claims);
}

export function createSessionVerifier(deps: { config: Config; db: Executor; token: () => string }): () => Promise<SessionCheck> {
  const secret = tokenSecret(deps.config);
  return () => checkToken(secret, deps.db, deps.token());
}
