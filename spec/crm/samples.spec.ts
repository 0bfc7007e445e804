/** The spec's sample data, through the real API, and read access for every department. */
import { expect } from 'chai';
import { apiAs, buildWorld } from '../support/fixtures.js';
import { resetData } from '../support/server.js';

describe('sample data and read access', () => {
  beforeEach(resetData);

  it('round-trips Kevin Casey, the John Ouick wedding and the Lou Bouzin general assembly', async () => {
    const w = await buildWorld();
    const kevin = await apiAs(w.alice).clients.create({ fullName: 'Kevin Casey', email: 'kevin@startup.io', phone: '+678 123 456 78', companyName: 'Cool Startup LLC' });
    const john = await apiAs(w.alice).clients.create({ fullName: 'John Ouick', email: 'john.ouick@example.com', phone: '+33 6 12 34 56 78' });
    const lou = await apiAs(w.alice).clients.create({ fullName: 'Lou Bouzin', email: 'lou.bouzin@example.com', companyName: 'Bouzin & Fils' });
    const wedding = await apiAs(w.manager).contracts.create({ clientId: john.id, totalAmount: '15000.00', amountDue: '5000.00', signed: true });
    const assembly = await apiAs(w.manager).contracts.create({ clientId: lou.id, totalAmount: 8000, amountDue: 0 });
    await apiAs(w.alice).contracts.sign(assembly.id);
    const e1 = await apiAs(w.alice).events.create({
      contractId: wedding.id, name: 'John Ouick Wedding', startAt: '2026-06-04T13:00:00+02:00', endAt: '2026-06-05T02:00:00+02:00',
      location: '53 Rue du Château, 41120 Candé-sur-Beuvron, France', attendees: 75, notes: 'Wedding starts at 3PM, by the river.',
    });
    const e2 = await apiAs(w.alice).events.create({
      contractId: assembly.id, name: 'General Assembly', startAt: '2026-05-05T15:00:00+02:00', endAt: '2026-05-05T17:00:00+02:00',
      location: "Salle des fêtes de Mufflins, 68500 Mufflins", attendees: 200, notes: 'Annual general assembly of the shareholders.',
    });
    await apiAs(w.manager).events.assign(e1.id, w.kate.id);

    const readBack = apiAs(w.lou);
    expect(await readBack.clients.get(kevin.id)).to.include({ fullName: 'Kevin Casey', companyName: 'Cool Startup LLC', phone: '+678 123 456 78', salesContactName: 'Alice Sales' });
    expect(await readBack.events.get(e1.id)).to.include({
      name: 'John Ouick Wedding', location: '53 Rue du Château, 41120 Candé-sur-Beuvron, France', attendees: 75,
      clientName: 'John Ouick', clientEmail: 'john.ouick@example.com', clientPhone: '+33 6 12 34 56 78', supportContactName: 'Kate Support',
    });
    expect((await readBack.events.get(e1.id)).startAt.toISOString()).to.equal('2026-06-04T11:00:00.000Z');
    expect(await readBack.events.get(e2.id)).to.include({ attendees: 200, clientName: 'Lou Bouzin', supportContactId: null });
    expect(await readBack.contracts.get(wedding.id)).to.include({ totalAmount: '15000.00', amountDue: '5000.00', signed: true, clientName: 'John Ouick', salesContactName: 'Alice Sales' });
    expect(await readBack.contracts.get(assembly.id)).to.include({ totalAmount: '8000.00', amountDue: '0.00', signed: true });
  });

  for (const who of ['alice', 'kate'] as const) {
    it(`${who === 'alice' ? 'sales' : 'support'} can list and get every client, contract and event, colleagues' included`, async () => {
      const w = await buildWorld();
      const api = apiAs(w[who]);
      expect((await api.clients.list()).rows.map((c) => c.id)).to.deep.equal([w.clientA, w.clientB]);
      expect((await api.contracts.list()).rows).to.have.length(6);
      expect((await api.events.list()).rows.map((e) => e.id)).to.deep.equal([w.eventK, w.eventL]);
      expect((await api.clients.get(w.clientB)).id).to.equal(w.clientB);
      expect((await api.contracts.get(w.contractB)).id).to.equal(w.contractB);
      expect((await api.events.get(w.eventL)).id).to.equal(w.eventL);
    });
  }
});
