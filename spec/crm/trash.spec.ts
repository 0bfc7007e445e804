/** The trash (sql/migrations/026_trash.sql): delete, restore, trash(), trash.empty(), enforced by PostgreSQL. */
import { expect } from 'chai';
import type { Executor } from '../../lib/db/index.js';
import { identityPrelude } from '../../lib/crm/deps.js';
import { Conflict, NotFound, PermissionDenied, ValidationError } from '../../lib/domain/errors.js';
import type { Actor } from '../../lib/domain/actor.js';
import { testQueries } from '../support/test-queries.js';
import { apiAs, buildWorld, rejection, type World } from '../support/fixtures.js';
import { ctx, fingerprint, resetData, sessionDb } from '../support/server.js';

const t = testQueries(['bypassDeleteClient', 'bypassDeleteContract', 'bypassDeleteEvent', 'bypassRestore', 'bypassEmptyTrash', 'bypassReadTrash', 'bypassInsertTrash', 'bypassDeleteTrash', 'restoreRecordRow'] as const);

/** One raw statement under a department's identity: rows affected, or the SQLSTATE. */
async function raw(actor: Actor, run: (tx: Executor) => Promise<number>): Promise<number | string> {
  try {
    return await sessionDb(actor).transaction(run, { prelude: identityPrelude(actor) });
  } catch (err) {
    return (err as { sqlState?: string }).sqlState ?? (err as { code?: string }).code ?? String(err);
  }
}

/** A refused call: the error, the database unchanged. */
async function refused(call: () => Promise<unknown>): Promise<Error> {
  const before = await fingerprint();
  const err = await rejection(call());
  expect(await fingerprint()).to.deep.equal(before);
  return err;
}

describe('the trash', () => {
  let w: World;
  beforeEach(async () => {
    await resetData();
    w = await buildWorld();
  });

  it('moves a contract out of every list and count and brings it back with its id, the history saying both', async () => {
    const alice = apiAs(w.alice);
    const before = { count: await alice.contracts.count({ mine: true }), pipeline: await alice.reports.pipeline() };
    expect(await alice.contracts.delete(w.contractA)).to.deep.equal({ deleted: 'contract', id: w.contractA });
    expect((await alice.contracts.list({ mine: true })).rows.map((k) => k.id)).not.to.include(w.contractA);
    expect(await alice.contracts.count({ mine: true })).to.equal(before.count - 1);
    expect(await rejection(alice.contracts.get(w.contractA))).to.be.instanceOf(NotFound);
    const [entry] = (await alice.trash()).rows;
    expect(entry).to.include({ object: 'contract', recordId: w.contractA, deletedBy: 'Alice Sales', withRecords: 0 });
    const back = await alice.contracts.restore(w.contractA);
    expect(back).to.include({ id: w.contractA, totalAmount: '1000.00' });
    expect(await alice.contracts.count({ mine: true })).to.equal(before.count);
    expect(await alice.reports.pipeline()).to.deep.equal(before.pipeline);
    expect((await alice.trash()).rows).to.have.length(0);
    const actions = (await alice.contracts.history(w.contractA)).rows.map((e) => [e.action, e.actorName]);
    expect(actions.slice(0, 2)).to.deep.equal([['restored', 'Alice Sales'], ['deleted', 'Alice Sales']]);
  });

  it("takes a client's contracts and events along, out of find() and the reports, and restores all of them", async () => {
    const m = apiAs(w.manager);
    const found = async () => (await m.clients.count()) + (await m.contracts.count()) + (await m.events.count());
    const totals = { all: await found(), unpaid: await m.reports.unpaid(), revenue: await m.reports.revenue({ by: 'salesContact' }) };
    await m.clients.delete(w.clientA);
    // clientA: 3 contracts (contractA, signedA, the event's contract) and one event.
    const [entry] = (await m.trash()).rows;
    expect(entry).to.include({ object: 'client', recordId: w.clientA, withRecords: 4 });
    expect(await found()).to.equal(totals.all - 5);
    expect((await m.find('Client of Alice')).clients).to.have.length(0);
    expect((await m.events.list()).rows.map((e) => e.id)).not.to.include(w.eventK);
    expect(await m.clients.restore(w.clientA)).to.include({ id: w.clientA, fullName: 'Client of Alice', salesContactId: w.alice.id });
    expect(await found()).to.equal(totals.all);
    expect(await m.events.get(w.eventK)).to.include({ supportContactId: w.kate.id });
    expect(await m.reports.unpaid()).to.deep.equal(totals.unpaid);
    expect(await m.reports.revenue({ by: 'salesContact' })).to.deep.equal(totals.revenue);
  });

  it("keeps a client's follow-ups in the trash and brings them back with it, open or done, with no new history entry", async () => {
    const open = await apiAs(w.alice).clients.followUp(w.clientA, 'tomorrow 10:00', 'call about the budget');
    const done = await apiAs(w.alice).followUps.done((await apiAs(w.alice).clients.followUp(w.clientA, 'tomorrow 11:00', 'send the quote')).id);
    const m = apiAs(w.manager);
    const historyBefore = (await m.clients.history(w.clientA)).rows.map((e) => e.id);
    await m.clients.delete(w.clientA);
    expect(await apiAs(w.alice).followUps.list()).to.deep.equal([]);
    expect((await m.clients.personalData(w.clientA)).followUps.map((f) => f.id)).to.deep.equal([open.id, done.id]);
    await m.clients.restore(w.clientA);
    const [back] = await apiAs(w.alice).followUps.list();
    expect(back).to.deep.equal(open);
    const kept = (await m.clients.personalData(w.clientA)).followUps;
    expect(kept.map((f) => [f.id, f.note, f.done_by])).to.deep.equal([[open.id, 'call about the budget', null], [done.id, 'send the quote', w.alice.id]]);
    expect(new Date(kept[1].done_at as string).getTime()).to.equal(done.doneAt!.getTime());
    const history = (await m.clients.history(w.clientA)).rows;
    expect(history.map((e) => e.action).slice(0, 2)).to.deep.equal(['restored', 'deleted']);
    expect(history.slice(2).map((e) => e.id)).to.deep.equal(historyBefore);
    // Done stays done; the open one can still be closed.
    expect((await apiAs(w.alice).followUps.done(open.id)).doneAt).to.be.instanceOf(Date);
  });

  it('refuses what the department may not update, changing nothing (sales: a colleague\'s client, a contract with payments; support: clients)', async () => {
    expect(await refused(() => apiAs(w.alice).clients.delete(w.clientB))).to.be.instanceOf(PermissionDenied);
    expect(await refused(() => apiAs(w.alice).contracts.delete(w.signedA))).to.be.instanceOf(PermissionDenied);
    // Alice's client has a signed contract with payments: it goes with the client only by management.
    const err = await refused(() => apiAs(w.alice).clients.delete(w.clientA));
    expect(err).to.be.instanceOf(PermissionDenied);
    expect(err.message).to.match(/signed contract with payments .*only management/);
    expect(await refused(() => apiAs(w.kate).clients.delete(w.clientA))).to.be.instanceOf(PermissionDenied);
    expect(await refused(() => apiAs(w.kate).events.delete(w.eventL))).to.be.instanceOf(PermissionDenied);
    expect(await refused(() => apiAs(w.alice).events.delete(w.eventK))).to.be.instanceOf(PermissionDenied);
    expect(await refused(() => apiAs(w.manager).clients.delete(999))).to.be.instanceOf(NotFound);
  });

  it('lets support trash and restore their own event only; a second delete says it is in the trash', async () => {
    await apiAs(w.kate).events.delete(w.eventK);
    expect(await refused(() => apiAs(w.kate).events.delete(w.eventK))).to.be.instanceOf(Conflict);
    expect(await refused(() => apiAs(w.lou).events.restore(w.eventK))).to.be.instanceOf(PermissionDenied);
    expect(await refused(() => apiAs(w.alice).events.restore(w.eventK))).to.be.instanceOf(PermissionDenied);
    expect(await apiAs(w.kate).events.restore(w.eventK)).to.include({ id: w.eventK, name: 'Kate event' });
  });

  it('shows each department what it may see: management all, sales their clients\', support their events', async () => {
    await apiAs(w.alice).contracts.delete(w.contractA);
    await apiAs(w.bob).contracts.delete(w.contractB);
    await apiAs(w.lou).events.delete(w.eventL);
    const seen = async (a: Actor) => (await apiAs(a).trash()).rows.map((e) => `${e.object} ${e.recordId}`);
    expect(await seen(w.manager)).to.deep.equal([`event ${w.eventL}`, `contract ${w.contractB}`, `contract ${w.contractA}`]);
    expect(await seen(w.alice)).to.deep.equal([`contract ${w.contractA}`]);
    expect(await seen(w.bob)).to.deep.equal([`event ${w.eventL}`, `contract ${w.contractB}`]);
    expect(await seen(w.kate)).to.deep.equal([]);
    expect(await seen(w.lou)).to.deep.equal([`event ${w.eventL}`]);
    expect((await apiAs(w.manager).trash({ object: 'contract', limit: 1 })).rows.map((e) => e.recordId)).to.deep.equal([w.contractB]);
    expect(await rejection(apiAs(w.manager).trash({ object: 'user' as never }))).to.be.instanceOf(ValidationError);
  });

  it('restores a record and returns it as get shows it, from restore_record\'s own row (the table\'s row as jsonb)', async () => {
    const m = apiAs(w.manager);
    await m.clients.delete(w.clientA);
    const client = await m.clients.restore(w.clientA);
    expect(client).to.deep.equal(await m.clients.get(w.clientA));
    await m.contracts.delete(w.contractA);
    const contract = await m.contracts.restore(w.contractA);
    expect(contract).to.deep.equal(await m.contracts.get(w.contractA));
    await apiAs(w.kate).events.delete(w.eventK);
    const event = await apiAs(w.kate).events.restore(w.eventK);
    expect(event).to.deep.equal(await m.events.get(w.eventK));
    // Raw: what the function itself returns.
    await m.contracts.delete(w.contractA);
    const row = await raw(w.alice, async (tx) => ((await tx.one<{ row: Record<string, unknown> }>(t.restoreRecordRow, ['contract', w.contractA]))?.row ?? {}) as never);
    expect(row).to.include({ id: w.contractA, client_id: w.clientA, total_amount: 1000 });
    expect(row).to.have.all.keys('id', 'client_id', 'total_amount', 'amount_due', 'signed_at', 'created_at', 'updated_at', 'version');
  });

  it('refuses to restore a contract whose client is in the trash, and restores it with the client', async () => {
    await apiAs(w.manager).contracts.delete(w.contractA);
    await apiAs(w.manager).clients.delete(w.clientA);
    expect((await refused(() => apiAs(w.manager).contracts.restore(w.contractA))).message).to.match(/restore the client first/);
    await apiAs(w.manager).clients.restore(w.clientA);
    await apiAs(w.manager).contracts.restore(w.contractA);
    expect(await apiAs(w.manager).contracts.count({ clientId: w.clientA })).to.equal(3);
  });

  it('is emptied by management only, for what is older than asked; the history keeps a "purged" entry', async () => {
    await apiAs(w.alice).contracts.delete(w.contractA);
    expect(await refused(() => apiAs(w.alice).trash.empty({ olderThan: '0d' }))).to.be.instanceOf(PermissionDenied);
    expect(await refused(() => apiAs(w.manager).trash.empty({ olderThan: 'soon' }))).to.be.instanceOf(ValidationError);
    expect(await apiAs(w.manager).trash.empty({ olderThan: '30d' })).to.deep.equal({ purged: 0 });
    expect(await apiAs(w.manager).trash.empty({ olderThan: '0d' })).to.deep.equal({ purged: 1 });
    expect((await apiAs(w.manager).trash()).rows).to.have.length(0);
    expect(await rejection(apiAs(w.alice).contracts.restore(w.contractA))).to.be.instanceOf(NotFound);
    const [last] = (await apiAs(w.manager).activity({ object: 'contract' })).rows;
    expect(last).to.include({ action: 'purged', recordId: w.contractA, actorName: 'Maud Manager' });
  });

  describe('raw SQL with the runtime credentials, each department', () => {
    it('a DELETE is a move to the trash, under the same rules (TypeScript bypassed)', async () => {
      const del = (q: typeof t.bypassDeleteClient, id: number) => (tx: Executor) => tx.exec(q, [id]);
      const before = await fingerprint();
      expect(await raw(w.alice, del(t.bypassDeleteClient, w.clientB))).to.equal(0);
      expect(await raw(w.alice, del(t.bypassDeleteClient, w.clientA))).to.equal('EP320');
      expect(await raw(w.alice, del(t.bypassDeleteContract, w.signedA))).to.equal(0);
      expect(await raw(w.kate, del(t.bypassDeleteClient, w.clientA))).to.equal('42501');
      expect(await raw(w.kate, del(t.bypassDeleteContract, w.contractA))).to.equal('42501');
      expect(await raw(w.kate, del(t.bypassDeleteEvent, w.eventL))).to.equal(0);
      expect(await raw(w.alice, del(t.bypassDeleteEvent, w.eventK))).to.equal('42501');
      expect(await fingerprint()).to.deep.equal(before);
      expect(await raw(w.alice, del(t.bypassDeleteContract, w.contractA))).to.equal(1);
      expect(await raw(w.kate, del(t.bypassDeleteEvent, w.eventK))).to.equal(1);
      expect(await raw(w.manager, del(t.bypassDeleteClient, w.clientB))).to.equal(1);
      const trashed = (await apiAs(w.manager).trash()).rows.map((e) => `${e.object} ${e.recordId} ${e.deletedBy}`);
      expect(trashed).to.deep.equal([`client ${w.clientB} Maud Manager`, `event ${w.eventK} Kate Support`, `contract ${w.contractA} Alice Sales`]);
    });

    it('restore_record and empty_trash check the caller; nobody writes or deletes the trash directly', async () => {
      await apiAs(w.manager).clients.delete(w.clientB);
      const before = await fingerprint();
      const restore = (tx: Executor) => tx.exec(t.bypassRestore, ['client', w.clientB]);
      expect(await raw(w.alice, restore)).to.equal('EP320');
      expect(await raw(w.kate, restore)).to.equal('EP320');
      for (const a of [w.alice, w.kate]) expect(await raw(a, (tx) => tx.exec(t.bypassEmptyTrash))).to.equal('42501');
      for (const a of [w.manager, w.alice, w.kate]) {
        expect(await raw(a, (tx) => tx.exec(t.bypassInsertTrash))).to.equal('42501');
        expect(await raw(a, (tx) => tx.exec(t.bypassDeleteTrash))).to.equal('42501');
      }
      expect(await fingerprint()).to.deep.equal(before);
      // Bob's client: Bob sees it in the trash, Alice does not.
      expect(await raw(w.bob, (tx) => tx.many(t.bypassReadTrash).then((r) => r.length))).to.equal(5);
      expect(await raw(w.alice, (tx) => tx.many(t.bypassReadTrash).then((r) => r.length))).to.equal(0);
      // Its signed contracts with payments went with it: management's to bring back.
      expect(await raw(w.bob, restore)).to.equal('EP320');
      expect(await raw(w.manager, restore)).to.equal(1);
    });
  });
});
