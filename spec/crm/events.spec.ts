import { expect } from 'chai';
import { testQueries } from '../support/test-queries.js';
import { Conflict, NotFound, PermissionDenied, ValidationError } from '../../lib/domain/errors.js';
import { addContract, addEvent, apiAs, buildWorld, expectRefused, rejection } from '../support/fixtures.js';
import { asOwner } from '../support/owner.js';
import { ctx, fingerprint, resetData } from '../support/server.js';

const t = testQueries(['eventVersion'] as const);
const versionOf = async (id: number) => (await asOwner((c) => c.one<{ version: number }>(t.eventVersion, [id])))?.version;

const party = { name: 'Party', startAt: '2026-07-01T18:00:00Z', endAt: '2026-07-01T23:00:00Z', location: 'Paris', attendees: 50 };

describe('events', () => {
  beforeEach(resetData);

  it("create on a signed contract of the caller's client returns the client's contact details, unassigned", async () => {
    const w = await buildWorld();
    const e = await apiAs(w.alice).events.create({ contractId: w.signedA, ...party, notes: 'Vegetarian menu' });
    expect(e).to.include({ contractId: w.signedA, clientName: 'Client of Alice', clientEmail: 'a@client.test', supportContactId: null, supportContactName: null, attendees: 50, notes: 'Vegetarian menu' });
    expect(e.startAt.toISOString()).to.equal('2026-07-01T18:00:00.000Z');
  });

  it('create on an unsigned contract is a ValidationError saying it is not signed, and inserts nothing', async () => {
    const w = await buildWorld();
    const err = await expectRefused(() => apiAs(w.alice).events.create({ contractId: w.contractA, ...party }));
    expect(err).to.be.instanceOf(ValidationError);
    expect(err.message).to.equal(`contractId contract ${w.contractA} is not signed yet; its event can be created once it is signed`);
  });

  it("create on a colleague's client's contract is PermissionDenied, even when unsigned", async () => {
    const w = await buildWorld();
    const err = await expectRefused(() => apiAs(w.alice).events.create({ contractId: w.contractB, ...party }));
    expect(err).to.be.instanceOf(PermissionDenied);
    expect(err.message).to.match(/^sales may only add events to contracts of their own clients .*bob@epic\.events/);
  });

  it('a second event for the same contract is a Conflict naming the existing one', async () => {
    const w = await buildWorld();
    const first = await apiAs(w.alice).events.create({ contractId: w.signedA, ...party });
    const err = await expectRefused(() => apiAs(w.alice).events.create({ contractId: w.signedA, ...party }));
    expect(err).to.be.instanceOf(Conflict);
    expect(err.message).to.contain(`event ${first.id}`);
  });

  it('create lists every bad field at once: missing, unparseable, end before start, negative attendees, unknown', async () => {
    const w = await buildWorld();
    const err = await expectRefused(() => apiAs(w.alice).events.create({ contractId: w.signedA, startAt: '2026-07-02T10:00', endAt: '2026-07-01T10:00', attendees: -1, location: '', supportContactId: w.kate.id } as never));
    expect((err as ValidationError).problems.map((p) => p.field).sort()).to.deep.equal(['attendees', 'endAt', 'location', 'name', 'supportContactId']);
  });

  it('support updates an event assigned to them and the version is bumped', async () => {
    const w = await buildWorld();
    const v = await versionOf(w.eventK);
    const e = await apiAs(w.kate).events.update(w.eventK, { notes: 'Band confirmed', attendees: 80 });
    expect(e).to.include({ notes: 'Band confirmed', attendees: 80, supportContactId: w.kate.id });
    expect(await versionOf(w.eventK)).to.equal((v as number) + 1);
  });

  it('support cannot change the support contact of their event', async () => {
    const w = await buildWorld();
    const err = await expectRefused(() => apiAs(w.kate).events.update(w.eventK, { supportContactId: w.lou.id } as never));
    expect(err).to.be.instanceOf(ValidationError);
    expect(err.message).to.contain('events.assign');
  });

  it("support updating a colleague's event is PermissionDenied saying whose it is", async () => {
    const w = await buildWorld();
    const err = await expectRefused(() => apiAs(w.kate).events.update(w.eventL, { notes: 'x' }));
    expect(err).to.be.instanceOf(PermissionDenied);
    expect(err.message).to.equal(`support may only update events assigned to them (event ${w.eventL} is assigned to lou@epic.events)`);
  });

  it('update refuses an end before the stored start', async () => {
    const w = await buildWorld();
    const err = await expectRefused(() => apiAs(w.kate).events.update(w.eventK, { endAt: '2026-06-01T00:00:00Z' }));
    expect(err).to.be.instanceOf(ValidationError);
  });

  it('management assigns a support collaborator; a collaborator outside support is refused', async () => {
    const w = await buildWorld();
    expect((await apiAs(w.manager).events.assign(w.eventK, w.lou.id))).to.include({ supportContactId: w.lou.id, supportContactName: 'Lou Support' });
    const before = await fingerprint();
    const err = await rejection(apiAs(w.manager).events.assign(w.eventK, w.alice.id));
    expect(err).to.be.instanceOf(ValidationError);
    expect(err.message).to.equal('supportUserId must be a support collaborator (alice@epic.events is in sales)');
    expect(await rejection(apiAs(w.manager).events.assign(w.eventK, 9999))).to.be.instanceOf(NotFound);
    expect(await fingerprint()).to.deep.equal(before);
  });

  it('filters unassigned, mine (support and sales), contractId and from/to return exactly the right rows among decoys', async () => {
    const w = await buildWorld();
    const open1 = await addEvent(w.signedA, 'Unassigned one', null, new Date('2026-01-10T10:00:00Z'), new Date('2026-01-10T12:00:00Z'));
    const open2 = await addEvent(w.signedB, 'Unassigned two', null, new Date('2026-03-10T10:00:00Z'), new Date('2026-03-10T12:00:00Z'));
    const kate2 = await addEvent(await addContract(w.clientB, '5.00', '0.00', true), 'Kate second', w.kate.id, new Date('2026-02-10T10:00:00Z'), new Date('2026-02-10T12:00:00Z'));
    const ids = async (f: Parameters<ReturnType<typeof apiAs>['events']['list']>[0], who = w.manager) => (await apiAs(who).events.list(f)).rows.map((e) => e.id);
    expect(await ids({ unassigned: true })).to.deep.equal([open1, open2]);
    expect(await ids({ mine: true }, w.kate)).to.deep.equal([w.eventK, kate2]);
    expect(await ids({ mine: true }, w.alice)).to.deep.equal([w.eventK, open1]);
    expect(await ids({ contractId: w.signedB })).to.deep.equal([open2]);
    expect(await ids({ from: '2026-02-01T00:00:00Z', to: '2026-04-01T00:00:00Z' })).to.deep.equal([open2, kate2]);
  });
});
