/** Management sees and ends sessions and lifts lockouts (users.sessions, users.endSessions, users.unlock). */
import { expect } from 'chai';
import { checkPassword } from '../../lib/auth/login.js';
import { createApi } from '../../lib/crm/api.js';
import { noopMonitor } from '../../lib/platform/monitoring.js';
import { AuthError, SessionRevoked, ValidationError } from '../../lib/domain/errors.js';
import type { Actor } from '../../lib/domain/actor.js';
import { expectRefused, rejection } from '../support/fixtures.js';
import { ctx, fingerprint, resetData } from '../support/server.js';
import { addCollaborator, depsFor, PASSWORD, recordingMonitor } from '../support/users.js';

describe('auth: management of sessions and lockouts', () => {
  let manager: Actor;
  let seller: Actor;
  beforeEach(async () => {
    await resetData();
    manager = await addCollaborator('management');
    seller = await addCollaborator('sales');
  });

  const login = (email: string, password: string) => checkPassword(ctx().db, ctx().config, noopMonitor, email, password);

  it("lists a collaborator's open sessions without their secrets, marking the caller's own", async () => {
    await login(seller.email, PASSWORD);
    const users = createApi(depsFor(manager)).users;
    const sessions = await users.sessions(seller.id);
    expect(sessions).to.have.length(2); // the fixture's and the login's
    expect(sessions.every((s) => !s.current)).to.equal(true);
    expect(JSON.stringify(sessions)).not.to.include(seller.sessionKey.split('.')[1]);
    const own = await users.sessions(manager.id);
    expect(own.map((s) => s.current)).to.deep.equal([true]);
    for (const s of sessions) expect(s.expiresAt.getTime()).to.be.greaterThan(Date.now());
  });

  it('ends every session of a collaborator: their next call is refused by the database', async () => {
    const other = (await login(seller.email, PASSWORD))!.actor;
    const monitor = recordingMonitor();
    expect(await createApi({ ...depsFor(manager), monitor }).users.endSessions(seller.id)).to.deep.equal({ id: seller.id, ended: 2 });
    expect(monitor.events.map((e) => e.name)).to.deep.equal(['collaborator.sessions_ended']);
    for (const actor of [seller, other]) {
      const err = await rejection(createApi(depsFor(actor)).clients.list());
      expect(err).to.be.instanceOf(SessionRevoked);
    }
    // The manager's own session goes on.
    expect((await createApi(depsFor(manager)).users.sessions(seller.id))).to.deep.equal([]);
  });

  it('lifts a lockout: the right password works again at once', async () => {
    for (let i = 0; i < 5; i++) await rejection(login(seller.email, `wrong password ${i}`)).catch(() => undefined);
    expect(await rejection(login(seller.email, PASSWORD))).to.be.instanceOf(AuthError);
    expect(await createApi(depsFor(manager)).users.unlock(seller.email.toUpperCase())).to.deep.equal({ email: seller.email, wasLocked: true });
    expect((await login(seller.email, PASSWORD))?.actor.id).to.equal(seller.id);
    expect(await createApi(depsFor(manager)).users.unlock(seller.email)).to.deep.equal({ email: seller.email, wasLocked: false });
  });

  it('refuses a malformed email for unlock and changes nothing', async () => {
    expect(await expectRefused(() => createApi(depsFor(manager)).users.unlock('not an email'))).to.be.instanceOf(ValidationError);
  });

  it("refuses a sales collaborator's session for management's functions even when the TypeScript guard is bypassed", async () => {
    const before = await fingerprint();
    const asSales = createApi(depsFor(seller)).users;
    expect(await rejection(asSales.endSessions(manager.id))).to.have.property('code', 'E_PERMISSION');
    expect(await fingerprint()).to.deep.equal(before);
  });
});
