/**
 * JSON Web Tokens signed with HS256, and nothing else, on node:crypto: the
 * token check runs before every call, and loading a general JWT library
 * (jsonwebtoken and its dependencies) cost as much start-up time as the
 * database driver. Verification follows jsonwebtoken's order and rules
 * (RFC 7519): the header must say HS256 (so `alg: none` and RS256/HS256
 * confusion are refused), then the signature (constant time), then
 * `nbf`, `exp` (expired), audience and issuer.
 */
import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';

export type Claims = Record<string, unknown>;

const PART = /^[A-Za-z0-9_-]*$/;
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

const sign = (key: KeyObject | string, data: string) => createHmac('sha256', key).update(data).digest();

/** A token of `claims` (issuer, audience and subject included by the caller). */
export function signHs256(claims: Claims, key: KeyObject | string): string {
  const body = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${body}.${sign(key, body).toString('base64url')}`;
}

function decodePart(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Claims => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The claims of a valid token, 'expired' (ours, signature good, past its time) or 'invalid'. */
export function verifyHs256(token: string, key: KeyObject | string, expect: { issuer: string; audience: string }, now = Math.floor(Date.now() / 1000)): Claims | 'expired' | 'invalid' {
  if (typeof token !== 'string') return 'invalid';
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((p) => PART.test(p)) || !parts[0] || !parts[1] || !parts[2]) return 'invalid';
  const header = decodePart(parts[0]);
  if (!isObject(header) || header.alg !== 'HS256') return 'invalid';
  const given = Buffer.from(parts[2], 'base64url');
  const wanted = sign(key, `${parts[0]}.${parts[1]}`);
  if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) return 'invalid';
  const claims = decodePart(parts[1]);
  if (!isObject(claims)) return 'invalid';
  if (claims.iat !== undefined && typeof claims.iat !== 'number') return 'invalid';
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || now < claims.nbf)) return 'invalid';
  if (claims.exp !== undefined) {
    if (typeof claims.exp !== 'number') return 'invalid';
    if (now >= claims.exp) return 'expired';
  }
  const aud = claims.aud;
  if (!(aud === expect.audience || (Array.isArray(aud) && aud.includes(expect.audience)))) return 'invalid';
  if (claims.iss !== expect.issuer) return 'invalid';
  return claims;
}
