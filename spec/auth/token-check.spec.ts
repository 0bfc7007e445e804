import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { tokenSecret } from '../../lib/auth/secret.js';
import { createTokenCheck, ACCOUNT_DELETED } from '../../lib/auth/token-check.js';
import { issueToken, TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../lib/auth/tokens.js';
import { apiOf, createApi } from '../../lib/crm/api.js';
import { Database } from '../../lib/db/index.js';
import type { Actor } from '../../lib/domain/actor.js';
import { ctx, fingerprint, resetData } from '../support/server.js';
import { liveLogin } from '../support/live-login.js';
import { rejection } from '../support/fixtures.js';
import { PermissionDenied, SessionRevoked } from '../../lib/domain/errors.js';
import { addCollaborator, depsFor } from '../support/users.js';

describe('auth/token-check (createTokenCheck)', () => {
  let manager: Actor;
  let seller: Actor;
  let secret: string;
  beforeEach(async () => {
    await resetData();
    manager = await addCollaborator('management');
    seller = await addCollaborator('sales');
    secret = tokenSecret(ctx().config);
  });

  const verifierFor = (token: string, db: Database = ctx().db) => createTokenCheck({ config: ctx().config, db, token: () => token });

  it('accepts a valid token and returns the collaborator from the database', async () => {
    const check = await verifierFor(issueToken(secret, seller, ctx().installation))();
    expect(check).to.deep.include({ ok: true });
    if (check.ok) expect(check.actor).to.deep.include({ id: seller.id, email: seller.email, fullName: seller.fullName, department: 'sales', sessionKey: seller.sessionKey });
  });

  it('reports an expired token as expired', async () => {
    const token = jwt.sign({ department: 'sales', email: seller.email, sid: seller.sessionKey, iid: ctx().installation, iat: Math.floor(Date.now() / 1000) - 60, exp: Math.floor(Date.now() / 1000) - 5 }, secret, { algorithm: 'HS256', issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, subject: String(seller.id) });
    expect(await verifierFor(token)()).to.deep.include({ ok: false, reason: 'expired' });
  });

  it('revokes a tampered token', async () => {
    const [h, , s] = issueToken(secret, seller, ctx().installation).split('.');
    const payload = Buffer.from(JSON.stringify({ sub: String(seller.id), email: seller.email, sid: seller.sessionKey, iid: ctx().installation, department: 'management', iat: 4102441200, iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, exp: 4102444800 })).toString('base64url');
    expect(await verifierFor(`${h}.${payload}.${s}`)()).to.deep.include({ ok: false, reason: 'revoked' });
  });

  it('revokes the token of a deleted collaborator, saying the account was deleted (not "log in again")', async () => {
    const verify = verifierFor(issueToken(secret, seller, ctx().installation));
    await createApi(depsFor(manager)).users.delete(seller.id);
    const check = await verify();
    expect(check).to.deep.include({ ok: false, reason: 'revoked' });
    if (!check.ok) expect(check.message).to.equal(ACCOUNT_DELETED);
  });

  it('revokes a token issued before a password change', async () => {
    const verify = verifierFor(issueToken(secret, seller, ctx().installation));
    await createApi(depsFor(manager)).users.update(seller.id, { password: 'a brand new password' });
    expect(await verify()).to.deep.include({ ok: false, reason: 'revoked' });
  });

  it('revokes a token issued before a department change', async () => {
    const verify = verifierFor(issueToken(secret, seller, ctx().installation));
    await createApi(depsFor(manager)).users.update(seller.id, { department: 'support' });
    expect(await verify()).to.deep.include({ ok: false, reason: 'revoked' });
  });

  it('keeps a token valid when only the name or phone changes', async () => {
    const verify = verifierFor(issueToken(secret, seller, ctx().installation));
    await createApi(depsFor(manager)).users.update(seller.id, { fullName: 'Renamed Seller', phone: '+33 1 23 45 67 89' });
    const check = await verify();
    expect(check.ok).to.equal(true);
    if (check.ok) expect(check.actor.fullName).to.equal('Renamed Seller');
  });

  it('sees a revocation made through another connection pool (another process) at its next check', async () => {
    const otherProcess = new Database(ctx().target.runtime, { max: 1 });
    try {
      const verify = verifierFor(issueToken(secret, seller, ctx().installation), otherProcess);
      expect((await verify()).ok).to.equal(true);
      await createApi(depsFor(manager)).users.update(seller.id, { password: 'changed by management' });
      expect(await verify()).to.deep.include({ ok: false, reason: 'revoked' });
    } finally {
      await otherProcess.close();
    }
  });

  it("refuses a shell whose actor was rewritten in memory to a manager's (what node:inspector allows), changing nothing", async () => {
    const actor = { ...seller };
    const shell = liveLogin(ctx().config, ctx().db, actor);
    const before = await fingerprint();
    // The walk through the closures ends here: the object the shell reads its caller from.
    Object.assign(actor, { id: manager.id, email: manager.email, department: 'management' });
    const api = apiOf(shell.invoke);
    // The session's own role cannot become management (sql/migrations/040).
    expect(await rejection(api.users.list())).to.be.instanceOf(PermissionDenied);
    expect(await rejection(api.users.create({ fullName: 'Mole', email: 'mole@epic.events', department: 'management', password: 'a long enough password' }))).to.be.instanceOf(PermissionDenied);
    // A guessed session key for the manager's id does no better.
    actor.sessionKey = `${manager.id}.${'f'.repeat(64)}`;
    expect(await rejection(api.users.list())).to.be.instanceOf(PermissionDenied);
    expect(await fingerprint()).to.deep.equal(before);
  });
});
