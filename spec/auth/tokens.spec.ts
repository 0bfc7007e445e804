import crypto from 'node:crypto';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { issueToken, TOKEN_AUDIENCE, TOKEN_ISSUER, verifyToken } from '../../lib/auth/tokens.js';

const SECRET = crypto.randomBytes(48).toString('base64url');
const actor = { id: 7, department: 'sales' as const, tokenVersion: 3 };

function b64(obj: object): string {
  return Buffer.from(JSON.stringify(obj)).toString('base64url');
}

describe('auth/tokens', () => {
  it('issues an HS256 token whose claims verify: sub, department, version, iss, aud, exp', () => {
    const token = issueToken(SECRET, actor, 3600);
    const check = verifyToken(SECRET, token);
    expect(check.ok).to.equal(true);
    if (!check.ok) return;
    expect(check.claims).to.include({ userId: 7, department: 'sales', tokenVersion: 3 });
    const decoded = jwt.decode(token, { complete: true }) as jwt.Jwt;
    expect(decoded.header.alg).to.equal('HS256');
    expect(decoded.payload).to.include({ iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, sub: '7' });
  });

  it('refuses an alg:none token', () => {
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: '7', department: 'management', ver: 3, iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, exp: Math.floor(Date.now() / 1000) + 3600 })}.`;
    expect(verifyToken(SECRET, token)).to.deep.equal({ ok: false, reason: 'invalid' });
  });

  it('refuses an HS256 token signed with another secret', () => {
    const token = issueToken(crypto.randomBytes(48).toString('base64url'), actor, 3600);
    expect(verifyToken(SECRET, token)).to.deep.equal({ ok: false, reason: 'invalid' });
  });

  it('refuses RS256 tokens and HS256 tokens signed with an RSA public key (algorithm confusion)', () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const claims = { department: 'management', ver: 3 };
    const options = { issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, subject: '7', expiresIn: 3600 };
    const rs256 = jwt.sign(claims, privateKey.export({ type: 'pkcs1', format: 'pem' }) as string, { ...options, algorithm: 'RS256' });
    expect(verifyToken(SECRET, rs256)).to.deep.equal({ ok: false, reason: 'invalid' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    // Hand-made: jsonwebtoken itself refuses to HMAC with a PEM key.
    const header = b64({ alg: 'HS256', typ: 'JWT' });
    const payload = b64({ ...claims, sub: '7', iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, exp: Math.floor(Date.now() / 1000) + 3600 });
    const signature = crypto.createHmac('sha256', pem).update(`${header}.${payload}`).digest('base64url');
    expect(verifyToken(SECRET, `${header}.${payload}.${signature}`)).to.deep.equal({ ok: false, reason: 'invalid' });
  });

  it('refuses a token whose payload was edited (department changed)', () => {
    const [header, payload, signature] = issueToken(SECRET, actor, 3600).split('.');
    const edited = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), department: 'management' };
    expect(verifyToken(SECRET, `${header}.${b64(edited)}.${signature}`)).to.deep.equal({ ok: false, reason: 'invalid' });
  });

  it('reports an expired token of ours as expired', () => {
    const token = jwt.sign({ department: 'sales', ver: 3, exp: Math.floor(Date.now() / 1000) - 10 }, SECRET, { algorithm: 'HS256', issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, subject: '7' });
    expect(verifyToken(SECRET, token)).to.deep.equal({ ok: false, reason: 'expired' });
  });

  it('refuses a token for another audience or issuer', () => {
    const base = { algorithm: 'HS256' as const, subject: '7', expiresIn: 3600 };
    const otherAudience = jwt.sign({ department: 'sales', ver: 3 }, SECRET, { ...base, issuer: TOKEN_ISSUER, audience: 'someone-else' });
    const otherIssuer = jwt.sign({ department: 'sales', ver: 3 }, SECRET, { ...base, issuer: 'someone-else', audience: TOKEN_AUDIENCE });
    expect(verifyToken(SECRET, otherAudience).ok).to.equal(false);
    expect(verifyToken(SECRET, otherIssuer).ok).to.equal(false);
  });

  it('refuses a signed token with malformed claims (no department, non-numeric subject)', () => {
    const opts = { algorithm: 'HS256' as const, issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, expiresIn: 3600 };
    expect(verifyToken(SECRET, jwt.sign({ ver: 1 }, SECRET, { ...opts, subject: '7' })).ok).to.equal(false);
    expect(verifyToken(SECRET, jwt.sign({ department: 'sales', ver: 1 }, SECRET, { ...opts, subject: 'admin' })).ok).to.equal(false);
  });
});
