import { expect } from 'chai';
import { generateCrm, HISTORY_CHANGES, rowCounts } from '../../bench/generate.js';
import { FIXTURE_PASSWORD_HASH } from '../support/fixtures.js';
import { ctx, resetData } from '../support/server.js';

describe('bench generator', () => {
  beforeEach(resetData);
  afterEach(resetData);

  it('generates the asked numbers of collaborators, clients, contracts, events and history entries', async () => {
    const scale = { sales: 5, support: 3, clients: 40, contracts: 200, events: 60, history: 3000 };
    const generated = await generateCrm(ctx().admin, scale, FIXTURE_PASSWORD_HASH);
    expect(generated.salesIds).to.have.length(5);
    expect(generated.supportIds).to.have.length(3);
    expect(generated.managementIds).to.have.length(1);
    const counts = await rowCounts(ctx().admin);
    // Triggers skipped: the history is exactly what was generated, 1,000 entries of it about contract 1.
    expect(counts).to.deep.equal({ users: 9, clients: 40, contracts: 200, events: 60, history: 3000, historyOfContract1: HISTORY_CHANGES });
  });

  it('refuses more events than contracts (one event per contract), generating nothing', async () => {
    const err = await generateCrm(ctx().admin, { sales: 1, support: 1, clients: 1, contracts: 1, events: 2, history: 0 }, FIXTURE_PASSWORD_HASH).then(() => undefined, (e: Error) => e);
    expect(err?.message).to.equal('one event per contract: events must not outnumber contracts');
    expect(await rowCounts(ctx().admin)).to.deep.equal({ users: 0, clients: 0, contracts: 0, events: 0, history: 0, historyOfContract1: 0 });
  });
});
