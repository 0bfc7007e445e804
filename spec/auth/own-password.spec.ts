/**
 * One's own password (sql/migrations/010_own_passwords.sql,
 * lib/auth/own-password.ts): management's passwords must be replaced, the
 * database checks the current password like a login, the session making the
 * change goes on and the others end, and nobody clears the flag otherwise.
 */
import { expect } from 'chai';
import { changeOwnPassword, checkOwnPassword, passwordChangeDue } from '../../lib/auth/own-password.js';
import { checkPassword } from '../../lib/auth/login.js';
import { hashPassword } from '../../lib/auth/passwords.js';
import { endSession } from '../../lib/auth/sessions.js';
import { identityPrelude } from '../../lib/crm/deps.js';
import { AuthError, ValidationError } from '../../lib/domain/errors.js';
import type { Actor } from '../../lib/domain/actor.js';
import type { Executor } from '../../lib/db/index.js';
import { FIXTURE_PASSWORD, apiAs, buildWorld, recordingMonitor, rejection, sessionFor, type World } from '../support/fixtures.js';
import { asOwner } from '../support/owner.js';
import { ctx, resetData, sessionDb } from '../support/server.js';
import { testQueries } from '../support/test-queries.js';

const t = testQueries(['passwordState', 'bypassClearPasswordFlag', 'bypassSetHashOf'] as const);
const MANAGEMENT_CHOSE = 'management chose this one';
const MINE = 'my very own passphrase';

interface PasswordState { hash: string; mustChange: boolean; sessions: number }

describe('own passwords: passwd() and the change management\'s passwords need', () => {
  let w: World;
  beforeEach(async () => {
    await resetData();
    w = await buildWorld();
  });

  const state = (id: number) => asOwner((c) => c.one<PasswordState>(t.passwordState, [id])) as Promise<PasswordState>;
  const change = (actor: Actor, old: string, next: string) => changeOwnPassword(sessionDb(actor), ctx().config, recordingMonitor(), actor, old, next);
  const logsIn = async (email: string, password: string) => (await checkPassword(ctx().db, ctx().config, recordingMonitor(), email, password)) !== undefined;
  const newcomer = async () => apiAs(w.manager).users.create({ fullName: 'Nina New', email: 'nina@epic.events', department: 'sales', password: MANAGEMENT_CHOSE });

  it('a collaborator created by management must replace the password; one set up by the owner (setup, fixtures) need not', async () => {
    const nina = await newcomer();
    expect((await state(nina.id)).mustChange).to.equal(true);
    expect((await state(w.alice.id)).mustChange).to.equal(false);
    const { actor } = await sessionFor(nina.id);
    expect(await passwordChangeDue(ctx().db, actor.sessionKey)).to.equal(true);
    expect(await passwordChangeDue(ctx().db, w.alice.sessionKey)).to.equal(false);
  });

  it("a password management sets for someone else must be replaced; management's own new password need not", async () => {
    await apiAs(w.manager).users.update(w.alice.id, { password: MANAGEMENT_CHOSE });
    expect((await state(w.alice.id)).mustChange).to.equal(true);
    await apiAs(w.manager).users.update(w.manager.id, { password: MINE });
    expect((await state(w.manager.id)).mustChange).to.equal(false);
  });

  it('changes one\'s own password when the current one is right: the old one stops working, the flag clears, this session goes on and the others end', async () => {
    const nina = await newcomer();
    const { actor } = await sessionFor(nina.id);
    await sessionFor(nina.id);
    expect((await state(nina.id)).sessions).to.equal(2);
    expect(await change(actor, MANAGEMENT_CHOSE, MINE)).to.equal(true);
    expect(await state(nina.id)).to.include({ mustChange: false, sessions: 1 });
    expect(await passwordChangeDue(ctx().db, actor.sessionKey)).to.equal(false);
    // The session that made the change still works.
    expect((await apiAs(actor).clients.list()).rows).to.be.an('array');
    expect(await logsIn(nina.email, MINE)).to.equal(true);
    expect(await logsIn(nina.email, MANAGEMENT_CHOSE)).to.equal(false);
  });

  it('a wrong current password changes nothing and counts as a failed login: five lock the email', async () => {
    const before = await state(w.alice.id);
    for (let i = 1; i <= 4; i++) expect(await change(w.alice, `wrong password ${i}`, MINE)).to.equal(false);
    expect(await state(w.alice.id)).to.deep.equal(before);
    const locked = await rejection(change(w.alice, 'wrong password 5', MINE));
    expect(locked).to.be.instanceOf(AuthError);
    expect(locked.message).to.match(/too many failed logins/);
    // Locked out: even the right one is refused now, and the password is the same.
    expect(await rejection(change(w.alice, FIXTURE_PASSWORD, MINE))).to.be.instanceOf(AuthError);
    expect(await state(w.alice.id)).to.deep.equal(before);
  });

  it('checks the current password alone (passwd() before it asks the new one): nothing changes, no session is left, a wrong one counts as a failed login', async () => {
    const check = (password: string) => checkOwnPassword(ctx().db, recordingMonitor(), w.alice, password);
    const before = await state(w.alice.id);
    expect(await check(FIXTURE_PASSWORD)).to.equal(true);
    expect(await state(w.alice.id)).to.deep.equal(before); // the session the check opened is gone again
    for (let i = 1; i <= 4; i++) expect(await check(`wrong password ${i}`)).to.equal(false);
    expect(await rejection(check('wrong password 5'))).to.be.instanceOf(AuthError);
    expect(await rejection(check(FIXTURE_PASSWORD))).to.be.instanceOf(AuthError); // locked now, like a login
    expect(await state(w.alice.id)).to.deep.equal(before);
  });

  it('refuses an unacceptable or unchanged new password, and an ended session, changing nothing', async () => {
    const before = await state(w.alice.id);
    expect(await rejection(change(w.alice, FIXTURE_PASSWORD, 'short'))).to.be.instanceOf(ValidationError);
    const same = await rejection(change(w.alice, FIXTURE_PASSWORD, FIXTURE_PASSWORD));
    expect(same).to.be.instanceOf(ValidationError);
    expect(same.message).to.equal('new password must differ from the current one');
    expect(await state(w.alice.id)).to.deep.equal(before);
    const { actor } = await sessionFor(w.alice.id);
    await endSession(ctx().db, actor.sessionKey);
    expect(await rejection(change(actor, FIXTURE_PASSWORD, MINE))).to.be.instanceOf(AuthError);
    expect((await state(w.alice.id)).hash).to.equal(before.hash);
  });

  it('PostgreSQL refuses management clearing the flag or setting a hash that skips it (raw SQL as the runtime role)', async () => {
    const nina = await newcomer();
    const before = await state(nina.id);
    const asManager = async (run: (tx: Executor) => Promise<number>) => {
      try {
        return await sessionDb(w.manager).transaction(run, { prelude: identityPrelude(w.manager) });
      } catch (err) {
        return (err as { sqlState?: string }).sqlState;
      }
    };
    expect(await asManager((tx) => tx.exec(t.bypassClearPasswordFlag, [nina.id]))).to.equal('42501');
    expect(await state(nina.id)).to.deep.equal(before);
    // A hash written straight to the column by management is still management's: the flag stays (and is set for Alice).
    const aliceHash = (await state(w.alice.id)).hash;
    const hash = await hashPassword(MANAGEMENT_CHOSE, 4);
    expect(await asManager((tx) => tx.exec(t.bypassSetHashOf, [w.alice.id, hash]))).to.equal(1);
    expect((await state(w.alice.id)).mustChange).to.equal(true);
    expect((await state(w.alice.id)).hash).not.to.equal(aliceHash);
  });
});
