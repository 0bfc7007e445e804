import { expect } from 'chai';
import { AdminConnection, type Executor } from '../../lib/db/index.js';
import { ValidationError } from '../../lib/domain/errors.js';
import { render } from '../../lib/shell/output.js';
import { addClient, addContract, addEvent, apiAs, buildWorld, rejection } from '../support/fixtures.js';
import { testQueries } from '../support/test-queries.js';
import { ctx, fingerprint, resetData, sessionDb } from '../support/server.js';

const t = testQueries(['bypassReadSearchViews', 'bypassActAs'] as const);
const ids = (rows: ReadonlyArray<{ id: number }>) => rows.map((r) => r.id);

async function searchWorld() {
  const w = await buildWorld();
  const kevin = await addClient('Kevin Casey', 'kevin@startup.io', w.alice.id, { phone: '06 12 34 56 78', companyName: 'Cool Startup LLC' });
  const assoc = await addClient('Émile Dupont', 'emile@dupont.fr', w.bob.id, { companyName: 'Dupont & Associés' });
  const kevinContract = await addContract(kevin, '5000.00', '2500.00', true);
  const wedding = await addEvent(kevinContract, 'John Ouick Wedding', w.kate.id);
  return { ...w, kevin, assoc, kevinContract, wedding };
}

describe('search: find(text) and the lists\' search (issue 15)', () => {
  beforeEach(resetData);

  it('clients.list({search}) matches every word in any order, any case or accent, phones by digits', async () => {
    const w = await searchWorld();
    const api = apiAs(w.kate);
    expect(ids(await api.clients.list({ search: 'casey kevin' }))).to.deep.equal([w.kevin]);
    expect(ids(await api.clients.list({ search: 'associes' }))).to.deep.equal([w.assoc]);
    expect(ids(await api.clients.list({ search: 'EMILE' }))).to.deep.equal([w.assoc]);
    expect(ids(await api.clients.list({ search: '0612' }))).to.deep.equal([w.kevin]);
    expect(ids(await api.clients.list({ search: '06.12.34' }))).to.deep.equal([w.kevin]);
    expect(ids(await api.clients.list({ search: 'kevin dupont' }))).to.deep.equal([]);
    expect(ids(await api.clients.list({ search: '100%' }))).to.deep.equal([]);
    expect(await api.clients.count({ search: 'startup' })).to.equal(1);
    expect(ids(await apiAs(w.alice).clients.list({ search: 'dupont', mine: true }))).to.deep.equal([]);
    expect((await apiAs(w.manager).users.list({ search: 'support lou' })).map((u) => u.fullName)).to.deep.equal(['Lou Support']);
  });

  it('find(text) returns clients, their contracts and events, grouped by kind with ids, for every department', async () => {
    const w = await searchWorld();
    for (const who of [w.manager, w.alice, w.kate]) {
      const found = await apiAs(who).find('Kévin');
      expect(ids(found.clients)).to.deep.equal([w.kevin]);
      expect(ids(found.contracts)).to.deep.equal([w.kevinContract]);
      expect(ids(found.events)).to.deep.equal([]);
    }
    const byEvent = await apiAs(w.kate).find('wedding ouick');
    expect([ids(byEvent.clients), ids(byEvent.events)]).to.deep.equal([[], [w.wedding]]);
    const shown = render(byEvent, { json: false, color: false });
    expect(shown).to.match(/^events \(1\)\n/);
    expect(shown).to.include('John Ouick Wedding');
    expect(JSON.parse(JSON.stringify(byEvent))).to.deep.include({ clients: [], contracts: [] });
  });

  it('a bad search is a ValidationError naming the field, and changes nothing', async () => {
    const w = await searchWorld();
    const before = await fingerprint();
    for (const [call, field] of [
      [apiAs(w.kate).find('   '), 'text'],
      [apiAs(w.kate).find(42 as never), 'text'],
      [apiAs(w.kate).find('a b c d e'), 'text'],
      [apiAs(w.kate).clients.list({ search: 'x\u202ey' }), 'search'],
    ] as const) {
      const err = await rejection(call);
      expect(err).to.be.instanceOf(ValidationError);
      expect((err as ValidationError).problems.map((p) => p.field)).to.deep.equal([field]);
    }
    expect(await fingerprint()).to.deep.equal(before);
  });

  it('the search and sort views refuse the runtime role, and show nothing to a role that is not its session\'s', async () => {
    const w = await searchWorld();
    const runtime = await AdminConnection.open(ctx().target.runtime);
    try {
      let code: string | undefined;
      await runtime.one(t.bypassReadSearchViews).catch((err) => (code = err.sqlState ?? err.code));
      expect(code).to.equal('42501');
    } finally {
      await runtime.close();
    }
    // Kate's session presented with the sales role: the views check the pair, as the tables' policies do.
    const read = (role: string) => sessionDb(w.kate).transaction(async (tx: Executor) => {
      await tx.exec(t.bypassActAs, [role, w.kate.sessionKey]);
      return tx.one(t.bypassReadSearchViews);
    });
    // Her own session role cannot even become the sales role (sql/migrations/040).
    expect((await read('epic_sales').catch((err: Error) => err)) as Error).to.have.property('name', 'PermissionDenied');
    expect(await read('epic_support')).to.deep.equal({ clients: 4, events: 3, contracts: 7 });
  });
});
