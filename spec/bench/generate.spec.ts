import { expect } from 'chai';
import { generateCrm, rowCounts } from '../../bench/generate.js';
import { FIXTURE_PASSWORD_HASH } from '../support/fixtures.js';
import { ctx, resetData } from '../support/server.js';

describe('bench generator', () => {
  beforeEach(resetData);
  afterEach(resetData);

  it('generates the asked numbers of collaborators, clients, contracts and events', async () => {
    const scale = { sales: 5, support: 3, clients: 40, contracts: 200, events: 60 };
    const generated = await generateCrm(ctx().admin, scale, FIXTURE_PASSWORD_HASH);
    expect(generated.salesIds).to.have.length(5);
    expect(generated.supportIds).to.have.length(3);
    const counts = await rowCounts(ctx().admin);
    expect(counts).to.deep.equal({ users: 8, clients: 40, contracts: 200, events: 60 });
  });

  it('refuses more events than contracts (one event per contract)', async () => {
    let refused = false;
    try {
      await generateCrm(ctx().admin, { sales: 1, support: 1, clients: 1, contracts: 1, events: 2 }, FIXTURE_PASSWORD_HASH);
    } catch {
      refused = true;
    }
    expect(refused).to.equal(true);
  });
});
