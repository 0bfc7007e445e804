/** undo(historyEntryId) and clients.undoImport(importId) (sql/migrations/027_undo.sql), enforced by PostgreSQL. */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Executor } from '../../lib/db/index.js';
import { identityPrelude } from '../../lib/crm/deps.js';
import { Conflict, NotFound, PermissionDenied, ValidationError } from '../../lib/domain/errors.js';
import type { Actor } from '../../lib/domain/actor.js';
import { testQueries } from '../support/test-queries.js';
import { addContract, addUser, apiAs, buildWorld, rejection, type World } from '../support/fixtures.js';
import { ctx, fingerprint, resetData, sessionDb } from '../support/server.js';
import { tempWorkingDir } from '../support/workdir.js';

const t = testQueries(['bypassUndo', 'bypassForgeUndoLabel', 'bypassForgeUserUndoLabel', 'bypassUpdateContractAmount', 'bypassUpdateClientName', 'lockWaiters'] as const);

async function raw(actor: Actor, run: (tx: Executor) => Promise<number>): Promise<number | string> {
  try {
    return await sessionDb(actor).transaction(run, { prelude: identityPrelude(actor) });
  } catch (err) {
    return (err as { sqlState?: string }).sqlState ?? (err as { code?: string }).code ?? String(err);
  }
}

async function refused(call: () => Promise<unknown>): Promise<Error> {
  const before = await fingerprint();
  const err = await rejection(call());
  expect(await fingerprint()).to.deep.equal(before);
  return err;
}

/** The id of the newest history entry of a record. */
async function latestEntry(actor: Actor, object: 'client' | 'contract' | 'event', id: number): Promise<number> {
  const api = apiAs(actor);
  const page = object === 'client' ? await api.clients.history(id) : object === 'contract' ? await api.contracts.history(id) : await api.events.history(id);
  return Number(page.rows[0].id);
}

describe('undo', () => {
  let w: World;
  beforeEach(async () => {
    await resetData();
    w = await buildWorld();
  });

  it("writes an update's old values back as a new change, 'undone #id' in the history", async () => {
    await apiAs(w.alice).clients.update(w.clientA, { phone: '+33 6 11 11 11 11', companyName: 'Wrong Co' });
    const entry = await latestEntry(w.alice, 'client', w.clientA);
    expect(await apiAs(w.alice).undo(entry)).to.deep.equal({ object: 'client', recordId: w.clientA, action: 'undone', fields: ['companyName', 'phone'] });
    expect(await apiAs(w.alice).clients.get(w.clientA)).to.include({ phone: null, companyName: null });
    const [last] = (await apiAs(w.alice).clients.history(w.clientA)).rows;
    expect(last).to.include({ action: 'undone', note: `#${entry}`, actorName: 'Alice Sales' });
    expect(last.changes).to.deep.equal({ phone: ['+33 6 11 11 11 11', null], companyName: ['Wrong Co', null] });
  });

  it('refuses, naming the fields, when the record changed since; nothing is written', async () => {
    await apiAs(w.alice).clients.update(w.clientA, { phone: '+33 6 11 11 11 11', companyName: 'First' });
    const entry = await latestEntry(w.alice, 'client', w.clientA);
    await apiAs(w.alice).clients.update(w.clientA, { companyName: 'Second' });
    const err = await refused(() => apiAs(w.alice).undo(entry));
    expect(err).to.be.instanceOf(Conflict);
    expect(err.message).to.match(/changed since history entry #\d+: companyName$/);
    // Another collaborator's later change of the same field.
    await apiAs(w.alice).contracts.update(w.contractA, { amountDue: '400.00' });
    const payment = await latestEntry(w.alice, 'contract', w.contractA);
    await apiAs(w.manager).contracts.update(w.contractA, { amountDue: '300.00' });
    expect((await refused(() => apiAs(w.alice).undo(payment))).message).to.match(/: amountDue$/);
  });

  it('undoes under the caller\'s own rules: who could have made the change (TypeScript and raw SQL)', async () => {
    await apiAs(w.alice).clients.update(w.clientA, { companyName: 'Renamed' });
    const rename = await latestEntry(w.alice, 'client', w.clientA);
    await apiAs(w.manager).contracts.update(w.contractA, { totalAmount: '1500.00' });
    const amount = await latestEntry(w.manager, 'contract', w.contractA);
    // Management may not rename a client; Bob not touch Alice's; support neither.
    for (const who of [w.manager, w.bob, w.kate]) expect(await refused(() => apiAs(who).undo(rename)), who.email).to.be.instanceOf(PermissionDenied);
    expect(await refused(() => apiAs(w.kate).undo(amount))).to.be.instanceOf(PermissionDenied);
    expect(await refused(() => apiAs(w.bob).undo(amount))).to.be.instanceOf(PermissionDenied);
    const before = await fingerprint();
    for (const who of [w.manager, w.bob, w.kate]) expect(await raw(who, (tx) => tx.exec(t.bypassUndo, [rename])), who.email).to.equal('EP320');
    expect(await raw(w.kate, (tx) => tx.exec(t.bypassUndo, [amount]))).to.equal('EP320');
    expect(await fingerprint()).to.deep.equal(before);
    // Alice could have changed her client's contract amount: she may undo it.
    expect(await raw(w.alice, (tx) => tx.exec(t.bypassUndo, [amount]))).to.equal(1);
    expect((await apiAs(w.manager).contracts.get(w.contractA)).totalAmount).to.equal('1000.00');
    expect(await raw(w.alice, (tx) => tx.exec(t.bypassUndo, [rename]))).to.equal(1);
  });

  it('never overwrites a change committed while it waited for the row (the check is in the UPDATE itself)', async () => {
    await apiAs(w.alice).contracts.update(w.contractA, { amountDue: '400.00' });
    const entry = await latestEntry(w.alice, 'contract', w.contractA);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let changed!: () => void;
    const holding = new Promise<void>((r) => (changed = r));
    // Management's change of the same field, not committed yet: its transaction holds the row.
    const other = raw(w.manager, async (tx) => {
      const n = await tx.exec(t.bypassUpdateContractAmount, [w.contractA]);
      changed();
      await held;
      return n;
    });
    await holding;
    const undo = rejection(apiAs(w.alice).undo(entry));
    while (Number((await ctx().admin.one<{ waiting: number }>(t.lockWaiters, [ctx().config.appDbUser]))?.waiting ?? 0) === 0) await new Promise((r) => setTimeout(r, 20));
    release();
    expect(await other).to.equal(1);
    const err = await undo;
    expect(err).to.be.instanceOf(Conflict);
    expect(err.message).to.match(/changed since history entry #\d+: amountDue$/);
    expect((await apiAs(w.manager).contracts.get(w.contractA)).amountDue).to.equal('0.00');
  });

  it('sends an undone creation to the trash and brings an undone deletion back', async () => {
    const created = await apiAs(w.alice).clients.create({ fullName: 'Oops', email: 'oops@client.test' });
    const creation = await latestEntry(w.alice, 'client', created.id);
    expect(await apiAs(w.alice).undo(creation)).to.include({ action: 'deleted', recordId: created.id });
    expect((await apiAs(w.alice).trash()).rows.map((e) => e.recordId)).to.deep.equal([created.id]);
    const deletion = Number((await apiAs(w.manager).activity({ object: 'client' })).rows[0].id);
    expect(await apiAs(w.alice).undo(deletion)).to.include({ action: 'restored', recordId: created.id });
    expect(await apiAs(w.alice).clients.get(created.id)).to.include({ fullName: 'Oops' });
    const actions = (await apiAs(w.alice).clients.history(created.id)).rows.map((e) => `${e.action} ${e.note ?? ''}`.trim());
    expect(actions).to.deep.equal([`restored undo of #${deletion}`, `deleted undo of #${creation}`, 'created']);
  });

  it('refuses what cannot be undone, and an unknown or malformed entry', async () => {
    const created = await apiAs(w.manager).users.create({ fullName: 'New Hire', email: 'hire@epic.events', password: 'a long enough password', department: 'support' });
    const creation = Number((await apiAs(w.manager).users.history(created.id)).rows[0].id);
    expect((await refused(() => apiAs(w.manager).undo(creation))).message).to.match(/only a collaborator's updates/);
    expect(await refused(() => apiAs(w.manager).undo(999999))).to.be.instanceOf(NotFound);
    expect(await refused(() => apiAs(w.manager).undo('1' as never))).to.be.instanceOf(ValidationError);
  });

  describe("a collaborator's update (management's)", () => {
    it('writes the old values back, "undone #id", and refuses when changed since', async () => {
      await apiAs(w.manager).users.update(w.bob.id, { fullName: 'Robert Sales', phone: '+33 1 00 00 00 00' });
      const entry = Number((await apiAs(w.manager).users.history(w.bob.id)).rows[0].id);
      expect(await apiAs(w.manager).undo(entry)).to.deep.equal({ object: 'user', recordId: w.bob.id, action: 'undone', fields: ['fullName', 'phone'] });
      expect(await apiAs(w.manager).users.get(w.bob.id)).to.include({ fullName: 'Bob Sales', phone: null });
      const [last] = (await apiAs(w.manager).users.history(w.bob.id)).rows;
      expect(last).to.include({ action: 'undone', note: `#${entry}`, actorName: 'Maud Manager' });
      expect(last.changes).to.deep.equal({ fullName: ['Robert Sales', 'Bob Sales'], phone: ['+33 1 00 00 00 00', null] });
      // Changed since: the undo itself changed both fields; the entry cannot be undone twice.
      expect((await refused(() => apiAs(w.manager).undo(entry))).message).to.match(/changed since history entry #\d+: fullName, phone$/);
    });

    it("undoes a department change under the same rules as an update (a support collaborator back to support)", async () => {
      const sam = await addUser('Sam Support', 'sam@epic.events', 'support');
      await apiAs(w.manager).users.update(sam.id, { department: 'sales' });
      const entry = Number((await apiAs(w.manager).users.history(sam.id)).rows[0].id);
      expect(await apiAs(w.manager).undo(entry)).to.include({ action: 'undone', recordId: sam.id });
      expect((await apiAs(w.manager).users.get(sam.id)).department).to.equal('support');
    });

    it('is refused to sales and support, in TypeScript and raw SQL (they cannot even read the entry); nothing changes', async () => {
      await apiAs(w.manager).users.update(w.bob.id, { phone: '+33 1 00 00 00 00' });
      const entry = Number((await apiAs(w.manager).users.history(w.bob.id)).rows[0].id);
      for (const who of [w.alice, w.bob, w.kate]) {
        expect(await refused(() => apiAs(who).undo(entry)), who.email).to.be.instanceOf(NotFound);
        const before = await fingerprint();
        expect(await raw(who, (tx) => tx.exec(t.bypassUndo, [entry])), who.email).to.equal('EP322');
        expect(await fingerprint()).to.deep.equal(before);
      }
    });

    it('labels "undone" only when the row holds the old values again (a forged epic.undo_of labels nothing)', async () => {
      await apiAs(w.manager).users.update(w.bob.id, { phone: '+33 1 00 00 00 00' });
      const entry = Number((await apiAs(w.manager).users.history(w.bob.id)).rows[0].id);
      expect(await raw(w.manager, (tx) => tx.exec(t.bypassForgeUserUndoLabel, [String(entry), w.bob.id, '+33 1 99 99 99 99']))).to.equal(1);
      const [last] = (await apiAs(w.manager).users.history(w.bob.id)).rows;
      expect(last).to.include({ action: 'updated', note: null });
    });
  });

  it('labels "undone" only what really wrote an entry\'s old values back (a forged epic.undo_of labels nothing)', async () => {
    await apiAs(w.alice).clients.update(w.clientA, { companyName: 'Real' });
    const entry = await latestEntry(w.alice, 'client', w.clientA);
    expect(await raw(w.alice, (tx) => tx.exec(t.bypassForgeUndoLabel, [String(entry), w.clientA, 'Forged']))).to.equal(1);
    const [last] = (await apiAs(w.alice).clients.history(w.clientA)).rows;
    expect(last).to.include({ action: 'updated', note: null });
  });

  describe('clients.undoImport', function () {
    this.timeout(60_000);
    const work = tempWorkingDir('epic-undo-import-');
    const file = (name: string, content: string) => (fs.writeFileSync(path.join(work.path, name), content), name);

    it('moves the clients an import created to the trash and puts back what it updated, all at once', async () => {
      await apiAs(w.alice).clients.update(w.clientA, { phone: '+33 6 22 22 22 22' });
      const report = await apiAs(w.alice).clients.import(file('a.csv', 'Full name,Email,Phone\nNew One,new1@x.test,\nNew Two,new2@x.test,\nRenamed A,a@client.test,+33 6 99 99 99 99\n'), { onDuplicate: 'update' });
      expect(report).to.include({ created: 2, updated: 1 });
      expect(report.importId).to.be.a('number');
      const result = await apiAs(w.alice).clients.undoImport(report.importId!);
      expect(result.deleted).to.have.length(2);
      expect(result.restored).to.deep.equal([w.clientA]);
      expect(await apiAs(w.alice).clients.get(w.clientA)).to.include({ fullName: 'Client of Alice', phone: '+33 6 22 22 22 22' });
      expect(await apiAs(w.alice).clients.count({ search: 'x.test' })).to.equal(0);
      expect((await apiAs(w.alice).trash()).rows).to.have.length(2);
      // Done once: a second time, the clients are gone since.
      expect(await refused(() => apiAs(w.alice).clients.undoImport(report.importId!))).to.be.instanceOf(Conflict);
    });

    it('never overwrites a change committed while it waited for a client it puts back', async () => {
      const report = await apiAs(w.alice).clients.import(file('r.csv', 'Full name,Email\nRenamed A,a@client.test\n'), { onDuplicate: 'update' });
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      let changed!: () => void;
      const holding = new Promise<void>((r) => (changed = r));
      const other = raw(w.alice, async (tx) => {
        const n = await tx.exec(t.bypassUpdateClientName, [w.clientA]);
        changed();
        await held;
        return n;
      });
      await holding;
      const undo = rejection(apiAs(w.alice).clients.undoImport(report.importId!));
      while (Number((await ctx().admin.one<{ waiting: number }>(t.lockWaiters, [ctx().config.appDbUser]))?.waiting ?? 0) === 0) await new Promise((r) => setTimeout(r, 20));
      release();
      expect(await other).to.equal(1);
      const err = await undo;
      expect(err).to.be.instanceOf(Conflict);
      expect(err.message).to.include(`client ${w.clientA} changed since (fullName)`);
      expect((await apiAs(w.alice).clients.get(w.clientA)).fullName).to.equal('Bypassed');
    });

    it('refuses, naming each client, when one changed or gained a contract since; nothing is undone', async () => {
      const report = await apiAs(w.manager).clients.import(file('b.csv', 'Full name,Email,Sales contact\nC One,c1@x.test,alice@epic.events\nC Two,c2@x.test,alice@epic.events\nC Three,c3@x.test,\n'));
      const [one, two] = (await apiAs(w.manager).clients.list({ search: 'x.test', sort: 'fullName' })).rows;
      await apiAs(w.alice).clients.update(one.id, { phone: '+33 6 33 33 33 33' });
      const contract = await addContract(two.id, '10.00', '10.00', false);
      const err = await refused(() => apiAs(w.manager).clients.undoImport(report.importId!));
      expect(err).to.be.instanceOf(Conflict);
      expect(err.message).to.include(`client ${one.id} changed since (phone)`).and.include(`client ${two.id} gained contract ${contract}`);
    });

    it('is refused to support and to another salesperson, changing nothing', async () => {
      const report = await apiAs(w.alice).clients.import(file('c.csv', 'Full name,Email\nD One,d1@x.test\n'));
      expect(await refused(() => apiAs(w.kate).clients.undoImport(report.importId!))).to.be.instanceOf(PermissionDenied);
      expect(await refused(() => apiAs(w.bob).clients.undoImport(report.importId!))).to.be.instanceOf(PermissionDenied);
      expect(await refused(() => apiAs(w.manager).clients.undoImport(999))).to.be.instanceOf(NotFound);
      expect(await apiAs(w.manager).clients.undoImport(report.importId!)).to.include({ importId: report.importId });
    });
  });
});
