/** Reliability 4: a runaway query is cancelled by the server after a bounded time. */
import { expect } from 'chai';
import { Database, QueryCancelled } from '../../lib/db/index.js';
import { testQueries } from '../support/test-queries.js';
import { runSetup } from '../../lib/program/provision.js';
import { addUser, rejection } from '../support/fixtures.js';
import { identityPrelude } from '../../lib/crm/deps.js';
import type { Actor } from '../../lib/domain/actor.js';
import { ctx, scratchDatabase, sessionParams, targetFor, testConfig } from '../support/server.js';

const t = testQueries(['slowQuery', 'runtimeRoleSettings'] as const);

/** A collaborator's transaction (a salesperson's identity) running the slow statement. */
function asSales(): Promise<Actor> {
  return addUser('Sam Slow', `sam-${Math.random().toString(36).slice(2, 8)}@epic.events`, 'sales');
}
function runaway(db: Database, seconds: number, actor?: Actor): Promise<unknown> {
  return db.transaction((tx) => tx.one(t.slowQuery, [seconds]), actor ? { prelude: identityPrelude(actor) } : {});
}

describe('reliability: statement timeout', function () {
  this.timeout(60_000);

  it('setup gives the runtime role the configured statement_timeout (30 s by default)', async () => {
    const { admin, config } = ctx();
    expect(config.statementTimeoutMs).to.equal(30_000);
    const row = await admin.one<{ settings: string[] }>(t.runtimeRoleSettings, [config.appDbUser]);
    expect(row?.settings).to.include('statement_timeout=30000ms');
  });

  it('cancels a runaway query with a clear QueryCancelled message when the pool sets a short STATEMENT_TIMEOUT', async () => {
    const actor = await asSales();
    const db = new Database(sessionParams(actor), { statementTimeoutMs: 1000 });
    try {
      const err = await rejection(runaway(db, 30, actor));
      expect(err).to.be.instanceOf(QueryCancelled);
      expect(err.message).to.equal('the query ran too long and was cancelled by the server (statement timeout)');
      // The connection is still usable afterwards.
      expect(await runaway(db, 0, actor)).to.deep.equal({ slept: true });
    } finally {
      await db.close();
    }
  });

  it('cancels a runaway query by the role setting alone (a pool that sets nothing), after STATEMENT_TIMEOUT=1s given to setup', async () => {
    const scratch = await scratchDatabase('epic_reliability_timeout');
    try {
      const config = testConfig(scratch.admin, `${ctx().tmpDir}/timeout-state`, { STATEMENT_TIMEOUT: '1s' });
      await runSetup(config, targetFor(config), { log: () => undefined });
      // No statement_timeout option: the role's applies (to the login role's own statements: no collaborator exists here).
      const db = new Database(targetFor(config).runtime);
      try {
        const err = await rejection(runaway(db, 30));
        expect(err).to.be.instanceOf(QueryCancelled);
        expect(err.message).to.match(/statement timeout/);
      } finally {
        await db.close();
      }
    } finally {
      await scratch.drop();
    }
  });
});
