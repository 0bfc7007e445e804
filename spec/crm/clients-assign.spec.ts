/**
 * clients.assign(id, salesUserId) (issue 15): management gives a client a
 * sales contact (or none), so a client left without one can always get one.
 */
import { expect } from 'chai';
import { NotFound, PermissionDenied, ValidationError } from '../../lib/domain/errors.js';
import { addClient, apiAs, buildWorld, rejection, type World } from '../support/fixtures.js';
import { fingerprint, resetData } from '../support/server.js';

describe('clients.assign', () => {
  let w: World;
  beforeEach(async () => {
    await resetData();
    w = await buildWorld();
  });

  it('gives a client another sales contact, and an unassigned client one, recorded as an assignment', async () => {
    expect(await apiAs(w.manager).clients.assign(w.clientA, w.bob.id)).to.include({ salesContactId: w.bob.id, salesContactName: 'Bob Sales' });
    const orphan = await addClient('Orphan', 'orphan@client.test', null);
    expect((await apiAs(w.manager).clients.assign(orphan, w.alice.id)).salesContactId).to.equal(w.alice.id);
    const [entry] = (await apiAs(w.alice).clients.history(w.clientA)).rows;
    expect(entry).to.include({ action: 'assigned', actorName: 'Maud Manager' });
    expect(entry.changes).to.deep.equal({ salesContactId: [w.alice.id, w.bob.id] });
  });

  it('leaves a client unassigned with null', async () => {
    expect((await apiAs(w.manager).clients.assign(w.clientA, null)).salesContactId).to.equal(null);
  });

  it('refuses a target outside sales or missing, and bad arguments, naming the field, and changes nothing', async () => {
    const before = await fingerprint();
    const notSales = await rejection(apiAs(w.manager).clients.assign(w.clientA, w.kate.id));
    expect(notSales).to.be.instanceOf(ValidationError);
    expect(notSales.message).to.match(/salesUserId must be a sales collaborator \(kate@epic.events is in support\)/);
    expect((await rejection(apiAs(w.manager).clients.assign(w.clientA, 99999))).message).to.match(/salesUserId must be a sales collaborator.s id \(no collaborator has id 99999\)/);
    const bad = await rejection(apiAs(w.manager).clients.assign('x' as never, 'bob' as never));
    expect((bad as ValidationError).problems.map((p) => p.field)).to.deep.equal(['id', 'salesUserId']);
    expect(await rejection(apiAs(w.manager).clients.assign(99999, w.bob.id))).to.be.instanceOf(NotFound);
    expect(await fingerprint()).to.deep.equal(before);
  });

  it('is management only: sales and support are refused and nothing changes', async () => {
    const before = await fingerprint();
    expect(await rejection(apiAs(w.alice).clients.assign(w.clientA, w.bob.id))).to.be.instanceOf(PermissionDenied);
    expect(await rejection(apiAs(w.kate).clients.assign(w.clientA, w.bob.id))).to.be.instanceOf(PermissionDenied);
    expect(await fingerprint()).to.deep.equal(before);
  });
});
