/**
 * Session tokens: JWT, HS256 only (pinned on verify, so `alg: none` and RS256/HS256
 * confusion are refused), issuer and audience set and checked. A token carries
 * the database session it was issued for (the key the login returned), the
 * email it was stored under and the installation it belongs to, and lives no
 * longer than TOKEN_TTL. The signature only protects the store from tampering:
 * the database checks the session itself on every transaction, so a token
 * forged with the local secret gains nothing there.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { signHs256, verifyHs256 } from './hs256.js';
import { authNow } from './clock.js';
import { isDepartment, type Department } from '../domain/departments.js';
import type { Actor, DbLogin } from '../domain/actor.js';

export const TOKEN_ISSUER = 'epic-events';
export const TOKEN_AUDIENCE = 'epic-events-shell';
const SESSION_KEY = /^[0-9]{1,18}\.[0-9a-f]{64}$/;
const INSTALLATION = /^[0-9a-f-]{36}$/;
const DB_ROLE = /^epic_s_[0-9a-f]{12}_[0-9]{1,18}$/;
const DB_PASSWORD = /^[A-Za-z0-9_-]{32}$/;

/** What a verified token says. */
export interface TokenClaims {
  userId: number;
  email: string;
  department: Department;
  sessionKey: string;
  installation: string;
  /** Expiry, seconds since the epoch. */
  expiresAt: number;
  /** The session's database login (absent from a token of the release before session roles). */
  dbLogin?: DbLogin;
}

/**
 * The secret as a KeyObject, built once (the HMAC of every check reuses it).
 */
let cachedKey: { secret: string; key: KeyObject } | undefined;
function verificationKey(secret: string): KeyObject {
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: createSecretKey(Buffer.from(secret, 'utf8')) };
  return cachedKey.key;
}

/**
 * `expired`: ours but past its time (or of a release before database sessions):
 * the password is asked again. `invalid`: tampered, foreign, malformed, or
 * claiming a lifetime longer than TOKEN_TTL.
 */
export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: 'expired' | 'invalid' };

/**
 * A token for the actor's session: it expires with the session, and never
 * more than `maxTtlSeconds` (TOKEN_TTL) after now, whatever the database's
 * clock says (a server clock ahead of ours must not make it look too long).
 */
export function issueToken(secret: string, actor: Actor, installation: string, maxTtlSeconds = Number.POSITIVE_INFINITY): string {
  const now = Math.floor(authNow() / 1000);
  const sessionEnd = Math.floor(actor.sessionExpiresAt.getTime() / 1000);
  return signHs256(
    { department: actor.department, email: actor.email.toLowerCase(), sid: actor.sessionKey, iid: installation, iat: now,
      exp: Math.max(now + 1, Math.min(sessionEnd, now + maxTtlSeconds)), aud: TOKEN_AUDIENCE, iss: TOKEN_ISSUER, sub: String(actor.id),
      ...(actor.dbLogin ? { rol: actor.dbLogin.role, rpw: actor.dbLogin.password } : {}) },
    verificationKey(secret),
  );
}

/**
 * Signature first, then expiry: an expired token is reported as expired only when
 * it was really ours; anything tampered, foreign or malformed is `invalid`.
 */
export function verifyToken(secret: string, token: string, maxTtlSeconds: number): TokenCheck {
  const payload = verifyHs256(token, verificationKey(secret), { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE }, Math.floor(authNow() / 1000));
  if (payload === 'expired' || payload === 'invalid') return { ok: false, reason: payload };
  const { sub, department, email, sid, iid, exp, iat, ver, rol, rpw } = payload;
  // A token of the release before database sessions: ours, but it opens nothing now.
  if (sid === undefined && typeof ver === 'number') return { ok: false, reason: 'expired' };
  if (typeof sub !== 'string' || !/^[1-9]\d{0,9}$/.test(sub)) return { ok: false, reason: 'invalid' };
  if (!isDepartment(department) || typeof email !== 'string' || typeof sid !== 'string' || !SESSION_KEY.test(sid)
    || typeof iid !== 'string' || !INSTALLATION.test(iid) || typeof exp !== 'number' || typeof iat !== 'number') {
    return { ok: false, reason: 'invalid' };
  }
  if (exp - iat > maxTtlSeconds) return { ok: false, reason: 'invalid' };
  if ((rol !== undefined || rpw !== undefined) && !(typeof rol === 'string' && DB_ROLE.test(rol) && typeof rpw === 'string' && DB_PASSWORD.test(rpw))) {
    return { ok: false, reason: 'invalid' };
  }
  const dbLogin = typeof rol === 'string' && typeof rpw === 'string' ? { role: rol, password: rpw } : undefined;
  return { ok: true, claims: { userId: Number(sub), email, department, sessionKey: sid, installation: iid, expiresAt: exp, ...(dbLogin ? { dbLogin } : {}) } };
}
