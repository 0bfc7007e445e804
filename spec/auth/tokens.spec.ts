import crypto from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { issueToken, TOKEN_AUDIENCE, TOKEN_ISSUER, verifyToken } from '../../lib/auth/tokens.js';
import { shiftAuthClock } from '../support/auth-clock.js';

const SECRET = crypto.randomBytes(48).toString('base64url');
const SESSION_KEY = `42.${'ab'.repeat(32)}`;
const INSTALLATION = '0b1f8e8e-6a0c-4c5e-9a55-6f3f3c1d2e4f';
const TTL = 3600;
const actor = { id: 7, email: 'alice@epic.events', fullName: 'Alice', department: 'sales' as const, sessionKey: SESSION_KEY, sessionExpiresAt: new Date(Date.now() + TTL * 1000) };
const claimsOf = (extra: object = {}) => ({ department: 'sales', email: 'alice@epic.events', sid: SESSION_KEY, iid: INSTALLATION, ...extra });

function b64(obj: object): string {
  return Buffer.from(JSON.stringify(obj)).toString('base64url');
}

describe('auth/tokens', () => {
  it('issues an HS256 token whose claims verify: sub, email, department, session, installation, iss, aud, exp', () => {
    const token = issueToken(SECRET, actor, INSTALLATION);
    const check = verifyToken(SECRET, token, TTL);
    expect(check.ok).to.equal(true);
    if (!check.ok) return;
    expect(check.claims).to.include({ userId: 7, email: 'alice@epic.events', department: 'sales', sessionKey: SESSION_KEY, installation: INSTALLATION });
    expect(check.claims.expiresAt).to.equal(Math.floor(actor.sessionExpiresAt.getTime() / 1000));
    const decoded = jwt.decode(token, { complete: true }) as jwt.Jwt;
    expect(decoded.header.alg).to.equal('HS256');
    expect(decoded.payload).to.include({ iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, sub: '7' });
  });

  it('refuses an alg:none token', () => {
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claimsOf(), sub: '7', department: 'management', iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
    expect(verifyToken(SECRET, token, TTL)).to.deep.equal({ ok: false, reason: 'invalid' });
  });

  it('refuses an HS256 token signed with another secret', () => {
    const token = issueToken(crypto.randomBytes(48).toString('base64url'), actor, INSTALLATION);
    expect(verifyToken(SECRET, token, TTL)).to.deep.equal({ ok: false, reason: 'invalid' });
  });

  it('refuses RS256 tokens and HS256 tokens signed with an RSA public key (algorithm confusion)', () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const claims = { ...claimsOf(), department: 'management' };
    const options = { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, subject: '7', expiresIn: 3600 };
    const rs256 = jwt.sign(claims, privateKey.export({ type: 'pkcs1', format: 'pem' }) as string, { ...options, algorithm: 'RS256' });
    expect(verifyToken(SECRET, rs256, TTL)).to.deep.equal({ ok: false, reason: 'invalid' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    // Hand-made: jsonwebtoken itself refuses to HMAC with a PEM key.
    const header = b64({ alg: 'HS256', typ: 'JWT' });
    const payload = b64({ ...claims, sub: '7', iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, exp: Math.floor(Date.now() / 1000) + 3600 });
    const signature = crypto.createHmac('sha256', pem).update(`${header}.${payload}`).digest('base64url');
    expect(verifyToken(SECRET, `${header}.${payload}.${signature}`, TTL)).to.deep.equal({ ok: false, reason: 'invalid' });
  });

  it('refuses a token whose payload was edited (department changed)', () => {
    const [header, payload, signature] = issueToken(SECRET, actor, INSTALLATION).split('.');
    const edited = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), department: 'management' };
    expect(verifyToken(SECRET, `${header}.${b64(edited)}.${signature}`, TTL)).to.deep.equal({ ok: false, reason: 'invalid' });
  });

  it('reports an expired token of ours as expired', () => {
    const token = jwt.sign(claimsOf({ iat: Math.floor(Date.now() / 1000) - 100, exp: Math.floor(Date.now() / 1000) - 10 }), SECRET, { algorithm: 'HS256', issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, subject: '7' });
    expect(verifyToken(SECRET, token, TTL)).to.deep.equal({ ok: false, reason: 'expired' });
  });

  it('refuses a token for another audience or issuer', () => {
    const base = { algorithm: 'HS256' as const, subject: '7', expiresIn: 3600 };
    const otherAudience = jwt.sign(claimsOf(), SECRET, { ...base, issuer: TOKEN_ISSUER, audience: 'someone-else' });
    const otherIssuer = jwt.sign(claimsOf(), SECRET, { ...base, issuer: 'someone-else', audience: TOKEN_AUDIENCE });
    expect(verifyToken(SECRET, otherAudience, TTL).ok).to.equal(false);
    expect(verifyToken(SECRET, otherIssuer, TTL).ok).to.equal(false);
  });

  it('refuses a signed token with malformed claims (no department, non-numeric subject)', () => {
    const opts = { algorithm: 'HS256' as const, issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, expiresIn: 3600 };
    expect(verifyToken(SECRET, jwt.sign({ ...claimsOf(), department: undefined }, SECRET, { ...opts, subject: '7' }), TTL).ok).to.equal(false);
    expect(verifyToken(SECRET, jwt.sign(claimsOf(), SECRET, { ...opts, subject: 'admin' }), TTL).ok).to.equal(false);
    expect(verifyToken(SECRET, jwt.sign(claimsOf({ sid: '1.short' }), SECRET, { ...opts, subject: '7' }), TTL).ok).to.equal(false);
    expect(verifyToken(SECRET, jwt.sign(claimsOf({ iid: undefined }), SECRET, { ...opts, subject: '7' }), TTL).ok).to.equal(false);
  });

  it('refuses a token that claims to live longer than TOKEN_TTL (a 10-year token forged with the local secret)', () => {
    const opts = { algorithm: 'HS256' as const, issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, subject: '7' };
    const tenYears = jwt.sign(claimsOf(), SECRET, { ...opts, expiresIn: 10 * 365 * 24 * 3600 });
    expect(verifyToken(SECRET, tenYears, TTL)).to.deep.equal({ ok: false, reason: 'invalid' });
    expect(verifyToken(SECRET, jwt.sign(claimsOf(), SECRET, { ...opts, expiresIn: TTL }), TTL).ok).to.equal(true);
  });

  it('reads a token of the release before database sessions (a version, no session) as expired: the password is asked once', () => {
    const old = jwt.sign({ department: 'sales', ver: 1 }, SECRET, { algorithm: 'HS256', issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, subject: '7', expiresIn: 600 });
    expect(verifyToken(SECRET, old, TTL)).to.deep.equal({ ok: false, reason: 'expired' });
  });

  it('never lives longer than TOKEN_TTL from now, even when the session (by the database clock) ends later', () => {
    const farSession = { ...actor, sessionExpiresAt: new Date(Date.now() + 3 * TTL * 1000) };
    const token = issueToken(SECRET, farSession, INSTALLATION, TTL);
    const check = verifyToken(SECRET, token, TTL);
    expect(check.ok).to.equal(true);
    const { iat, exp } = jwt.decode(token) as { iat: number; exp: number };
    expect(exp - iat).to.equal(TTL);
  });

  describe('by the injected auth clock (lib/auth/clock.ts), no real wait', () => {
    afterEach(() => shiftAuthClock(0));

    it('issues and checks expiry by it: a 60 s token is valid until the clock passes its end, then expired', () => {
      const token = issueToken(SECRET, actor, INSTALLATION, 60);
      const { iat, exp } = jwt.decode(token) as { iat: number; exp: number };
      expect(exp - iat).to.equal(60);
      shiftAuthClock(59);
      expect(verifyToken(SECRET, token, TTL).ok).to.equal(true);
      shiftAuthClock(61);
      expect(verifyToken(SECRET, token, TTL)).to.deep.equal({ ok: false, reason: 'expired' });
    });

    it('a token issued by a clock an hour back is expired by the real one', () => {
      shiftAuthClock(-3600);
      const token = issueToken(SECRET, actor, INSTALLATION, 60);
      expect((jwt.decode(token) as { iat: number }).iat).to.be.closeTo(Math.floor(Date.now() / 1000) - 3600, 2);
      shiftAuthClock(0);
      expect(verifyToken(SECRET, token, TTL)).to.deep.equal({ ok: false, reason: 'expired' });
    });
  });
});
