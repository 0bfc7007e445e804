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
import { until } from '../support/until.js';

const t = testQueries([
  'awaitGhostStandby', 'forgetGhostStandby', 'reloadServerConfig', 'standbyNames', 'createSyncCommitFunction', 'createSyncCommitTrigger',
  'dropSyncCommitTrigger', 'dropSyncCommitFunction', 'syncRepWaiters', 'terminateSyncRepWaiters', 'clientPhone',
  'createCommitGateFunction', 'createCommitGateTrigger', 'dropCommitGateTrigger', 'dropCommitGateFunction', 'holdCommitGate',
  'releaseCommitGate', 'commitGateWaiters', 'terminateCommitGateWaiters',
] as const);

/** Polls for 20 s at most: a test that fails must still reach its clean-up (its trigger on clients). */
const STATE_UNDER_TEST = 'the server to reach the state under test';
const count = async (q: (typeof t)[keyof typeof t]) => (await ctx().admin.one<{ waiting?: number; ended?: number }>(q, [ctx().config.appDbUser])) ?? {};

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
    await asOwner((c) => c.exec(t.createSyncCommitFunction).then(() => c.exec(t.createSyncCommitTrigger)));
    try {
      await superuser.exec(t.awaitGhostStandby);
      await superuser.one(t.reloadServerConfig);
      await until(async () => (await superuser.one<{ names: string }>(t.standbyNames))?.names === 'epic_test_no_such_standby', STATE_UNDER_TEST, 20_000);
      const call = api.clients.update(world.clientA, { phone });
      call.catch(() => undefined);
      await until(async () => ((await count(t.syncRepWaiters)).waiting ?? 0) > 0, STATE_UNDER_TEST, 20_000);
      expect((await count(t.terminateSyncRepWaiters)).ended).to.equal(1);
      const updated = (await call) as { phone: string };
      expect(updated.phone).to.equal(phone);
    } finally {
      await superuser.exec(t.forgetGhostStandby);
      await superuser.one(t.reloadServerConfig);
      await until(async () => (await superuser.one<{ names: string }>(t.standbyNames))?.names === '', STATE_UNDER_TEST, 20_000);
      await superuser.close();
      await asOwner((c) => c.exec(t.dropSyncCommitTrigger).then(() => c.exec(t.dropSyncCommitFunction)));
    }
    expect((await asOwner((c) => c.one<{ phone: string }>(t.clientPhone, [world.clientA])))?.phone).to.equal(phone);
    // The pool goes on.
    expect(((await api.clients.get(world.clientA)) as { phone: string }).phone).to.equal(phone);
  });

  it('not committed (killed while COMMIT waited): says nothing was written and the call may run again; nothing changed', async () => {
    await asOwner((c) => c.exec(t.createCommitGateFunction).then(() => c.exec(t.createCommitGateTrigger)));
    const gate = await AdminConnection.open(ctx().target.admin);
    try {
      await gate.exec(t.holdCommitGate);
      const before = await fingerprint();
      const call = api.clients.update(world.clientA, { phone });
      call.catch(() => undefined);
      await until(async () => ((await count(t.commitGateWaiters)).waiting ?? 0) > 0, STATE_UNDER_TEST, 20_000);
      expect((await count(t.terminateCommitGateWaiters)).ended).to.equal(1);
      const err = await rejection(call);
      expect(err).to.be.instanceOf(DatabaseUnavailable);
      expect(err.message).to.equal(NOT_COMMITTED);
      await gate.exec(t.releaseCommitGate);
      expect(await fingerprint()).to.deep.equal(before);
    } finally {
      await gate.close();
      await asOwner((c) => c.exec(t.dropCommitGateTrigger).then(() => c.exec(t.dropCommitGateFunction)));
    }
    // Run again, as the message says: it lands once.
    await api.clients.update(world.clientA, { phone });
    expect((await asOwner((c) => c.one<{ phone: string }>(t.clientPhone, [world.clientA])))?.phone).to.equal(phone);
  });

  it('never advises running again when the fate cannot be told', () => {
    expect(FATE_UNKNOWN).to.match(/cannot be told: check before running it again$/);
    expect(FATE_UNKNOWN).not.to.match(/run the call again/);
  });
});
