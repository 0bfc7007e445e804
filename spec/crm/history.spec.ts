/** Record history kept by PostgreSQL (sql/migrations/007_change_log.sql) and read through the API. */
import { expect } from 'chai';
import { createApi } from '../../lib/crm/api.js';
import { identityPrelude } from '../../lib/crm/deps.js';
import type { HistoryEntry } from '../../lib/crm/history.js';
import type { Page } from '../../lib/crm/page.js';
import { testQueries } from '../support/test-queries.js';
import { NotFound, PermissionDenied, ValidationError } from '../../lib/domain/errors.js';
import { render } from '../../lib/shell/output.js';
import type { Actor } from '../../lib/domain/actor.js';
import { apiAs, buildWorld, expectRefused, rejection, type World } from '../support/fixtures.js';
import { ctx, fingerprint, resetData, sessionDb } from '../support/server.js';

const t = testQueries(['bypassUpdateContractAmount', 'historyUpdate', 'historyDelete', 'historyTruncate', 'historyInsert'] as const);

const entries = (page: Page<HistoryEntry>) => page.rows.map((e) => ({ actor: e.actorName, action: e.action, changes: e.changes }));

describe('record history', () => {
  let w: World;
  beforeEach(async () => {
    await resetData();
    w = await buildWorld();
  });

  it('records an update through the API with the collaborator, each changed field old → new, newest first', async () => {
    await apiAs(w.alice).contracts.update(w.contractA, { amountDue: '250.50' });
    await apiAs(w.manager).contracts.sign(w.contractA);
    const page = await apiAs(w.kate).contracts.history(w.contractA);
    expect(entries(page)).to.deep.equal([
      { actor: 'Maud Manager', action: 'signed', changes: { signedAt: [null, page.rows[0].changes!.signedAt[1]] } },
      { actor: 'Alice Sales', action: 'updated', changes: { amountDue: [1000, 250.5] } },
      { actor: 'system', action: 'created', changes: null },
    ]);
    const text = render(page, { json: false, color: false });
    expect(text).to.match(/Alice Sales {2}amountDue 1000\.00 → 250\.50/);
    expect(text).to.match(/Maud Manager {2}signed/);
    // --json: the entries whole.
    expect(JSON.parse(render(page, { json: true, color: false }))[1]).to.include({ actorName: 'Alice Sales', action: 'updated', object: 'contract', recordId: w.contractA });
  });

  it('records raw SQL run with the runtime credentials under the verified session, not a name the client sends', async () => {
    await sessionDb(w.alice).transaction((tx) => tx.exec(t.bypassUpdateContractAmount, [w.contractA]), { prelude: identityPrelude(w.alice) });
    const [latest] = (await apiAs(w.manager).contracts.history(w.contractA)).rows;
    expect(latest).to.include({ actorId: w.alice.id, actorName: 'Alice Sales', action: 'updated' });
  });

  it('refuses UPDATE, DELETE, TRUNCATE and INSERT on the log to every department, changing nothing', async () => {
    await apiAs(w.alice).clients.update(w.clientA, { phone: '+33 6 00 00 00 00' });
    const before = await fingerprint();
    for (const actor of [w.manager, w.alice, w.kate] as Actor[]) {
      for (const q of [t.historyUpdate, t.historyDelete, t.historyTruncate, t.historyInsert]) {
        const err = await rejection(sessionDb(actor).transaction((tx) => tx.exec(q), { prelude: identityPrelude(actor) }));
        expect(err, `${actor.department}: ${q.name}`).to.be.instanceOf(PermissionDenied);
      }
    }
    expect(await fingerprint()).to.deep.equal(before);
  });

  it("keeps a deleted collaborator's entries with their name as it was", async () => {
    await apiAs(w.bob).clients.update(w.clientB, { companyName: 'Renamed by Bob' });
    await createApi({ db: sessionDb(w.manager), config: ctx().config, monitor: { event: () => undefined, exception: () => undefined, flush: async () => undefined }, actor: () => w.manager }).users.delete(w.bob.id, { unassign: true });
    const page = await apiAs(w.manager).clients.history(w.clientB);
    expect(page.rows.find((e) => e.action === 'updated')).to.include({ actorName: 'Bob Sales', actorId: w.bob.id });
    expect(page.rows[0]).to.include({ actorName: 'Maud Manager', action: 'assigned' });
    const userHistory = await apiAs(w.manager).users.history(w.bob.id);
    expect(userHistory.rows[0]).to.include({ action: 'deleted', note: 'Bob Sales <bob@epic.events>' });
  });

  it('says "password changed" and never shows a hash', async () => {
    await apiAs(w.manager).users.update(w.kate.id, { password: 'a brand new password', phone: '+33 7 00 00 00 00' });
    const page = await apiAs(w.manager).users.history(w.kate.id);
    expect(page.rows.map((e) => e.action)).to.include.members(['password changed', 'updated']);
    expect(JSON.stringify(page.rows)).not.to.match(/\$2[aby]\$|password_?hash/i);
  });

  it("gives collaborators' history to management only, and NotFound for a record that does not exist", async () => {
    expect(await rejection(apiAs(w.alice).users.history(w.kate.id))).to.be.instanceOf(PermissionDenied);
    expect(await rejection(apiAs(w.alice).clients.history(9999))).to.be.instanceOf(NotFound);
  });

  it("feeds management everyone's changes, and others their own and their records'", async () => {
    await apiAs(w.bob).clients.update(w.clientB, { phone: '+33 6 11 11 11 11' });
    await apiAs(w.alice).clients.update(w.clientA, { phone: '+33 6 22 22 22 22' });
    await apiAs(w.manager).events.assign(w.eventK, w.lou.id);
    const all = await apiAs(w.manager).activity({ limit: 3 });
    expect(all.rows.map((e) => e.actorName)).to.deep.equal(['Maud Manager', 'Alice Sales', 'Bob Sales']);
    const alice = await apiAs(w.alice).activity();
    // Her own change, and the manager's assignment of her client's event; not Bob's.
    expect(alice.rows.map((e) => `${e.actorName} ${e.object} ${e.action}`)).to.include.members(['Alice Sales client updated', 'Maud Manager event assigned']);
    expect(alice.rows.some((e) => e.actorName === 'Bob Sales')).to.equal(false);
    const byBob = await apiAs(w.manager).activity({ by: w.bob.id, object: 'client', since: new Date(Date.now() - 60_000) });
    expect(byBob.rows.map((e) => e.actorName)).to.deep.equal(['Bob Sales']);
    const rendered = render(all, { json: false, color: false });
    // People and records by name, not ids.
    expect(rendered).to.include(`Maud Manager  event ${w.eventK} (Kate event)  assigned supportContact Kate Support → Lou Support`);
    expect(rendered).to.include(`Bob Sales  client ${w.clientB} (Client of Bob)  phone`);
    await apiAs(w.manager).clients.assign(w.clientA, w.bob.id);
    const one = render(await apiAs(w.manager).clients.history(w.clientA), { json: false, color: false });
    expect(one).to.match(/Maud Manager {2}assigned salesContact Alice Sales → Bob Sales$/m);
  });

  it('pages with it (newest first), and refuses bad filters naming the field, with nothing changed', async () => {
    for (let i = 0; i < 5; i++) await apiAs(w.alice).clients.update(w.clientA, { phone: `+33 6 00 00 00 0${i}` });
    const first = await apiAs(w.alice).clients.history(w.clientA, { limit: 2 });
    const second = await first.next();
    expect(first.hasMore).to.equal(true);
    expect(second.rows[0].id).to.be.lessThan(first.rows[1].id);
    const err = await expectRefused(() => apiAs(w.manager).activity({ object: 'invoice' as never, since: 'not a date' }));
    expect(err).to.be.instanceOf(ValidationError);
    expect(err.message).to.match(/object/).and.to.match(/since/);
  });
});
