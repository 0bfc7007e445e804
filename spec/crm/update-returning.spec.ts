/**
 * The updates return the row their UPDATE wrote (UPDATE … RETURNING through
 * a CTE joined as the reads join it: sql/clients.sql updateClient,
 * assignClient; sql/contracts.sql updateContractAmounts; sql/events.sql
 * updateEvent, assignEvent; sql/followups.sql doneFollowUp; sql/users.sql
 * updateUser), not a second read: the same
 * record a fresh `get` shows (dates, money strings, joined names), in one
 * transaction of the lock and the update; and of two updates of one row, the
 * first writer gets the row as its own update left it, not with the second
 * writer's change (its door holds back any later call until the second
 * commits: a read after the update would see that change). Refusals are in
 * clients.spec.ts, contracts.spec.ts, events.spec.ts and
 * spec/security/department-roles.spec.ts.
 */
import { expect } from 'chai';
import type { Actor } from '../../lib/domain/actor.js';
import type { CrmApi } from '../../lib/crm/api.js';
import type { Door, Executor } from '../../lib/db/index.js';
import type { NamedQuery } from '../../lib/db/sql.js';
import { apiAs, buildWorld, type World } from '../support/fixtures.js';
import { HOLD, inTurn, Sessions } from '../support/concurrent.js';
import { ctx, resetData, sessionDb } from '../support/server.js';
import { inSession, type ApiDeps } from '../../lib/crm/deps.js';
import { bind, queries } from '../../lib/db/sql.js';
import { noopMonitor } from '../../lib/platform/monitoring.js';

const fq = queries('followups', ['getFollowUp'] as const);
const depsOf = (actor: Actor): ApiDeps => ({ db: sessionDb(actor), actor: () => actor, config: ctx().config, monitor: noopMonitor });

describe('updates return the row they wrote (UPDATE … RETURNING)', function () {
  this.timeout(30_000);
  let w: World;
  beforeEach(async () => {
    await resetData();
    w = await buildWorld();
  });

  const sessions = new Sessions();
  afterEach(() => sessions.close());

  /** An API whose door records the statements of each call (one array a transaction or statement). */
  function recorded(actor: Actor): { api: CrmApi; calls: string[][] } {
    const calls: string[][] = [];
    return { api: sessions.open(actor, (door) => heldBackAfterFirstCall(door, Promise.resolve(), calls)), calls };
  }

  describe('the returned row is what a fresh get shows', () => {
    it('clients.update, with its sales contact’s name and its dates', async () => {
      const alice = apiAs(w.alice);
      const updated = await alice.clients.update(w.clientA, { phone: '+33 6 01 02 03 04', companyName: 'ACME' });
      expect(updated).to.deep.equal(await alice.clients.get(w.clientA));
      expect(updated).to.include({ companyName: 'ACME', salesContactName: 'Alice Sales' });
      expect(updated.updatedAt).to.be.instanceOf(Date);
    });

    it('clients.assign, with the new sales contact’s name, and unassigned', async () => {
      const manager = apiAs(w.manager);
      const assigned = await manager.clients.assign(w.clientA, w.bob.id);
      expect(assigned).to.deep.equal(await manager.clients.get(w.clientA));
      expect(assigned).to.include({ salesContactId: w.bob.id, salesContactName: 'Bob Sales' });
      const unassigned = await manager.clients.assign(w.clientA, null);
      expect(unassigned).to.deep.equal(await manager.clients.get(w.clientA));
      expect(unassigned).to.include({ salesContactId: null, salesContactName: null });
    });

    it('contracts.update, with its amounts as exact strings and the client’s names', async () => {
      const alice = apiAs(w.alice);
      const updated = await alice.contracts.update(w.contractA, { totalAmount: '1500.5', amountDue: '700' });
      expect(updated).to.deep.equal(await alice.contracts.get(w.contractA));
      expect(updated).to.include({ totalAmount: '1500.50', amountDue: '700.00', clientName: 'Client of Alice', salesContactName: 'Alice Sales', signed: false });
    });

    it('events.update, with its dates and the client’s and support contact’s names', async () => {
      const kate = apiAs(w.kate);
      const updated = await kate.events.update(w.eventK, { location: 'Lyon', startAt: '2026-06-04T15:00:00Z', notes: null });
      expect(updated).to.deep.equal(await kate.events.get(w.eventK));
      expect(updated).to.include({ location: 'Lyon', notes: null, clientName: 'Client of Alice', supportContactName: 'Kate Support' });
      expect(updated.startAt.toISOString()).to.equal('2026-06-04T15:00:00.000Z');
    });

    it('events.assign, with the new support contact’s name, and unassigned', async () => {
      const manager = apiAs(w.manager);
      const assigned = await manager.events.assign(w.eventK, w.lou.id);
      expect(assigned).to.deep.equal(await manager.events.get(w.eventK));
      expect(assigned).to.include({ supportContactId: w.lou.id, supportContactName: 'Lou Support' });
      const unassigned = await manager.events.assign(w.eventK, null);
      expect(unassigned).to.deep.equal(await manager.events.get(w.eventK));
      expect(unassigned).to.include({ supportContactId: null, supportContactName: null });
    });

    it('followUps.done, with who set it and who marked it done (read as getFollowUp reads it)', async () => {
      const set = await apiAs(w.alice).clients.followUp(w.clientA, 'tomorrow 9:00', 'call back');
      const { api, calls } = recorded(w.manager);
      const done = await api.followUps.done(set.id);
      expect(calls, 'one transaction, no read after the write').to.deep.equal([['lockFollowUp', 'doneFollowUp']]);
      const read = await inSession(depsOf(w.manager), (tx) => tx.one(fq.getFollowUp, bind(fq.getFollowUp, { id: set.id })));
      expect(done).to.deep.equal(read);
      expect(done).to.include({ clientName: 'Client of Alice', setByName: 'Alice Sales', doneByName: 'Maud Manager' });
      expect(done.doneAt).to.be.instanceOf(Date);
    });

    it('users.update, with its department, a new password written in the same call, and what moved', async () => {
      const manager = apiAs(w.manager);
      const { api, calls } = recorded(w.manager);
      const updated = await api.users.update(w.kate.id, { fullName: 'Kate Renamed', phone: null, password: 'a-new-password-for-kate' });
      expect(calls, 'one transaction, no read after the write').to.deep.equal([['lockUserForChange', 'updateUser', 'setUserPassword']]);
      expect(updated).to.deep.equal(await manager.users.get(w.kate.id));
      expect(updated).to.include({ fullName: 'Kate Renamed', phone: null, department: 'support' });
      const moved = await manager.users.update(w.lou.id, { department: 'sales' }, { unassign: true });
      const { moved: what, ...record } = moved;
      expect(record).to.deep.equal(await manager.users.get(w.lou.id));
      expect(record.department).to.equal('sales');
      expect(what).to.deep.equal({ clients: 0, events: 1, to: null });
    });
  });

  describe('the creations return the row their INSERT wrote, in the transaction that checks, no read after', () => {
    it('contracts.create, with its amounts as exact strings, the client’s names and its signature', async () => {
      const { api, calls } = recorded(w.manager);
      const created = await api.contracts.create({ clientId: w.clientA, totalAmount: '1500.10', amountDue: '500', signed: true });
      expect(calls, 'one transaction, no read after the write').to.deep.equal([['clientExists', 'createContract']]);
      expect(created).to.deep.equal(await apiAs(w.manager).contracts.get(created.id));
      expect(created).to.include({ totalAmount: '1500.10', amountDue: '500.00', signed: true, clientName: 'Client of Alice', salesContactName: 'Alice Sales' });
      expect(created.signedAt).to.be.instanceOf(Date);
    });

    it('events.create, with its dates and the client’s names, as the sales contact who made it sees it', async () => {
      const { api, calls } = recorded(w.alice);
      const created = await api.events.create({ contractId: w.signedA, name: 'Launch', startAt: '2031-05-01T18:00:00Z', endAt: '2031-05-01T23:00:00Z', location: 'Lyon', attendees: 80 });
      expect(calls, 'one transaction, no read after the write').to.deep.equal([['lockContract', 'eventOfContract', 'createEvent']]);
      expect(created).to.deep.equal(await apiAs(w.alice).events.get(created.id));
      expect(created).to.include({ name: 'Launch', clientName: 'Client of Alice', supportContactId: null, supportContactName: null });
      expect(created.startAt).to.be.instanceOf(Date);
    });

    it('clients.followUp, with who set it (read as getFollowUp reads it)', async () => {
      const { api, calls } = recorded(w.alice);
      const set = await api.clients.followUp(w.clientA, 'tomorrow 9:00', 'call back');
      expect(calls, 'one transaction, no read after the write').to.deep.equal([['followUpClient', 'createFollowUp']]);
      const read = await inSession(depsOf(w.alice), (tx) => tx.one(fq.getFollowUp, bind(fq.getFollowUp, { id: set.id })));
      expect(set).to.deep.equal(read);
      expect(set).to.include({ clientName: 'Client of Alice', setById: w.alice.id, setByName: 'Alice Sales', doneAt: null, doneByName: null });
    });
  });

  describe('two updates one after the other: the first writer gets the row its own update left', () => {

    /**
     * The first writer's API, on a door that records the statements of each
     * of its calls and holds back any call after its first until `after`
     * settles: a read of the row after the update would see the second
     * writer's change too.
     */
    function firstWriter(actor: Actor, after: Promise<unknown>): { api: CrmApi; calls: string[][] } {
      const calls: string[][] = [];
      const api = sessions.open(actor, (door) => heldBackAfterFirstCall(door, after, calls));
      return { api, calls };
    }

    async function twoWriters<R>(hold: NamedQuery, id: number, first: (api: CrmApi) => Promise<R>, second: () => Promise<R>, actor: Actor) {
      let secondDone: () => void = () => undefined;
      const afterSecond = new Promise<void>((resolve) => { secondDone = resolve; });
      const writer = firstWriter(actor, afterSecond);
      const results = await inTurn(hold, id, [() => first(writer.api), () => second().finally(secondDone)]);
      expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'fulfilled']);
      return { rows: results.map((r) => (r as PromiseFulfilledResult<R>).value), calls: writer.calls };
    }

    it('clients.update', async () => {
      const before = await apiAs(w.alice).clients.get(w.clientA);
      const { rows: [first, second], calls } = await twoWriters(HOLD.client, w.clientA,
        (api) => api.clients.update(w.clientA, { companyName: 'First' }), () => sessions.open(w.alice).clients.update(w.clientA, { phone: '+33 6 99 99 99 99' }), w.alice);
      expect({ ...first, updatedAt: before.updatedAt }).to.deep.equal({ ...before, companyName: 'First' });
      expect(second).to.include({ companyName: 'First', phone: '+33 6 99 99 99 99' });
      expect(second).to.deep.equal(await apiAs(w.alice).clients.get(w.clientA));
      expect(calls).to.deep.equal([['lockClient', 'updateClient']]);
    });

    it('clients.assign', async () => {
      const { rows: [first, second], calls } = await twoWriters(HOLD.client, w.clientA,
        (api) => api.clients.assign(w.clientA, w.bob.id), () => sessions.open(w.manager).clients.assign(w.clientA, null), w.manager);
      expect(first).to.include({ salesContactId: w.bob.id, salesContactName: 'Bob Sales' });
      expect(second).to.include({ salesContactId: null, salesContactName: null });
      expect(calls).to.deep.equal([['lockClient', 'lockSalesCandidate', 'assignClient']]);
    });

    it('contracts.update', async () => {
      const { rows: [first, second], calls } = await twoWriters(HOLD.contract, w.contractA,
        (api) => api.contracts.update(w.contractA, { totalAmount: '1500.00' }), () => sessions.open(w.alice).contracts.update(w.contractA, { amountDue: '400.00' }), w.manager);
      expect(first).to.include({ totalAmount: '1500.00', amountDue: '1000.00' });
      expect(second).to.include({ totalAmount: '1500.00', amountDue: '400.00' });
      expect(second).to.deep.equal(await apiAs(w.manager).contracts.get(w.contractA));
      expect(calls).to.deep.equal([['lockContract', 'updateContractAmounts']]);
    });

    it('events.update', async () => {
      const { rows: [first, second], calls } = await twoWriters(HOLD.event, w.eventK,
        (api) => api.events.update(w.eventK, { location: 'Moved by the first shell' }), () => sessions.open(w.kate).events.update(w.eventK, { name: 'Renamed by the second shell' }), w.kate);
      expect(first).to.include({ location: 'Moved by the first shell', name: 'Kate event' });
      expect(second).to.include({ location: 'Moved by the first shell', name: 'Renamed by the second shell' });
      expect(second).to.deep.equal(await apiAs(w.kate).events.get(w.eventK));
      expect(calls).to.deep.equal([['lockEvent', 'updateEvent']]);
    });

    it('events.assign', async () => {
      const { rows: [first, second], calls } = await twoWriters(HOLD.event, w.eventK,
        (api) => api.events.assign(w.eventK, w.lou.id), () => sessions.open(w.manager).events.assign(w.eventK, null), w.manager);
      expect(first).to.include({ supportContactId: w.lou.id, supportContactName: 'Lou Support' });
      expect(second).to.include({ supportContactId: null, supportContactName: null });
      expect(calls).to.deep.equal([['lockEvent', 'lockSupportCandidate', 'assignEvent']]);
    });
  });
});

/** A door that records each call's statements, and runs every call after its first only once `after` settles. */
function heldBackAfterFirstCall(door: Door, after: Promise<unknown>, calls: string[][]): Door {
  const held = () => (calls.length > 0 ? after.then(() => undefined, () => undefined) : Promise.resolve());
  const recording = (tx: Executor, names: string[]): Executor => ({
    one: (q, p) => (names.push(q.name), tx.one(q, p)),
    many: (q, p) => (names.push(q.name), tx.many(q, p)),
    exec: (q, p) => (names.push(q.name), tx.exec(q, p)),
    texts: (q, p) => (names.push(q.name), tx.texts(q, p)),
    copyOut: (q, p, each) => (names.push(q.name), tx.copyOut(q, p, each)),
  });
  return {
    async transaction(fn, options) {
      await held();
      const names: string[] = [];
      calls.push(names);
      return door.transaction((tx) => fn(recording(tx, names)), options);
    },
    async statement(q, params, options) {
      await held();
      calls.push([q.name]);
      return door.statement(q, params, options);
    },
  };
}
