import { expect } from 'chai';
import { createApi } from '../../lib/crm/api.js';
import { identityPrelude } from '../../lib/crm/deps.js';
import { noopMonitor } from '../../lib/platform/monitoring.js';
import { Database } from '../../lib/db/index.js';
import { testQueries } from '../support/test-queries.js';
import { addClient, addUser } from '../support/fixtures.js';
import { ctx, resetData, sessionParams } from '../support/server.js';

const t = testQueries(['preparedStatements'] as const);

describe('prepared statements on the shell pool', () => {
  beforeEach(resetData);

  it('prepares a query once per connection, but plans lists for each call', async () => {
    const alice = await addUser('Alice Sales', 'alice@epic.events', 'sales');
    const db = new Database(sessionParams(alice), { max: 1 }); // one connection: what it prepared is what we see
    try {
      const client = await addClient('Kevin Casey', 'kevin@startup.io', alice.id);
      const api = createApi({ db, actor: () => alice, config: ctx().config, monitor: noopMonitor });
      await api.clients.get(client);
      await api.clients.get(client);
      await api.clients.list({ unassigned: false });
      const names = (await db.transaction((tx) => tx.many<{ name: string }>(t.preparedStatements), { prelude: identityPrelude(alice) })).map((r) => r.name);
      expect(names).to.include.members(['clients.getClient', 'session.setIdentity', 'transaction.begin', 'transaction.commit']);
      expect(names).not.to.include('clients.listClients');
    } finally {
      await db.close();
    }
  });
});
