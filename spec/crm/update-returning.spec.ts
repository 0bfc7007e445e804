/**
 * The updates return the row their UPDATE wrote (UPDATE … RETURNING through
 * a CTE joined as the reads join it: sql/clients.sql updateClient,
 * assignClient; sql/contracts.sql updateContractAmounts; sql/events.sql
 * updateEvent, assignEvent), not a second read after the commit: the same
 * record a fresh `get` shows (dates, money strings, joined names), and under
 * concurrent updates each caller gets the row as its own update left it, not
 * one a later writer made. Refusals are in clients.spec.ts, contracts.spec.ts,
 * events.spec.ts and spec/security/department-roles.spec.ts.
 */
import { expect } from 'chai';
import type { Actor } from '../../lib/domain/actor.js';
import type { Event } from '../../lib/crm/events.js';
import type { Contract } from '../../lib/crm/contracts.js';
import { apiAs, buildWorld, type World } from '../support/fixtures.js';
import { HOLD, Sessions, together } from '../support/concurrent.js';
import { resetData } from '../support/server.js';

describe('updates return the row they wrote (UPDATE … RETURNING)', function () {
  this.timeout(30_000);
  let w: World;
  beforeEach(async () => {
    await resetData();
    w = await buildWorld();
  });

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
  });

  describe('two updates at once: each gets the row its own update left', () => {
    const sessions = new Sessions();
    const open = (actor: Actor) => sessions.open(actor);
    afterEach(() => sessions.close());

    /**
     * Of two rows written one after the other (in either order: the lock
     * decides): the first writer's has only its own change, the second's both,
     * and is what get shows now. (Not told apart by updatedAt: now() is each
     * transaction's start, and both began before waiting on the lock.)
     */
    function inTurn<R>(rows: R[], changed: [(r: R) => boolean, (r: R) => boolean], now: R): void {
      const both = rows.map((r) => changed.every((c) => c(r)));
      expect(both.filter(Boolean), 'exactly one writer sees both changes').to.have.length(1);
      const [first, second] = both[0] ? [rows[1], rows[0]] : [rows[0], rows[1]];
      expect(changed.map((c) => c(first)).filter(Boolean), "the first writer's row has its own change only").to.have.length(1);
      expect(second).to.deep.equal(now);
    }

    it('events.update by two sessions: the first writer does not get the second’s change', async () => {
      const first = open(w.kate);
      const second = open(w.kate);
      const results = await together(HOLD.event, w.eventK, [
        () => first.events.update(w.eventK, { location: 'Moved by the first shell' }),
        () => second.events.update(w.eventK, { name: 'Renamed by the second shell' }),
      ]);
      expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'fulfilled']);
      const rows = results.map((r) => (r as PromiseFulfilledResult<Event>).value);
      expect(rows[0].location).to.equal('Moved by the first shell');
      expect(rows[1].name).to.equal('Renamed by the second shell');
      inTurn(rows, [(r) => r.location === 'Moved by the first shell', (r) => r.name === 'Renamed by the second shell'], await apiAs(w.kate).events.get(w.eventK));
    });

    it('contracts.update by two sessions: the first writer does not get the second’s change', async () => {
      const management = open(w.manager);
      const sales = open(w.alice);
      const results = await together(HOLD.contract, w.contractA, [
        () => management.contracts.update(w.contractA, { totalAmount: '1500.00' }),
        () => sales.contracts.update(w.contractA, { amountDue: '400.00' }),
      ]);
      expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'fulfilled']);
      const rows = results.map((r) => (r as PromiseFulfilledResult<Contract>).value);
      expect(rows[0].totalAmount).to.equal('1500.00');
      expect(rows[1].amountDue).to.equal('400.00');
      inTurn(rows, [(r) => r.totalAmount === '1500.00', (r) => r.amountDue === '400.00'], await apiAs(w.manager).contracts.get(w.contractA));
    });
  });
});
