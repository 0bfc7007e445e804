/**
 * Reliability 3: two shells edit the same contract or event at the same time.
 *
 * The rule (README "Concurrent edits"): every update locks the row (FOR UPDATE)
 * and applies the fields it names onto the row as it is once the lock is
 * granted, so independent fields both apply (no lost update). Rules across
 * fields (amount due within the total, end after start) are checked under the
 * lock against that latest row: a change that no longer fits is refused with
 * ValidationError and changes nothing. The same field written by both: the
 * later writer's value stands (both edits are deliberate; the version still
 * counts both). Signing twice: the second gets Conflict.
 *
 * Each writer runs on its own connection pool (a separate session); a third
 * session holds the row until both writers are seen waiting on its lock.
 */
import { expect } from 'chai';
import { createApi, type CrmApi } from '../../lib/crm/api.js';
import { noopMonitor } from '../../lib/platform/monitoring.js';
import { AdminConnection, Database } from '../../lib/db/index.js';
import { testQueries } from '../support/test-queries.js';
import { Conflict, ValidationError } from '../../lib/domain/errors.js';
import type { Actor } from '../../lib/domain/actor.js';
import { addContract, buildWorld, type World } from '../support/fixtures.js';
import { asOwner } from '../support/owner.js';
import { ctx, resetData, sessionParams } from '../support/server.js';

const tq = testQueries(['holdContract', 'holdEvent', 'lockWaiters', 'contractRow', 'eventRow'] as const);

interface Shell {
  db: Database;
  api: CrmApi;
}

function shellOf(actor: Actor): Shell {
  const { config } = ctx();
  const db = new Database(sessionParams(actor), { max: 2 });
  return { db, api: createApi({ db, actor: () => actor, config, monitor: noopMonitor }) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Run the writers while another session holds the row; let go once all of
 * them wait on the lock, so they truly run at the same time. Settled results.
 */
async function together(hold: typeof tq.holdContract, id: number, writers: Array<() => Promise<unknown>>): Promise<PromiseSettledResult<unknown>[]> {
  const holder = await AdminConnection.open(ctx().target.admin);
  try {
    const running = await asOwner(async (conn) => {
      await conn.one(hold, [id]);
      const started = writers.map((w) => w());
      for (;;) {
        const row = await ctx().admin.one<{ waiting: number }>(tq.lockWaiters, [ctx().config.appDbUser]);
        if ((row?.waiting ?? 0) >= writers.length) break;
        await sleep(20);
      }
      return started;
    }, holder);
    return await Promise.allSettled(running);
  } finally {
    await holder.close();
  }
}

describe('reliability: concurrent edits from two sessions', function () {
  this.timeout(30_000);
  let world: World;
  let shells: Shell[] = [];
  const open = (actor: Actor) => {
    const s = shellOf(actor);
    shells.push(s);
    return s.api;
  };

  beforeEach(async () => {
    await resetData();
    world = await buildWorld();
  });
  afterEach(async () => {
    await Promise.all(shells.map((s) => s.db.close()));
    shells = [];
  });

  it('contract: total and amount due changed at the same time by two sessions both apply (no lost update)', async () => {
    const management = open(world.manager);
    const sales = open(world.alice);
    const before = await asOwner((c) => c.one<{ version: number }>(tq.contractRow, [world.contractA]));
    const results = await together(tq.holdContract, world.contractA, [
      () => management.contracts.update(world.contractA, { totalAmount: '1500.00' }),
      () => sales.contracts.update(world.contractA, { amountDue: '400.00' }),
    ]);
    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'fulfilled']);
    const after = await asOwner((c) => c.one<{ totalAmount: string; amountDue: string; version: number }>(tq.contractRow, [world.contractA]));
    expect(after).to.deep.equal({ totalAmount: '1500.00', amountDue: '400.00', version: (before?.version ?? 0) + 2 });
  });

  it('contract: two changes that together would break "due within total" — exactly one applies, the other is refused with ValidationError', async () => {
    const paid = await addContract(world.clientA, '1000.00', '0.00', false);
    const management = open(world.manager);
    const sales = open(world.alice);
    const results = await together(tq.holdContract, paid, [
      () => management.contracts.update(paid, { totalAmount: '500.00' }),
      () => sales.contracts.update(paid, { amountDue: '800.00' }),
    ]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).to.have.length(1);
    expect(refused).to.have.length(1);
    expect(refused[0].reason).to.be.instanceOf(ValidationError);
    const after = await asOwner((c) => c.one<{ totalAmount: string; amountDue: string }>(tq.contractRow, [paid]));
    const winner = results[0].status === 'fulfilled' ? { totalAmount: '500.00', amountDue: '0.00' } : { totalAmount: '1000.00', amountDue: '800.00' };
    expect({ totalAmount: after?.totalAmount, amountDue: after?.amountDue }).to.deep.equal(winner);
  });

  it('contract: signed by two sessions at once — one signs, the other gets Conflict', async () => {
    const management = open(world.manager);
    const sales = open(world.alice);
    const results = await together(tq.holdContract, world.contractA, [
      () => management.contracts.sign(world.contractA),
      () => sales.contracts.sign(world.contractA),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(refused?.reason).to.be.instanceOf(Conflict);
  });

  it('event: name and location changed at the same time by two sessions both apply; the same field ends with one of the two values', async () => {
    const first = open(world.kate);
    const second = open(world.kate);
    const before = await asOwner((c) => c.one<{ version: number }>(tq.eventRow, [world.eventK]));
    const results = await together(tq.holdEvent, world.eventK, [
      () => first.events.update(world.eventK, { name: 'Renamed by the first shell', notes: 'notes of the first' }),
      () => second.events.update(world.eventK, { location: 'Moved by the second shell', notes: 'notes of the second' }),
    ]);
    expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'fulfilled']);
    const after = await asOwner((c) => c.one<{ name: string; location: string; notes: string; version: number }>(tq.eventRow, [world.eventK]));
    expect(after?.name).to.equal('Renamed by the first shell');
    expect(after?.location).to.equal('Moved by the second shell');
    expect(['notes of the first', 'notes of the second']).to.include(after?.notes);
    expect(after?.version).to.equal((before?.version ?? 0) + 2);
  });
});
