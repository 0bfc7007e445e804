/** The one call pipeline (lib/crm/invoke.ts): each step read from the method's description. */
import { expect } from 'chai';
import { createInvoker } from '../../lib/crm/api.js';
import { inSession, readOnlyDeps, type ApiDeps } from '../../lib/crm/deps.js';
import { EVERYONE, method, typed, value } from '../../lib/crm/describe.js';
import { createInvoke, DECLINED, methodTable, objectEntries, type Invoke } from '../../lib/crm/invoke.js';
import { recordId } from '../../lib/crm/validate.js';
import { isApiFailure, PermissionDenied, ValidationError } from '../../lib/domain/errors.js';
import type { Actor } from '../../lib/domain/actor.js';
import { noopMonitor } from '../../lib/platform/monitoring.js';
import { buildWorld, expectRefused, rejection, type World } from '../support/fixtures.js';
import { ctx, fingerprint, resetData, sessionDb } from '../support/server.js';
import { testQueries } from '../support/test-queries.js';

// A plain UPDATE (the product's assignClient returns its row through a CTE, which PostgreSQL refuses as a SELECT).
const t = testQueries(['bypassReassignClient'] as const);

const depsOf = (actor: Actor): ApiDeps => ({ db: sessionDb(actor), actor: () => actor, config: ctx().config, monitor: noopMonitor });

/** A pipeline of one function, `probe(id)`, whose implementation writes (unassigns a client) whatever its description says. */
function probe(actor: Actor, writes: boolean): Invoke {
  const described = { probe: method({ returns: typed('unknown'), departments: EVERYONE, writes, args: [value('id', recordId)], description: 'a probe', example: 'probe(1)' }) };
  const make = (deps: ApiDeps) => ({
    probe: (id: number) => inSession(deps, (tx) => tx.exec(t.bypassReassignClient, [id, null])),
  });
  const entries = objectEntries(null, described, make(depsOf(actor)), make(readOnlyDeps(depsOf(actor))));
  return createInvoke({ table: methodTable(entries, new Map()), actor: () => actor, questions: new Map() });
}

describe('the call pipeline', () => {
  let w: World;
  beforeEach(async () => {
    await resetData();
    w = await buildWorld();
  });

  it('runs a method whose description says writes: false in READ ONLY transactions: its write is refused by PostgreSQL and nothing changes', async () => {
    const err = await expectRefused(() => probe(w.manager, false)(null, 'probe', [w.clientA]));
    expect(err.message).to.equal('cannot execute UPDATE in a read-only transaction');
  });

  it('lets the same implementation write when the description says writes: true', async () => {
    const before = await fingerprint();
    expect(await probe(w.manager, true)(null, 'probe', [w.clientA])).to.equal(1);
    expect(await fingerprint()).to.not.deep.equal(before);
  });

  it('refuses a department the description does not name, in one wording, before reading the arguments, changing nothing', async () => {
    const invoke = createInvoker(depsOf(w.kate));
    const err = await expectRefused(() => invoke('clients', 'create', [{ notAField: 1 }]));
    expect(err).to.be.instanceOf(PermissionDenied);
    expect(err.message).to.equal('support may not call clients.create (sales only)');
  });

  it('reads every problem at once, the arguments and the description\'s check together', async () => {
    const invoke = createInvoker(depsOf(w.manager));
    const err = await rejection(invoke('contracts', 'create', [{ clientId: 'x', totalAmount: '100', amountDue: '200' }]));
    expect(err).to.be.instanceOf(ValidationError);
    expect((err as ValidationError).problems.map((p) => p.field).sort()).to.deep.equal(['amountDue', 'clientId']);
  });

  it('asks first for a method that says confirm, and a "no" returns DECLINED with nothing changed', async () => {
    const asked: string[] = [];
    const invoke = createInvoker(depsOf(w.manager));
    const before = await fingerprint();
    const result = await invoke('contracts', 'sign', [w.contractA], { confirm: async (question) => { asked.push(question); return false; } });
    expect(result).to.equal(DECLINED);
    expect(asked).to.have.length(1);
    expect(asked[0]).to.match(new RegExp(`^Signing contract ${w.contractA} for Client of Alice`));
    expect(await fingerprint()).to.deep.equal(before);
  });

  it('never asks for a method whose description does not say confirm', async () => {
    const invoke = createInvoker(depsOf(w.alice));
    const updated = await invoke('clients', 'update', [w.clientA, { phone: '+33 1 23 45 67 89' }], { confirm: async () => { throw new Error('asked'); } });
    expect(updated).to.include({ id: w.clientA, phone: '+33 1 23 45 67 89' });
  });

  it('hands every call to track while it runs (Ctrl+C waits on them)', async () => {
    const tracked: Array<Promise<unknown>> = [];
    const invoke = createInvoker(depsOf(w.alice), { track: (call) => void tracked.push(call) });
    const list = invoke('clients', 'list', []);
    await list;
    expect(tracked).to.have.length(1);
    expect(await tracked[0]).to.equal(await list);
  });

  it('marks a failure that is none of our errors as a bug, and leaves ours unmarked', async () => {
    const described = { fails: method({ returns: typed('unknown'), departments: EVERYONE, writes: false, args: [], description: 'fails', example: 'fails()' }) };
    const bug = new TypeError('a bug');
    const impl = { fails: async () => { throw bug; } };
    const invoke = createInvoke({ table: methodTable(objectEntries(null, described, impl, impl), new Map()), actor: () => w.alice, questions: new Map() });
    expect(await rejection(invoke(null, 'fails', []))).to.equal(bug);
    expect(isApiFailure(bug)).to.equal(true);
    const refused = await rejection(createInvoker(depsOf(w.kate))('users', 'list', []));
    expect(isApiFailure(refused)).to.equal(false);
  });

  it('refuses, at start, a method described but not implemented or implemented but not described', () => {
    const described = { one: method({ returns: typed('unknown'), departments: EVERYONE, writes: false, args: [], description: 'one', example: 'one()' }) };
    expect(() => objectEntries(null, described, {}, {})).to.throw('one is described but not implemented');
    const both = { one: async () => 1, two: async () => 2 };
    expect(() => objectEntries(null, described, both, both)).to.throw('two implemented but not described');
  });
});
