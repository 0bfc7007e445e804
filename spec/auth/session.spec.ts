import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { tokenSecret } from '../../lib/auth/secret.js';
import { createSessionVerifier } from '../../lib/auth/session.js';
import { issueToken, TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../lib/auth/tokens.js';
import { createUsers } from '../../lib/crm/users.js';
import { Database } from '../../lib/db/index.js';
import type { Actor } from '../../lib/session.js';
import { ctx, resetData } from '../support/server.js';
import { addCollaborator, depsFor } from '../support/users.js';

describe('auth/session (createSessionVerifier)', () => {
  let manager: Actor;
  let seller: Actor;
  let secret: string;
  beforeEach(async () => {
    await resetData();
    manager = await addCollaborator('management');
    seller = await addCollaborator('sales');
    secret = tokenSecret(ctx().config);
  });

  const verifierFor = (token: string, db: Database = ctx().db) => createSessionVerifier({ config: ctx().config, db, token: () => token });

  it('accepts a valid token and returns the collaborator from the database', async () => {
    const check = await verifierFor(issueToken(secret, seller, 3600))();
    expect(check).to.deep.include({ ok: true });
    if (check.ok) expect(check.actor).to.deep.equal({ id: seller.id, email: seller.email, fullName: seller.fullName, department: 'sales', tokenVersion: seller.tokenVersion });
  });

  it('reports an expired token as expired', async () => {
    const token = jwt.sign({ department: 'sales', ver: seller.tokenVersion, exp: Math.floor(Date.now() / 1000) - 5 }, secret, { algorithm: 'HS256', issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, subject: String(seller.id) });
    expect(await verifierFor(token)()).to.deep.include({ ok: false, reason: 'expired' });
  });

  it('revokes a tampered token', async () => {
    const [h, , s] = issueToken(secret, seller, 3600).split('.');
    const payload = Buffer.from(JSON.stringify({ sub: String(seller.id), department: 'management', ver: 1, iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, exp: 4102444800 })).toString('base64url');
    expect(await verifierFor(`${h}.${payload}.${s}`)()).to.deep.include({ ok: false, reason: 'revoked' });
  });

  it('revokes the token of a deleted collaborator', async () => {
    const verify = verifierFor(issueToken(secret, seller, 3600));
    await createUsers(depsFor(manager)).delete(seller.id);
    const check = await verify();
    expect(check).to.deep.include({ ok: false, reason: 'revoked' });
    if (!check.ok) expect(check.message).to.match(/no longer exists/);
  });

  it('revokes a token issued before a password change', async () => {
    const verify = verifierFor(issueToken(secret, seller, 3600));
    await createUsers(depsFor(manager)).update(seller.id, { password: 'a brand new password' });
    expect(await verify()).to.deep.include({ ok: false, reason: 'revoked' });
  });

  it('revokes a token issued before a department change', async () => {
    const verify = verifierFor(issueToken(secret, seller, 3600));
    await createUsers(depsFor(manager)).update(seller.id, { department: 'support' });
    expect(await verify()).to.deep.include({ ok: false, reason: 'revoked' });
  });

  it('keeps a token valid when only the name or phone changes', async () => {
    const verify = verifierFor(issueToken(secret, seller, 3600));
    await createUsers(depsFor(manager)).update(seller.id, { fullName: 'Renamed Seller', phone: '+33 1 23 45 67 89' });
    const check = await verify();
    expect(check.ok).to.equal(true);
    if (check.ok) expect(check.actor.fullName).to.equal('Renamed Seller');
  });

  it('sees a revocation made through another connection pool (another process) at its next check', async () => {
    const otherProcess = new Database(ctx().target.runtime, { max: 1 });
    try {
      const verify = verifierFor(issueToken(secret, seller, 3600), otherProcess);
      expect((await verify()).ok).to.equal(true);
      await createUsers(depsFor(manager)).update(seller.id, { password: 'changed by management' });
      expect(await verify()).to.deep.include({ ok: false, reason: 'revoked' });
    } finally {
      await otherProcess.close();
    }
  });
});
