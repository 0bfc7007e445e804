import { expect } from 'chai';
import { tokenSecret } from '../../lib/auth/secret.js';
import { createTokenCheck } from '../../lib/auth/token-check.js';
import { issueToken } from '../../lib/auth/tokens.js';
import { SessionWatch } from '../../lib/auth/watch.js';
import { createApi } from '../../lib/crm/api.js';
import { Database, type Executor } from '../../lib/db/index.js';
import { PermissionDenied, SessionRevoked } from '../../lib/domain/errors.js';
import type { Actor } from '../../lib/domain/actor.js';
import { rejection } from '../support/fixtures.js';
import { ctx, fingerprint, resetData, sessionParams } from '../support/server.js';
import { addCollaborator, depsFor } from '../support/users.js';
import { until } from '../support/until.js';
import { shiftAuthClock } from '../support/auth-clock.js';

/** An Executor that counts the queries going through it. */
function counting(db: Executor): Executor & { count: number } {
  const counter = {
    count: 0,
    one: (...a: Parameters<Executor['one']>) => (counter.count++, db.one(...a)),
    many: (...a: Parameters<Executor['many']>) => (counter.count++, db.many(...a)),
    exec: (...a: Parameters<Executor['exec']>) => (counter.count++, db.exec(...a)),
  };
  return counter as Executor & { count: number };
}

describe('auth/watch (revocations pushed by the database)', () => {
  let manager: Actor;
  let seller: Actor;
  let watch: SessionWatch;
  beforeEach(async () => {
    await resetData();
    manager = await addCollaborator('management');
    seller = await addCollaborator('sales');
    watch = new SessionWatch(ctx().db);
  });
  afterEach(() => watch.close());

  it('stops asking the database before each check once it listens, while nothing changes', async () => {
    const db = counting(ctx().db);
    const verify = createTokenCheck({ config: ctx().config, db, token: () => issueTokenOnce, watch });
    const issueTokenOnce = issueToken(tokenSecret(ctx().config), seller, ctx().installation);
    expect(await verify()).to.deep.include({ ok: true });
    await until(async () => (await verify(), !watch.needsCheck(seller.id)), 'the listener');
    const before = db.count;
    for (let i = 0; i < 20; i++) expect(await verify()).to.deep.include({ ok: true });
    expect(db.count).to.equal(before);
  });

  it('sees a department change made by another process at the next check', async () => {
    const token = issueToken(tokenSecret(ctx().config), seller, ctx().installation);
    const verify = createTokenCheck({ config: ctx().config, db: ctx().db, token: () => token, watch });
    await until(async () => (await verify(), !watch.needsCheck(seller.id)), 'the listener');
    const otherProcess = new Database(sessionParams(manager));
    try {
      await createApi({ ...depsFor(manager), db: otherProcess }).users.update(seller.id, { department: 'support' });
    } finally {
      await otherProcess.close();
    }
    await until(() => watch.needsCheck(seller.id), 'the notification');
    const check = await verify();
    expect(check).to.deep.include({ ok: false, reason: 'revoked' });
  });

  it('still checks expiry while trusting the listener: past its end by the auth clock, the token is expired', async () => {
    const token = issueToken(tokenSecret(ctx().config), seller, ctx().installation, 60);
    const verify = createTokenCheck({ config: ctx().config, db: ctx().db, token: () => token, watch });
    await until(async () => (await verify(), !watch.needsCheck(seller.id)), 'the listener');
    try {
      shiftAuthClock(61);
      expect(await verify()).to.deep.include({ ok: false, reason: 'expired' });
    } finally {
      shiftAuthClock(0);
    }
    expect(await verify()).to.deep.include({ ok: true });
  });

  it('asks the database again when the listener is lost', async () => {
    const db = counting(ctx().db);
    const token = issueToken(tokenSecret(ctx().config), seller, ctx().installation);
    const verify = createTokenCheck({ config: ctx().config, db, token: () => token, watch });
    await until(async () => (await verify(), !watch.needsCheck(seller.id)), 'the listener');
    await watch.close();
    const before = db.count;
    await verify();
    expect(db.count).to.equal(before + 1);
  });
});

describe('the database asserts the session in every transaction', () => {
  beforeEach(resetData);

  it('refuses a transaction of a session revoked by a password change, changing nothing', async () => {
    const manager = await addCollaborator('management');
    const seller = await addCollaborator('sales');
    await createApi(depsFor(manager)).users.update(seller.id, { password: 'another long password' });
    const before = await fingerprint();
    // The shell's own check bypassed: the API as the stale session would call it.
    const err = await rejection(createApi(depsFor(seller)).clients.create({ fullName: 'Stale', email: 'stale@client.test' }));
    expect(err).to.be.instanceOf(SessionRevoked);
    expect(err.message).to.match(/session has ended/);
    expect(await fingerprint()).to.deep.equal(before);
  });

  it('refuses a transaction of a deleted collaborator', async () => {
    const manager = await addCollaborator('management');
    const seller = await addCollaborator('sales');
    await createApi(depsFor(manager)).users.delete(seller.id);
    const err = await rejection(createApi(depsFor(seller)).clients.list());
    expect(err).to.be.instanceOf(SessionRevoked);
    expect(err.message).to.match(/session has ended/);
  });

  it('refuses a session claiming another department than the collaborator has', async () => {
    const seller = await addCollaborator('sales');
    const err = await rejection(createApi(depsFor({ ...seller, department: 'management' })).contracts.list());
    // Its own role cannot even become management (sql/migrations/040); from a role that could, assert_session says so.
    expect(err).to.be.instanceOf(PermissionDenied);
  });
});
