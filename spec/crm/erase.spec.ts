/** clients.erase(id) and clients.personalData(id) (sql/migrations/028_erase.sql), management only, enforced by PostgreSQL. */
import { expect } from 'chai';
import type { Executor } from '../../lib/db/index.js';
import { identityPrelude } from '../../lib/crm/deps.js';
import { NotFound, PermissionDenied } from '../../lib/domain/errors.js';
import type { Actor } from '../../lib/domain/actor.js';
import { testQueries } from '../support/test-queries.js';
import { apiAs, buildWorld, rejection, type World } from '../support/fixtures.js';
import { ctx, fingerprint, resetData, sessionDb } from '../support/server.js';

const t = testQueries(['bypassErase', 'bypassPersonalData', 'bypassFindText'] as const);

async function raw<R>(actor: Actor, run: (tx: Executor) => Promise<R>): Promise<R | string> {
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

// The phones in E.164 too (clients.phone_e164, a trash entry's copy of it), and a follow-up's note.
const OLD = ['Client of Alice', 'a@client.test', 'Zanzibar Trading', '+33 6 12 34 56 78', 'Alicia Client', 'alicia@client.test', '0699887766', '+33699887766', 'call Alicia'];

describe('erasing a person', () => {
  let w: World;
  beforeEach(async () => {
    await resetData();
    w = await buildWorld();
    // A history full of personal data: old names, emails, phones and companies.
    await apiAs(w.alice).clients.update(w.clientA, { phone: '+33 6 12 34 56 78', companyName: 'Zanzibar Trading' });
    await apiAs(w.alice).clients.update(w.clientA, { fullName: 'Alicia Client', email: 'alicia@client.test', phone: '0699887766' });
    // Follow-ups: free text about the person, open and done.
    await apiAs(w.alice).clients.followUp(w.clientA, 'tomorrow 10:00', 'call Alicia on 0699887766 about Zanzibar Trading');
    await apiAs(w.alice).followUps.done((await apiAs(w.alice).clients.followUp(w.clientA, 'tomorrow 11:00', 'call Alicia again')).id);
  });

  /** Where raw SQL as management finds a text: every table's rows as text (sql: bypassFindText). */
  const findings = async (text: string) => raw(w.manager, (tx) => tx.many<{ place: string }>(t.bypassFindText, [text]).then((r) => r.map((x) => x.place)));

  it('replaces name, email, phone and company everywhere, the history included; contracts and events stay', async () => {
    const before = { contracts: await apiAs(w.manager).contracts.count({ clientId: w.clientA }), event: await apiAs(w.manager).events.get(w.eventK) };
    expect(await apiAs(w.manager).clients.erase(w.clientA)).to.deep.equal({ erased: w.clientA });
    expect(await apiAs(w.manager).clients.get(w.clientA)).to.include({ fullName: '[erased]', email: `erased-${w.clientA}@erased.invalid`, phone: '[erased]', companyName: '[erased]' });
    for (const text of OLD) expect(await findings(text), text).to.deep.equal([]);
    expect(await apiAs(w.manager).contracts.count({ clientId: w.clientA })).to.equal(before.contracts);
    expect(await apiAs(w.manager).events.get(w.eventK)).to.include({ id: w.eventK, name: before.event.name });
    const [last, ...older] = (await apiAs(w.manager).clients.history(w.clientA)).rows;
    expect(last).to.include({ action: 'erased', actorName: 'Maud Manager', changes: null });
    expect(older.map((e) => e.action)).to.deep.equal(['follow-up done', 'follow-up', 'follow-up', 'updated', 'updated', 'created']);
    expect((await apiAs(w.manager).clients.personalData(w.clientA)).followUps.map((f) => f.note)).to.deep.equal(['[erased]', '[erased]']);
    expect(older[3].changes).to.deep.equal({ fullName: ['[erased]', '[erased]'], email: ['[erased]', '[erased]'], phone: ['[erased]', '[erased]'] });
    // An erased client's old changes cannot be undone (that would write placeholders back over nothing).
    expect(await refused(() => apiAs(w.alice).undo(Number(older[3].id)))).to.be.instanceOf(Error);
  });

  it('erases a client in the trash too: its phone in E.164 and its follow-ups with it', async () => {
    await apiAs(w.manager).clients.delete(w.clientA);
    expect(await findings('+33699887766')).to.have.length(1);
    expect(await findings('call Alicia')).to.have.length(1);
    await apiAs(w.manager).clients.erase(w.clientA);
    for (const text of OLD) expect(await findings(text), text).to.deep.equal([]);
    expect(await apiAs(w.manager).clients.restore(w.clientA)).to.include({ fullName: '[erased]', phone: '[erased]' });
    const notes = (await apiAs(w.manager).clients.personalData(w.clientA)).followUps.map((f) => [f.note, f.done_at === null]);
    expect(notes).to.deep.equal([['[erased]', true], ['[erased]', false]]);
  });

  it('is management\'s alone (TypeScript and raw SQL), changing nothing otherwise', async () => {
    for (const who of [w.alice, w.kate]) {
      expect(await refused(() => apiAs(who).clients.erase(w.clientA))).to.be.instanceOf(PermissionDenied);
      expect(await refused(() => apiAs(who).clients.personalData(w.clientA))).to.be.instanceOf(PermissionDenied);
      const before = await fingerprint();
      expect(await raw(who, (tx) => tx.exec(t.bypassErase, [w.clientA]))).to.equal('42501');
      expect(await raw(who, (tx) => tx.exec(t.bypassPersonalData, [w.clientA]))).to.equal('42501');
      expect(await fingerprint()).to.deep.equal(before);
    }
    expect(await refused(() => apiAs(w.manager).clients.erase(999))).to.be.instanceOf(NotFound);
  });

  it('personalData gathers the record, its contracts, their events and all their history in one JSON document', async () => {
    const doc = await apiAs(w.manager).clients.personalData(w.clientA);
    expect(doc.client).to.include({ id: w.clientA, full_name: 'Alicia Client', email: 'alicia@client.test' });
    expect(doc.inTrash).to.equal(false);
    expect(doc.contracts.map((k) => k.id)).to.have.length(3).and.include(w.contractA);
    expect(doc.events.map((e) => e.id)).to.deep.equal([w.eventK]);
    expect(doc.followUps.map((f) => f.note)).to.deep.equal(['call Alicia on 0699887766 about Zanzibar Trading', 'call Alicia again']);
    expect(doc.history.filter((e) => e.object === 'client').map((e) => e.action)).to.deep.equal(['created', 'updated', 'updated', 'follow-up', 'follow-up', 'follow-up done']);
    expect(JSON.parse(JSON.stringify(doc))).to.deep.equal(doc);
  });
});
