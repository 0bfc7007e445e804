/**
 * What the method descriptions say a method returns (`returns`, the records
 * of lib/crm/records.ts) is what it returns: for every described method that
 * returns a record, a real call's record has exactly the described fields
 * (what `epic-events types` declares for scripts).
 */
import fs from 'node:fs';
import { expect } from 'chai';
import { DESCRIPTIONS, FUNCTIONS, type CrmApi } from '../../lib/crm/api.js';
import type { MethodDescription } from '../../lib/crm/describe.js';
import { apiAs, buildWorld, type World } from '../support/fixtures.js';
import { resetData } from '../support/server.js';
import { tempWorkingDir } from '../support/workdir.js';

type Sample = (w: World, as: (who: keyof Omit<World, 'clientA' | 'clientB' | 'contractA' | 'contractB' | 'signedA' | 'signedB' | 'eventK' | 'eventL'>) => CrmApi) => Promise<unknown>;

/** A call of each method that returns a record, in a fresh world. */
const SAMPLES: Record<string, Sample> = {
  'clients.list': (_w, as) => as('alice').clients.list(),
  'clients.get': (w, as) => as('alice').clients.get(w.clientA),
  'clients.create': (_w, as) => as('alice').clients.create({ fullName: 'Kevin Casey', email: 'kevin@startup.io' }),
  'clients.update': (w, as) => as('alice').clients.update(w.clientA, { phone: '06 01 02 03 04' }),
  'clients.assign': (w, as) => as('manager').clients.assign(w.clientA, null),
  'clients.history': async (w, as) => {
    await as('alice').clients.update(w.clientA, { companyName: 'ACME' });
    return as('alice').clients.history(w.clientA);
  },
  'clients.import': (_w, as) => {
    fs.writeFileSync('c.csv', 'Full name,Email\nAnn,ann@x.test\n');
    return as('alice').clients.import('c.csv', { dryRun: true });
  },
  'clients.followUp': (w, as) => as('alice').clients.followUp(w.clientA, 'tomorrow 10:00', 'call'),
  'contracts.list': (_w, as) => as('alice').contracts.list(),
  'contracts.get': (w, as) => as('alice').contracts.get(w.contractA),
  'contracts.create': (w, as) => as('manager').contracts.create({ clientId: w.clientA, totalAmount: '100.00', amountDue: '100.00' }),
  'contracts.update': (w, as) => as('alice').contracts.update(w.contractA, { amountDue: '10.00' }),
  'contracts.sign': (w, as) => as('alice').contracts.sign(w.contractA),
  'contracts.pay': async (w, as) => {
    await as('alice').contracts.sign(w.contractA);
    return as('alice').contracts.pay(w.contractA, '1.00');
  },
  'contracts.history': async (w, as) => {
    await as('alice').contracts.update(w.contractA, { amountDue: '10.00' });
    return as('alice').contracts.history(w.contractA);
  },
  'events.list': (_w, as) => as('kate').events.list(),
  'events.upcoming': async (w, as) => {
    await as('alice').events.create({ contractId: w.signedA, name: 'Soon', startAt: 'tomorrow 10:00', endAt: 'tomorrow 18:00', location: 'Paris', attendees: 10 });
    return as('alice').events.upcoming();
  },
  'events.get': (w, as) => as('kate').events.get(w.eventK),
  'events.create': (w, as) => as('alice').events.create({ contractId: w.signedA, name: 'Gala', startAt: '2030-06-04T13:00', endAt: '2030-06-05T02:00', location: 'Paris', attendees: 10 }),
  'events.update': (w, as) => as('kate').events.update(w.eventK, { notes: 'Band confirmed' }),
  'events.assign': (w, as) => as('manager').events.assign(w.eventK, w.lou.id),
  'events.history': async (w, as) => {
    await as('kate').events.update(w.eventK, { notes: 'x' });
    return as('kate').events.history(w.eventK);
  },
  'users.list': (_w, as) => as('manager').users.list(),
  'users.get': (w, as) => as('manager').users.get(w.alice.id),
  'users.create': (_w, as) => as('manager').users.create({ fullName: 'New One', email: 'new@epic.events', department: 'support', password: 'a-long-password-123' }),
  'users.update': (w, as) => as('manager').users.update(w.kate.id, { fullName: 'Kate S.' }),
  'users.sessions': (w, as) => as('manager').users.sessions(w.alice.id),
  'users.history': async (w, as) => {
    await as('manager').users.update(w.kate.id, { fullName: 'Kate S.' });
    return as('manager').users.history(w.kate.id);
  },
  'followUps.list': async (w, as) => {
    await as('alice').clients.followUp(w.clientA, 'tomorrow 10:00', 'call');
    return as('alice').followUps.list();
  },
  'followUps.done': async (w, as) => as('alice').followUps.done((await as('alice').clients.followUp(w.clientA, 'tomorrow 10:00', 'call')).id),
  activity: async (w, as) => {
    await as('alice').clients.update(w.clientA, { companyName: 'ACME' });
    return as('alice').activity();
  },
  find: (_w, as) => as('alice').find('client'),
};

function described(): Array<[string, MethodDescription]> {
  return [
    ...Object.entries(DESCRIPTIONS).flatMap(([o, d]) => Object.entries(d).map(([m, x]): [string, MethodDescription] => [`${o}.${m}`, x])),
    ...Object.entries(FUNCTIONS).map(([f, x]): [string, MethodDescription] => [f, x]),
  ];
}

describe('the records the descriptions say methods return', function () {
  this.timeout(120_000);
  tempWorkingDir('epic-records-');
  let w: World;
  beforeEach(async () => {
    await resetData();
    w = await buildWorld();
  });

  it('every method described as returning a record has a sample call here', () => {
    const withRecords = described().filter(([, d]) => d.returns && d.returns.kind !== 'type').map(([label]) => label);
    expect(withRecords.sort()).to.deep.equal(Object.keys(SAMPLES).sort());
  });

  for (const [label, d] of described()) {
    const returns = d.returns;
    if (!returns || returns.kind === 'type') continue;
    it(`${label} returns ${returns.kind === 'one' ? 'a' : returns.kind === 'page' ? 'a page of' : 'an array of'} ${returns.record.name} with exactly the described fields`, async () => {
      const as = (who: 'manager' | 'alice' | 'bob' | 'kate' | 'lou') => apiAs(w[who]);
      const result = await SAMPLES[label](w, as);
      const row = returns.kind === 'one' ? result : (result as unknown[])[0];
      expect(row, `${label} gave no row to compare`).to.be.an('object');
      expect(Object.keys(row as object).sort()).to.deep.equal(Object.keys(returns.record.fields).sort());
    });
  }
});
