/**
 * The whole department matrix, against the real database: every method ×
 * every department × a record of the caller's own / someone else's. Allowed
 * calls succeed; refused ones raise PermissionDenied and change nothing.
 * The expectations are written out here, independently of lib/crm/permissions.ts,
 * so a wrong entry in the table fails this test.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import type { CrmApi } from '../../lib/crm/api.js';
import { PermissionDenied } from '../../lib/domain/errors.js';
import { API, OBJECTS, type ObjectName } from '../../lib/crm/permissions.js';
import { DEPARTMENTS, type Department } from '../../lib/domain/departments.js';
import { actorOf, addClient, apiAs, buildWorld, rejection, type World } from '../support/fixtures.js';
import { fingerprint, resetData } from '../support/server.js';
import { asOwner } from '../support/owner.js';
import { testQueries } from '../support/test-queries.js';

const t = testQueries(['lockOutEmail', 'addFollowUp'] as const);

/** Follow-ups on Alice's client and on Bob's, made by prepare. */
const followUpIds = { own: 0, other: 0 };

type Whose = 'own' | 'other';
/** all: both records; own: only the caller's own; none: refused. */
type Rule = 'all' | 'own' | 'none';

interface Case {
  object: ObjectName;
  method: string;
  rules: Record<Department, Rule>;
  call(api: CrmApi, w: World, whose: Whose): Promise<unknown>;
  /** What must exist before the call (e.g. a lockout to lift), set up as the owner. */
  prepare?(w: World): Promise<unknown>;
}

const everyone: Record<Department, Rule> = { management: 'all', sales: 'all', support: 'all' };
const pick = <T>(whose: Whose, own: T, other: T) => (whose === 'own' ? own : other);
let serial = 0;

/** A CSV file in the temporary folder, removed when the process ends. */
function importFile(content: string): string {
  const file = path.join(os.tmpdir(), `epic-matrix-${process.pid}-${++serial}.csv`);
  fs.writeFileSync(file, content);
  process.once('exit', () => fs.rmSync(file, { force: true }));
  return file;
}

const CASES: Case[] = [
  { object: 'clients', method: 'list', rules: everyone, call: (api, w, whose) => api.clients.list({ salesContactId: pick(whose, w.alice.id, w.bob.id) }) },
  { object: 'clients', method: 'count', rules: everyone, call: (api, w, whose) => api.clients.count({ salesContactId: pick(whose, w.alice.id, w.bob.id) }) },
  { object: 'clients', method: 'get', rules: everyone, call: (api, w, whose) => api.clients.get(pick(whose, w.clientA, w.clientB)) },
  {
    object: 'clients', method: 'create', rules: { management: 'none', sales: 'all', support: 'none' },
    call: (api) => api.clients.create({ fullName: 'New Client', email: `new${++serial}@client.test` }),
  },
  {
    object: 'clients', method: 'update', rules: { management: 'none', sales: 'own', support: 'none' },
    call: (api, w, whose) => api.clients.update(pick(whose, w.clientA, w.clientB), { phone: '+33 6 12 34 56 78' }),
  },
  {
    // A file of one new client (management: with no sales contact).
    object: 'clients', method: 'import', rules: { management: 'all', sales: 'all', support: 'none' },
    call: (api) => api.clients.import(importFile(`Full name,Email\nImported,imported${++serial}@client.test\n`)),
  },
  { object: 'contracts', method: 'list', rules: everyone, call: (api, w, whose) => api.contracts.list({ clientId: pick(whose, w.clientA, w.clientB) }) },
  { object: 'contracts', method: 'count', rules: everyone, call: (api, w, whose) => api.contracts.count({ clientId: pick(whose, w.clientA, w.clientB) }) },
  { object: 'contracts', method: 'get', rules: everyone, call: (api, w, whose) => api.contracts.get(pick(whose, w.contractA, w.contractB)) },
  {
    object: 'contracts', method: 'create', rules: { management: 'all', sales: 'none', support: 'none' },
    call: (api, w, whose) => api.contracts.create({ clientId: pick(whose, w.clientA, w.clientB), totalAmount: '100.00' }),
  },
  {
    object: 'contracts', method: 'update', rules: { management: 'all', sales: 'own', support: 'none' },
    call: (api, w, whose) => api.contracts.update(pick(whose, w.contractA, w.contractB), { amountDue: '250.50' }),
  },
  {
    object: 'contracts', method: 'sign', rules: { management: 'all', sales: 'own', support: 'none' },
    call: (api, w, whose) => api.contracts.sign(pick(whose, w.contractA, w.contractB)),
  },
  { object: 'events', method: 'list', rules: everyone, call: (api, w, whose) => api.events.list({ contractId: pick(whose, w.signedA, w.signedB) }) },
  { object: 'events', method: 'count', rules: everyone, call: (api, w, whose) => api.events.count({ contractId: pick(whose, w.signedA, w.signedB) }) },
  { object: 'events', method: 'upcoming', rules: everyone, call: (api) => api.events.upcoming({ days: 30 }) },
  { object: 'events', method: 'get', rules: everyone, call: (api, w, whose) => api.events.get(pick(whose, w.eventK, w.eventL)) },
  {
    object: 'events', method: 'create', rules: { management: 'none', sales: 'own', support: 'none' },
    call: (api, w, whose) => api.events.create({
      contractId: pick(whose, w.signedA, w.signedB), name: 'Party', startAt: '2026-07-01T18:00', endAt: '2026-07-01T23:00', location: 'Paris', attendees: 50,
    }),
  },
  {
    object: 'events', method: 'update', rules: { management: 'none', sales: 'none', support: 'own' },
    call: (api, w, whose) => api.events.update(pick(whose, w.eventK, w.eventL), { notes: 'Band confirmed' }),
  },
  {
    object: 'events', method: 'assign', rules: { management: 'all', sales: 'none', support: 'none' },
    call: (api, w, whose) => api.events.assign(pick(whose, w.eventK, w.eventL), pick(whose, w.lou.id, w.kate.id)),
  },
  // users: management's side belongs to spec/crm/users.spec.ts (auth branch); here, that nobody else gets in.
  { object: 'users', method: 'list', rules: { management: 'all', sales: 'none', support: 'none' }, call: (api) => api.users.list({}) },
  { object: 'users', method: 'count', rules: { management: 'all', sales: 'none', support: 'none' }, call: (api) => api.users.count({}) },
  { object: 'users', method: 'get', rules: { management: 'all', sales: 'none', support: 'none' }, call: (api, w, whose) => api.users.get(pick(whose, w.alice.id, w.bob.id)) },
  {
    object: 'users', method: 'create', rules: { management: 'all', sales: 'none', support: 'none' },
    call: (api) => api.users.create({ fullName: 'New Person', email: `person${++serial}@epic.events`, department: 'support', password: 'a long enough password' }),
  },
  { object: 'users', method: 'update', rules: { management: 'all', sales: 'none', support: 'none' }, call: (api, w, whose) => api.users.update(pick(whose, w.kate.id, w.lou.id), { phone: '+33 6 00 00 00 00' }) },
  { object: 'users', method: 'delete', rules: { management: 'all', sales: 'none', support: 'none' }, call: (api, w, whose) => api.users.delete(pick(whose, w.bob.id, w.lou.id), { unassign: true }) },
  {
    object: 'clients', method: 'assign', rules: { management: 'all', sales: 'none', support: 'none' },
    call: (api, w, whose) => api.clients.assign(pick(whose, w.clientA, w.clientB), pick(whose, w.bob.id, w.alice.id)),
  },
  {
    object: 'contracts', method: 'pay', rules: { management: 'all', sales: 'own', support: 'none' },
    prepare: async (w) => { for (const id of [w.contractA, w.contractB]) await apiAs(w.manager).contracts.sign(id); },
    call: (api, w, whose) => api.contracts.pay(pick(whose, w.contractA, w.contractB), '250.50'),
  },
  // Reports: sales may call them and see their own clients only (spec/crm/reports.spec.ts); support may not.
  { object: 'reports', method: 'revenue', rules: { management: 'all', sales: 'all', support: 'none' }, call: (api) => api.reports.revenue({ by: 'salesContact' }) },
  { object: 'reports', method: 'unpaid', rules: { management: 'all', sales: 'all', support: 'none' }, call: (api) => api.reports.unpaid() },
  { object: 'reports', method: 'pipeline', rules: { management: 'all', sales: 'all', support: 'none' }, call: (api) => api.reports.pipeline() },
  { object: 'clients', method: 'history', rules: everyone, call: (api, w, whose) => api.clients.history(pick(whose, w.clientA, w.clientB)) },
  { object: 'contracts', method: 'history', rules: everyone, call: (api, w, whose) => api.contracts.history(pick(whose, w.contractA, w.contractB)) },
  { object: 'events', method: 'history', rules: everyone, call: (api, w, whose) => api.events.history(pick(whose, w.eventK, w.eventL)) },
  { object: 'users', method: 'history', rules: { management: 'all', sales: 'none', support: 'none' }, call: (api, w, whose) => api.users.history(pick(whose, w.alice.id, w.bob.id)) },
  { object: 'users', method: 'sessions', rules: { management: 'all', sales: 'none', support: 'none' }, call: (api, w, whose) => api.users.sessions(pick(whose, w.alice.id, w.bob.id)) },
  { object: 'users', method: 'endSessions', rules: { management: 'all', sales: 'none', support: 'none' }, call: (api, w, whose) => api.users.endSessions(pick(whose, w.kate.id, w.lou.id)) },
  {
    object: 'users', method: 'unlock', rules: { management: 'all', sales: 'none', support: 'none' },
    prepare: (w) => asOwner(async (c) => { for (const e of [w.kate.email, w.lou.email]) await c.exec(t.lockOutEmail, [e]); }),
    call: (api, w, whose) => api.users.unlock(pick(whose, w.kate.email, w.lou.email)),
  },
  // The way back (spec/crm/trash.spec.ts, undo.spec.ts, erase.spec.ts): delete and restore as the department may update.
  {
    // Clients without contracts (Alice's and Bob's fixtures have signed contracts with payments: management only).
    object: 'clients', method: 'delete', rules: { management: 'all', sales: 'own', support: 'none' },
    prepare: async (w) => { spare = { own: await addClient('Spare A', 'spare-a@client.test', w.alice.id), other: await addClient('Spare B', 'spare-b@client.test', w.bob.id) }; },
    call: (api, _w, whose) => api.clients.delete(pick(whose, spare.own, spare.other)),
  },
  {
    object: 'clients', method: 'restore', rules: { management: 'all', sales: 'own', support: 'none' },
    prepare: async (w) => {
      spare = { own: await addClient('Spare A', 'spare-a@client.test', w.alice.id), other: await addClient('Spare B', 'spare-b@client.test', w.bob.id) };
      for (const id of [spare.own, spare.other]) await apiAs(w.manager).clients.delete(id);
    },
    call: (api, _w, whose) => api.clients.restore(pick(whose, spare.own, spare.other)),
  },
  {
    object: 'contracts', method: 'delete', rules: { management: 'all', sales: 'own', support: 'none' },
    call: (api, w, whose) => api.contracts.delete(pick(whose, w.contractA, w.contractB)),
  },
  {
    object: 'contracts', method: 'restore', rules: { management: 'all', sales: 'own', support: 'none' },
    prepare: async (w) => { for (const id of [w.contractA, w.contractB]) await apiAs(w.manager).contracts.delete(id); },
    call: (api, w, whose) => api.contracts.restore(pick(whose, w.contractA, w.contractB)),
  },
  {
    object: 'events', method: 'delete', rules: { management: 'all', sales: 'none', support: 'own' },
    call: (api, w, whose) => api.events.delete(pick(whose, w.eventK, w.eventL)),
  },
  {
    object: 'events', method: 'restore', rules: { management: 'all', sales: 'none', support: 'own' },
    prepare: async (w) => { for (const id of [w.eventK, w.eventL]) await apiAs(w.manager).events.delete(id); },
    call: (api, w, whose) => api.events.restore(pick(whose, w.eventK, w.eventL)),
  },
  {
    // Import 1 is Alice's, import 2 Bob's (identities restart with each test's data).
    object: 'clients', method: 'undoImport', rules: { management: 'all', sales: 'own', support: 'none' },
    prepare: async (w) => {
      await apiAs(w.alice).clients.import(importFile(`Full name,Email\nBy Alice,by-alice${++serial}@client.test\n`));
      await apiAs(w.bob).clients.import(importFile(`Full name,Email\nBy Bob,by-bob${++serial}@client.test\n`));
    },
    call: (api, _w, whose) => api.clients.undoImport(pick(whose, 1, 2)),
  },
  { object: 'clients', method: 'erase', rules: { management: 'all', sales: 'none', support: 'none' }, call: (api, w, whose) => api.clients.erase(pick(whose, w.clientA, w.clientB)) },
  { object: 'clients', method: 'personalData', rules: { management: 'all', sales: 'none', support: 'none' }, call: (api, w, whose) => api.clients.personalData(pick(whose, w.clientA, w.clientB)) },
  {
    object: 'clients', method: 'followUp', rules: { management: 'all', sales: 'own', support: 'none' },
    call: (api, w, whose) => api.clients.followUp(pick(whose, w.clientA, w.clientB), 'tomorrow 10:00', 'call back'),
  },
  { object: 'followUps', method: 'list', rules: { management: 'all', sales: 'all', support: 'none' }, call: (api) => api.followUps.list({ due: true }) },
  {
    object: 'followUps', method: 'done', rules: { management: 'all', sales: 'own', support: 'none' },
    prepare: (w) => asOwner(async (c) => {
      for (const [whose, client, by] of [['own', w.clientA, w.alice.id], ['other', w.clientB, w.bob.id]] as const) {
        followUpIds[whose] = ((await c.one<{ id: number }>(t.addFollowUp, [client, by, new Date(), 'call'])) as { id: number }).id;
      }
    }),
    call: (api, _w, whose) => api.followUps.done(followUpIds[whose]),
  },
];

/** The clients a clients.delete / clients.restore case prepared. */
let spare = { own: 0, other: 0 };

describe('permission matrix (every method × department × own/other record)', () => {
  beforeEach(resetData);

  it('covers every method of the permission table', () => {
    const covered = CASES.map((c) => `${c.object}.${c.method}`).sort();
    const table = OBJECTS.flatMap((o) => Object.keys(API[o]).map((m) => `${o}.${m}`)).sort();
    expect(covered).to.deep.equal(table);
  });

  for (const c of CASES) {
    for (const department of DEPARTMENTS) {
      for (const whose of ['own', 'other'] as const) {
        const rule = c.rules[department];
        const allowed = rule === 'all' || (rule === 'own' && whose === 'own');
        it(`${c.object}.${c.method} by ${department} on ${whose === 'own' ? 'their own' : "someone else's"} record is ${allowed ? 'allowed' : 'refused'}`, async () => {
          const world = await buildWorld();
          const api = apiAs(actorOf(world, department));
          await c.prepare?.(world);
          const before = await fingerprint();
          if (allowed) {
            // An allowed call succeeds (any error fails the test), and a write changes the data.
            await c.call(api, world, whose);
            if (API[c.object][c.method].writes) expect(await fingerprint()).not.to.deep.equal(before);
          } else {
            const err = await rejection(c.call(api, world, whose));
            expect(err).to.be.instanceOf(PermissionDenied);
            expect(await fingerprint()).to.deep.equal(before);
          }
        });
      }
    }
  }
});
