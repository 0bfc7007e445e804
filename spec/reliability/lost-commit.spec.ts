/**
 * A write whose connection is lost around its COMMIT (its backend killed by
 * an administrator) says exactly what became of it: the server is asked, on
 * another connection, with the transaction's id taken before COMMIT. Both
 * cases are held on the server at the right moment, never by a timer: a COMMIT
 * that has committed locally and waits for a synchronous standby that never
 * comes; a COMMIT that waits, before committing, for a lock the test holds
 * (a deferred constraint trigger).
 */
import { expect } from 'chai';
import { createApi, type CrmApi } from '../../lib/crm/api.js';
import { AdminConnection, Database } from '../../lib/db/index.js';
import { DatabaseUnavailable } from '../../lib/domain/errors.js';
import { FATE_UNKNOWN, NOT_COMMITTED } from '../../lib/db/commit-fate.js';
import { buildWorld, recordingMonitor, rejection, type World } from '../support/fixtures.js';
import { asOwner } from '../support/owner.js';
import { ctx, fingerprint, resetData, sessionParams } from '../support/server.js';
import { testQueries } from '../support/test-queries.js';

const tq = testQueries([
  'awaitGhostStandby', 'forgetGhostStandby', 'reloadServerConfig', 'standbyNames', 'createSyncCommitFunction', 'createSyncCommitTrigger',
  'dropSyncCommitTrigger', 'dropSyncCommitFunction', 'syncRepWaiters', 'terminateSyncRepWaiters', 'clientPhone',
  'createCommitGateFunction', 'createCommitGateTrigger', 'dropCommitGateTrigger', 'dropCommitGateFunction', 'holdCommitGate',
  'releaseCommitGate', 'commitGateWaiters', 'terminateCommitGateWaiters',
] as const);

const pause = () => new Promise((r) => setTimeout(r, 20));
/** Polls until ready, for 20 s at most: a test that fails must still reach its clean-up (its trigger on clients). */
async function until(ready: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error('waited 20 s for the server to reach the state under test');
    await pause();
  }
}
const count = async (q: (typeof tq)[keyof typeof tq]) => (await ctx().admin.one<{ waiting?: number; ended?: number }>(q, [ctx().config.appDbUser])) ?? {};

describe('reliability: a connection lost around COMMIT', function () {
  this.timeout(60_000);
  const phone = '+33 1 28 28 28 28';
  let world: World;
  let db: Database;
  let api: CrmApi;

  beforeEach(async () => {
    await resetData();
    world = await buildWorld();
    // A pool of its own: its connections are the ones killed.
    db = new Database(sessionParams(world.alice), { max: 2 });
    api = createApi({ db, actor: () => world.alice, config: ctx().config, monitor: recordingMonitor() });
  });
  afterEach(() => db.close());

  it('committed (locally, waiting for a standby): the call succeeds, and the change is there once', async () => {
    const superuser = await AdminConnection.open(ctx().server.serverAdmin);
    await asOwner((c) => c.exec(tq.createSyncCommitFunction).then(() => c.exec(tq.createSyncCommitTrigger)));
    try {
      await superuser.exec(tq.awaitGhostStandby);
      await superuser.one(tq.reloadServerConfig);
      await until(async () => (await superuser.one<{ names: string }>(tq.standbyNames))?.names === 'epic_test_no_such_standby');
      const call = api.clients.update(world.clientA, { phone });
      call.catch(() => undefined);
      await until(async () => ((await count(tq.syncRepWaiters)).waiting ?? 0) > 0);
      expect((await count(tq.terminateSyncRepWaiters)).ended).to.equal(1);
      const updated = (await call) as { phone: string };
      expect(updated.phone).to.equal(phone);
    } finally {
      await superuser.exec(tq.forgetGhostStandby);
      await superuser.one(tq.reloadServerConfig);
      await until(async () => (await superuser.one<{ names: string }>(tq.standbyNames))?.names === '');
      await superuser.close();
      await asOwner((c) => c.exec(tq.dropSyncCommitTrigger).then(() => c.exec(tq.dropSyncCommitFunction)));
    }
    expect((await asOwner((c) => c.one<{ phone: string }>(tq.clientPhone, [world.clientA])))?.phone).to.equal(phone);
    // The pool goes on.
    expect(((await api.clients.get(world.clientA)) as { phone: string }).phone).to.equal(phone);
  });

  it('not committed (killed while COMMIT waited): says nothing was written and the call may run again; nothing changed', async () => {
    await asOwner((c) => c.exec(tq.createCommitGateFunction).then(() => c.exec(tq.createCommitGateTrigger)));
    const gate = await AdminConnection.open(ctx().target.admin);
    try {
      await gate.exec(tq.holdCommitGate);
      const before = await fingerprint();
      const call = api.clients.update(world.clientA, { phone });
      call.catch(() => undefined);
      await until(async () => ((await count(tq.commitGateWaiters)).waiting ?? 0) > 0);
      expect((await count(tq.terminateCommitGateWaiters)).ended).to.equal(1);
      const err = await rejection(call);
      expect(err).to.be.instanceOf(DatabaseUnavailable);
      expect(err.message).to.equal(NOT_COMMITTED);
      await gate.exec(tq.releaseCommitGate);
      expect(await fingerprint()).to.deep.equal(before);
    } finally {
      await gate.close();
      await asOwner((c) => c.exec(tq.dropCommitGateTrigger).then(() => c.exec(tq.dropCommitGateFunction)));
    }
    // Run again, as the message says: it lands once.
    await api.clients.update(world.clientA, { phone });
    expect((await asOwner((c) => c.one<{ phone: string }>(tq.clientPhone, [world.clientA])))?.phone).to.equal(phone);
  });

  it('never advises running again when the fate cannot be told', () => {
    expect(FATE_UNKNOWN).to.match(/cannot be told: check before running it again$/);
    expect(FATE_UNKNOWN).not.to.match(/run the call again/);
  });
});
