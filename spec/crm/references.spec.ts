/** Emails where a client's or a collaborator's id is asked (lib/crm/references.ts), and users.unlock by id. */
import { expect } from 'chai';
import { ValidationError } from '../../lib/domain/errors.js';
import { apiAs, buildWorld, rejection, type World } from '../support/fixtures.js';
import { fingerprint, resetData } from '../support/server.js';

describe('emails where an id is asked', () => {
  let w: World;
  beforeEach(async () => {
    await resetData();
    w = await buildWorld();
  });

  it('events.assign, clients.assign, activity({by}) and reassignTo take a collaborator by email', async () => {
    const api = apiAs(w.manager);
    expect((await api.events.assign(w.eventK, 'LOU@epic.events')).supportContactId).to.equal(w.lou.id);
    expect((await api.clients.assign(w.clientA, 'bob@epic.events')).salesContactId).to.equal(w.bob.id);
    expect((await api.clients.assign('b@client.test', 'alice@epic.events')).salesContactId).to.equal(w.alice.id);
    const byMe = await api.activity({ by: 'maud@epic.events' });
    expect(byMe.rows.length).to.equal(3);
    expect(byMe.rows.every((e) => e.actorId === w.manager.id)).to.equal(true);
    const moved = await api.users.update('bob@epic.events', { department: 'support' }, { reassignTo: 'alice@epic.events' }) as unknown as { moved: { clients: number; to: { id: number } } };
    expect(moved.moved.to.id).to.equal(w.alice.id);
    expect((await api.users.delete(w.lou.id, { reassignTo: 'kate@epic.events' })).reassignedTo).to.equal(`Kate Support (id ${w.kate.id})`);
  });

  it("takes a client by email where a client's id is asked (get, a clientId key)", async () => {
    const alice = apiAs(w.alice);
    expect((await alice.clients.get('A@client.test')).id).to.equal(w.clientA);
    const contract = await apiAs(w.manager).contracts.create({ clientId: 'a@client.test', totalAmount: '10.00' });
    expect(contract.clientId).to.equal(w.clientA);
    expect((await alice.contracts.count({ clientId: 'a@client.test' }))).to.equal(4);
  });

  it('users.unlock takes an id as well as an email', async () => {
    const api = apiAs(w.manager);
    expect(await api.users.unlock(w.kate.id)).to.deep.equal({ email: 'kate@epic.events', wasLocked: false });
    expect(await api.users.unlock(String(w.kate.id))).to.deep.equal({ email: 'kate@epic.events', wasLocked: false });
  });

  it('an email nobody has is a ValidationError naming the argument, before anything changes', async () => {
    const api = apiAs(w.manager);
    const before = await fingerprint();
    const err = await rejection(api.events.assign(w.eventK, 'nobody@epic.events'));
    expect(err).to.be.instanceOf(ValidationError);
    expect(err.message).to.equal('supportUserId names no collaborator: no collaborator you may see has the email "nobody@epic.events"');
    const both = await rejection(api.users.delete('ghost@epic.events', { reassignTo: 'gone@epic.events' }));
    expect(both.message).to.match(/^id names no collaborator.*; reassignTo names no collaborator/);
    expect((await rejection(api.users.unlock(99999))).message).to.match(/^email names no collaborator: no collaborator has the id 99999/);
    expect((await rejection(api.clients.get('none@client.test'))).message).to.match(/^id names no client/);
    expect(await fingerprint()).to.deep.equal(before);
  });
});
