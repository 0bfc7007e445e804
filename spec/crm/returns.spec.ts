/**
 * What the method descriptions say a method returns (`returns`, a record
 * described beside its type: CLIENT in lib/crm/clients.ts…) is what it
 * returns: every described method has a `returns`, and a real call of each
 * gives a record with exactly the described fields, or a value of the described plain type (what
 * `epic-events types` declares for scripts). reports.revenue's result
 * depends on `by`: one call per value.
 */
import fs from 'node:fs';
import { expect } from 'chai';
import { DESCRIPTIONS, FUNCTIONS, type CrmApi } from '../../lib/crm/api.js';
import type { MethodDescription, Returns } from '../../lib/crm/describe.js';
import { apiAs, buildWorld, type World } from '../support/fixtures.js';
import { resetData } from '../support/server.js';
import { tempWorkingDir } from '../support/workdir.js';

type Sample = (w: World, as: (who: keyof Omit<World, 'clientA' | 'clientB' | 'contractA' | 'contractB' | 'signedA' | 'signedB' | 'eventK' | 'eventL'>) => CrmApi) => Promise<unknown>;

/** A call of each method (of each case of a result by key), in a fresh world. */
const SAMPLES: Record<string, Sample> = {
  'clients.list': (_w, as) => as('alice').clients.list(),
  'clients.count': (_w, as) => as('alice').clients.count(),
  'contracts.count': (_w, as) => as('alice').contracts.count(),
  'events.count': (_w, as) => as('kate').events.count(),
  'users.count': (_w, as) => as('manager').users.count(),
  'clients.delete': (w, as) => as('manager').clients.delete(w.clientA),
  'clients.restore': async (w, as) => {
    await as('manager').clients.delete(w.clientA);
    return as('manager').clients.restore(w.clientA);
  },
  'contracts.delete': (w, as) => as('alice').contracts.delete(w.contractA),
  'contracts.restore': async (w, as) => {
    await as('alice').contracts.delete(w.contractA);
    return as('alice').contracts.restore(w.contractA);
  },
  'events.delete': (w, as) => as('manager').events.delete(w.eventK),
  'events.restore': async (w, as) => {
    await as('manager').events.delete(w.eventK);
    return as('manager').events.restore(w.eventK);
  },
  trash: async (w, as) => {
    await as('manager').clients.delete(w.clientA);
    return as('manager').trash();
  },
  'trash.empty': async (w, as) => {
    await as('manager').clients.delete(w.clientA);
    return as('manager').trash.empty({ olderThan: '0d' });
  },
  undo: async (w, as) => {
    await as('alice').clients.update(w.clientA, { companyName: 'ACME' });
    return as('alice').undo((await as('alice').clients.history(w.clientA))[0].id);
  },
  'clients.undoImport': async (_w, as) => {
    fs.writeFileSync('c.csv', 'Full name,Email\nAnn,ann@x.test\n');
    const report = await as('alice').clients.import('c.csv');
    return as('alice').clients.undoImport(report.importId);
  },
  'clients.erase': (w, as) => as('manager').clients.erase(w.clientA),
  'clients.personalData': (w, as) => as('manager').clients.personalData(w.clientA),
  'users.delete': (w, as) => as('manager').users.delete(w.lou.id, { unassign: true }),
  'users.endSessions': (w, as) => as('manager').users.endSessions(w.kate.id),
  'users.unlock': (_w, as) => as('manager').users.unlock('kate@epic.events'),
  "reports.revenue by: 'salesContact'": (_w, as) => as('manager').reports.revenue({ by: 'salesContact' }),
  "reports.revenue by: 'client'": (_w, as) => as('manager').reports.revenue({ by: 'client' }),
  "reports.revenue by: 'month'": (_w, as) => as('manager').reports.revenue({ by: 'month' }),
  'reports.unpaid': async (w, as) => {
    await as('alice').contracts.sign(w.contractA);
    return as('manager').reports.unpaid();
  },
  'reports.pipeline': (_w, as) => as('manager').reports.pipeline(),
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
  // A department change: the result has its optional `moved` (every sample gives every field).
  'users.update': (w, as) => as('manager').users.update(w.kate.id, { department: 'sales' }, { unassign: true }),
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

/** Each result to compare: a method's, or one per value of its key (reports.revenue's `by`). */
function cases(label: string, returns: Returns): Array<[string, Exclude<Returns, { kind: 'byKey' }>]> {
  if (returns.kind !== 'byKey') return [[label, returns]];
  return Object.entries(returns.cases).flatMap(([v, r]) => cases(`${label} ${returns.key}: '${v}'`, r));
}

/** What typeof says of a value of a described plain type. */
const TYPEOF: Record<string, string> = { number: 'number', string: 'string', boolean: 'boolean', void: 'undefined' };

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

  it('every method has a sample call here (and every one says what it returns: TypeScript requires `returns`)', () => {
    const all = described().flatMap(([label, d]) => cases(label, d.returns)).map(([label]) => label);
    expect(all.sort()).to.deep.equal(Object.keys(SAMPLES).sort());
  });

  for (const [label, returns] of described().flatMap(([l, d]) => cases(l, d.returns))) {
    if (returns.kind === 'type') {
      it(`${label} returns a ${returns.type}`, async () => {
        expect(TYPEOF, `${label}: no typeof for ${returns.type}`).to.have.property(returns.type);
        const result = await SAMPLES[label](w, (who) => apiAs(w[who]));
        expect(typeof result).to.equal(TYPEOF[returns.type]);
      });
      continue;
    }
    it(`${label} returns ${returns.kind === 'one' ? 'a' : returns.kind === 'page' ? 'a page of' : 'an array of'} ${returns.record.name} with exactly the described fields`, async () => {
      const as = (who: 'manager' | 'alice' | 'bob' | 'kate' | 'lou') => apiAs(w[who]);
      const result = await SAMPLES[label](w, as);
      const row = returns.kind === 'one' ? result : (result as unknown[])[0];
      expect(row, `${label} gave no row to compare`).to.be.an('object');
      expect(Object.keys(row as object).sort()).to.deep.equal(Object.keys(returns.record.fields).sort());
    });
  }
});
