/**
 * The HS256 tokens of lib/auth/hs256.ts, checked against jsonwebtoken (the
 * library it replaces on the start-up path): what one signs the other reads,
 * and jsonwebtoken's refusals hold (not before, a malformed expiry, a token
 * of more or fewer parts, an altered signature, a header not HS256).
 */
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { signHs256, verifyHs256 } from '../../lib/auth/hs256.js';

const KEY = 'a-test-secret-of-more-than-32-bytes-0123456789';
const EXPECT = { issuer: 'iss-a', audience: 'aud-a' };
const base = { algorithm: 'HS256' as const, issuer: 'iss-a', audience: 'aud-a' };

describe('auth/hs256', () => {
  it('reads what jsonwebtoken signs, and jsonwebtoken reads what it signs', () => {
    const theirs = jwt.sign({ x: 1 }, KEY, { ...base, subject: '7', expiresIn: 60 });
    expect(verifyHs256(theirs, KEY, EXPECT)).to.include({ x: 1, sub: '7', iss: 'iss-a', aud: 'aud-a' });
    const ours = signHs256({ x: 2, iss: 'iss-a', aud: 'aud-a', exp: Math.floor(Date.now() / 1000) + 60 }, KEY);
    expect(jwt.verify(ours, KEY, { algorithms: ['HS256'], issuer: 'iss-a', audience: 'aud-a' })).to.include({ x: 2 });
    expect(jwt.decode(ours, { complete: true })?.header).to.deep.equal({ alg: 'HS256', typ: 'JWT' });
  });

  it('accepts an audience list that holds ours', () => {
    expect(verifyHs256(jwt.sign({}, KEY, { ...base, audience: ['other', 'aud-a'] }), KEY, EXPECT)).to.be.an('object');
  });

  it('refuses a token not valid yet, a non-numeric expiry or issue time, and says expired only for a good signature', () => {
    expect(verifyHs256(jwt.sign({}, KEY, { ...base, notBefore: 3600 }), KEY, EXPECT)).to.equal('invalid');
    expect(verifyHs256(signHs256({ ...EXPECT, aud: 'aud-a', iss: 'iss-a', exp: 'never' }, KEY), KEY, EXPECT)).to.equal('invalid');
    expect(verifyHs256(signHs256({ aud: 'aud-a', iss: 'iss-a', iat: 'now' }, KEY), KEY, EXPECT)).to.equal('invalid');
    const expired = signHs256({ aud: 'aud-a', iss: 'iss-a', exp: 1000 }, KEY);
    expect(verifyHs256(expired, KEY, EXPECT)).to.equal('expired');
    expect(verifyHs256(expired, 'another-secret-of-more-than-32-bytes-xxxxxxxxx', EXPECT)).to.equal('invalid');
  });

  it('refuses malformed tokens: parts missing or extra, altered signature, a header other than HS256, JSON that is not an object', () => {
    const good = jwt.sign({}, KEY, base);
    const [h, p, s] = good.split('.');
    const flip = (c: string) => (c === 'A' ? 'B' : 'A');
    for (const bad of [`${h}.${p}`, `${good}.x`, `${h}.${p}.${flip(s[0])}${s.slice(1)}`, `${h}.${p}.`, `${h}.${p}.${s}=`, '', `..`]) {
      expect(verifyHs256(bad, KEY, EXPECT), bad).to.equal('invalid');
    }
    const header = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const resign = (hd: string, pl: string) => `${hd}.${pl}.${jwt.sign({}, KEY, base).split('.')[2]}`;
    expect(verifyHs256(resign(header({ alg: 'none' }), p), KEY, EXPECT)).to.equal('invalid');
    const arrayBody = Buffer.from('[1,2]').toString('base64url');
    const signed = (hd: string, pl: string) => {
      const t = signHs256({}, KEY).split('.');
      return `${hd}.${pl}.${t[2]}`;
    };
    expect(verifyHs256(signed(h, arrayBody), KEY, EXPECT)).to.equal('invalid');
  });
});
