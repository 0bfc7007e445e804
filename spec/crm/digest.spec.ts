import { expect } from 'chai';
import { createDigest } from '../../lib/crm/digest.js';
import { addContract, addEvent, buildWorld, type World } from '../support/fixtures.js';
import { depsFor } from '../support/users.js';
import { resetData } from '../support/server.js';
import { asOwner } from '../support/owner.js';
import { testQueries } from '../support/test-queries.js';

const t = testQueries(['addFollowUp'] as const);

describe('crm/digest', () => {
  let w: World;
  const now = new Date('2026-06-01T00:00:00Z');
  beforeEach(async () => {
    await resetData();
    w = await buildWorld(); // eventK (Kate, Alice's client) and eventL (Lou, Bob's client) start on 4 June 2026
    await addContract(w.clientA, '800.00', '500.00', true);
    await addEvent(await addContract(w.clientB, '100.00', '0.00', true), 'Later', null, new Date('2026-06-20T10:00:00Z'), new Date('2026-06-20T12:00:00Z'));
  });

  it("counts each department's own: support their events, sales their clients', management everything", async () => {
    const kate = await createDigest(depsFor(w.kate))(now);
    expect(kate).to.deep.equal({ days: 7, events: { count: 1, nextName: 'Kate event', nextAt: new Date('2026-06-04T13:00:00Z') } });
    const alice = await createDigest(depsFor(w.alice))(now);
    expect(alice.events.count).to.equal(1);
    expect(alice.contracts).to.deep.equal({ unsigned: 1, unsignedValue: '1000.00', unpaid: 1, due: '500.00' });
    expect(alice.unassigned).to.equal(undefined);
    const manager = await createDigest(depsFor(w.manager))(now);
    expect(manager.events.count).to.equal(2);
    expect(manager.contracts).to.deep.equal({ unsigned: 2, unsignedValue: '2000.00', unpaid: 1, due: '500.00' });
    expect(manager.unassigned).to.deep.equal({ count: 1, nextAt: new Date('2026-06-20T10:00:00Z') });
    expect(manager.start).to.deep.equal({ colleagues: true, clients: true });
  });

  it('counts the follow-ups due by now that are the caller\'s (set by them or on their clients), the first named', async () => {
    const add = (client: number, by: number, at: string, note: string) => asOwner((c) => c.one(t.addFollowUp, [client, by, new Date(at), note]));
    await add(w.clientA, w.alice.id, '2026-05-31T09:00:00Z', 'second');
    await add(w.clientA, w.manager.id, '2026-05-30T09:00:00Z', 'first');
    await add(w.clientA, w.alice.id, '2026-06-02T09:00:00Z', 'not yet');
    await add(w.clientB, w.bob.id, '2026-05-29T09:00:00Z', 'bob');
    expect((await createDigest(depsFor(w.alice))(now)).followUps).to.deep.equal({ count: 2, firstClient: 'Client of Alice', firstNote: 'first' });
    expect((await createDigest(depsFor(w.manager))(now)).followUps).to.deep.equal({ count: 1, firstClient: 'Client of Alice', firstNote: 'first' });
    expect((await createDigest(depsFor(w.kate))(now)).followUps).to.equal(undefined);
  });
});
