/**
 * Issue 27: nothing a collaborator can lock makes setup or the migrations
 * wait. They used to serialise on advisory locks (4242000, 4242001), which
 * any connected role takes where setup is no superuser (PUBLIC keeps the
 * advisory lock functions there): held by the runtime role, every later
 * setup hung. Now setup locks a row and the migrations their table, which
 * only the owner may lock (sql/migrations/042). Tried as the attacker would:
 * the runtime role's connection, the advisory functions given back to PUBLIC.
 */
import { expect } from 'chai';
import pg from 'pg';
import { runSetup } from '../../lib/program/provision.js';
import { attempt } from '../support/installation.js';
import { ctx } from '../support/server.js';
import { testQueries } from '../support/test-queries.js';

const t = testQueries(['reopenAdvisoryLocks', 'recloseAdvisoryLocks'] as const);

describe('security: setup and the migrations wait on no lock a collaborator can hold', function () {
  this.timeout(120_000);

  it('finishes setup while the runtime role holds the old advisory locks, and the runtime role can lock neither setup_lock nor schema_migrations', async () => {
    const { admin, config, target } = ctx();
    await admin.exec(t.reopenAdvisoryLocks);
    const attacker = new pg.Client(target.runtime);
    await attacker.connect();
    try {
      await attacker.query('set search_path = epic');
      // As on a server where setup was no superuser: the attacker holds what setup and migrate used to wait on.
      for (const key of [4242000, 4242001]) expect((await attempt(attacker, 'select pg_advisory_lock($1)', [key])).code, String(key)).to.equal(undefined);
      // Bounded: on the old code this run waited for good (the test's timeout says so).
      const report = await runSetup(config, target, { log: () => undefined });
      expect(report.changes.join('\n')).not.to.match(/migration/i);
      // What setup and migrate lock now is the owner's alone.
      expect((await attempt(attacker, 'select from epic.setup_lock for update')).code).to.equal('42501');
      for (const lock of ['lock table epic.schema_migrations in share row exclusive mode', 'lock table epic.setup_lock in access share mode']) {
        await attacker.query('begin');
        expect((await attempt(attacker, lock)).code, lock).to.equal('42501');
        await attacker.query('rollback');
      }
    } finally {
      await attacker.end();
      await admin.exec(t.recloseAdvisoryLocks);
    }
  });
});
