/**
 * Session tokens: JWT, HS256 only (pinned on verify, so `alg: none` and RS256/HS256
 * confusion are refused), issuer and audience set and checked, a lifetime from
 * TOKEN_TTL, and the collaborator's token version so that a new password or
 * department ends older sessions.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { isDepartment, type Department } from '../permissions.js';
import type { Actor } from '../session.js';

export const TOKEN_ISSUER = 'epic-events';
export const TOKEN_AUDIENCE = 'epic-events-shell';
const ALGORITHM = 'HS256';

/** What a verified token says. */
export interface TokenClaims {
  userId: number;
  department: Department;
  tokenVersion: number;
  /** Expiry, seconds since the epoch. */
  expiresAt: number;
}

/**
 * The secret as a KeyObject, built once: given a string, jsonwebtoken tries
 * createPublicKey (which throws) and then createSecretKey on every verify,
 * about a third of a millisecond that the shell paid before each evaluation.
 */
let cachedKey: { secret: string; key: KeyObject } | undefined;
function verificationKey(secret: string): KeyObject {
  if (cachedKey?.secret !== secret) cachedKey = { secret, key: createSecretKey(Buffer.from(secret, 'utf8')) };
  return cachedKey.key;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: 'expired' | 'invalid' };

export function issueToken(secret: string, actor: Pick<Actor, 'id' | 'department' | 'tokenVersion'>, ttlSeconds: number): string {
  return jwt.sign({ department: actor.department, ver: actor.tokenVersion }, secret, {
    algorithm: ALGORITHM,
    issuer: TOKEN_ISSUER,
    audience: TOKEN_AUDIENCE,
    subject: String(actor.id),
    expiresIn: ttlSeconds,
  });
}

/**
 * Signature first, then expiry: an expired token is reported as expired only when
 * it was really ours; anything tampered, foreign or malformed is `invalid`.
 */
export function verifyToken(secret: string, token: string): TokenCheck {
  let payload: jwt.JwtPayload | string;
  try {
    payload = jwt.verify(token, verificationKey(secret), { algorithms: [ALGORITHM], issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE });
  } catch (err) {
    return { ok: false, reason: err instanceof jwt.TokenExpiredError ? 'expired' : 'invalid' };
  }
  if (typeof payload === 'string') return { ok: false, reason: 'invalid' };
  const { sub, department, ver, exp } = payload as jwt.JwtPayload & { department?: unknown; ver?: unknown };
  if (typeof sub !== 'string' || !/^[1-9]\d{0,9}$/.test(sub)) return { ok: false, reason: 'invalid' };
  if (!isDepartment(department) || typeof ver !== 'number' || !Number.isInteger(ver) || typeof exp !== 'number') {
    return { ok: false, reason: 'invalid' };
  }
  return { ok: true, claims: { userId: Number(sub), department, tokenVersion: ver, expiresAt: exp } };
}
