/**
 * Behind PgBouncer (issue 33): in session pooling mode the shell works as on
 * PostgreSQL itself (two collaborators log in and work, one after the other
 * and at once); in transaction mode — where the second login used to fail
 * with `prepared statement "auth.login" already exists` — it refuses at start
 * in one line naming the mode to use, having changed nothing (a stored
 * token's check, on its session role's connection, included). Skipped, saying
 * why, only when the machine has no pgbouncer binary (.ci/run installs it).
 */
import { expect } from 'chai';
import { FIXTURE_PASSWORD } from '../support/fixtures.js';
import { cliEnv, cliTestbed, runCli } from '../support/cli.js';
import { pgbouncerBinary, startPgbouncer, type Bouncer } from '../support/pgbouncer.js';
import { ctx, fingerprint } from '../support/server.js';

describe('db: behind PgBouncer', function () {
  this.timeout(120_000);
  const bed = cliTestbed('epic-pgbouncer-');
  let bouncer: Bouncer | undefined;

  before(function () {
    if (!pgbouncerBinary()) {
      process.stdout.write('      (skipped: no pgbouncer binary on this machine; Debian: apt-get install pgbouncer)\n');
      this.skip();
    }
  });
  afterEach(async () => {
    await bouncer?.stop();
    bouncer = undefined;
  });

  const through = (b: Bouncer) => cliEnv(b.through(ctx().target.admin), bed.home);
  const login = (env: NodeJS.ProcessEnv, email: string, code: string) => runCli(['--email', email, '--password-stdin', '--eval', code], env, `${FIXTURE_PASSWORD}\n`);

  it('works in session mode: two collaborators log in and work, one after the other and at once', async () => {
    bouncer = await startPgbouncer(ctx().server.serverAdmin, 'session');
    const env = through(bouncer);
    const alice = await login(env, bed.world.alice.email, 'whoami().email');
    expect(alice.code, alice.stderr).to.equal(0);
    expect(alice.stdout).to.include(bed.world.alice.email);
    const bob = await login({ ...env, EPIC_EVENTS_HOME: `${bed.home}/bob` }, bed.world.bob.email, "(await clients.create({fullName: 'Through the pooler', email: 'pooled@client.test'})).email");
    expect(bob.code, bob.stderr).to.equal(0);
    expect(bob.stdout).to.include('pooled@client.test');
    // Both at once, with their stored tokens (the session checks and LISTEN on their own server connections).
    const [a, b] = await Promise.all([
      runCli(['--eval', 'clients.count()'], env),
      runCli(['--eval', "(await clients.list({search: 'pooled'}))[0].fullName"], { ...env, EPIC_EVENTS_HOME: `${bed.home}/bob` }),
    ]);
    expect(a.code, a.stderr).to.equal(0);
    expect(b.code, b.stderr).to.equal(0);
    expect(b.stdout).to.include('Through the pooler');
  });

  it('refuses transaction mode at start in one line naming the mode to use, and changes nothing', async () => {
    bouncer = await startPgbouncer(ctx().server.serverAdmin, 'transaction');
    const env = through(bouncer);
    const before = await fingerprint();
    for (const who of [bed.world.alice, bed.world.bob]) {
      const r = await login({ ...env, EPIC_EVENTS_HOME: `${bed.home}/${who.id}` }, who.email, 'whoami().email');
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.match(/^ConfigError: the database is reached through a connection pooler in transaction or statement pooling mode .*use pool_mode = session, or connect to PostgreSQL directly\n$/);
    }
    expect(await fingerprint()).to.deep.equal(before);
  });

  it('refuses transaction mode with a stored token too: the check runs first on the session role connection, before the check of the token', async () => {
    // Logged in on PostgreSQL directly: the stored token's check is the first statement through the pooler.
    const direct = await login(bed.env, bed.world.alice.email, 'whoami().email');
    expect(direct.code, direct.stderr).to.equal(0);
    bouncer = await startPgbouncer(ctx().server.serverAdmin, 'transaction');
    const before = await fingerprint();
    for (let i = 0; i < 2; i++) {
      const r = await runCli(['--eval', 'whoami().email'], through(bouncer));
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stdout).to.equal('');
      expect(r.stderr).to.match(/^ConfigError: the database is reached through a connection pooler in transaction or statement pooling mode .*use pool_mode = session, or connect to PostgreSQL directly\n$/);
    }
    expect(await fingerprint()).to.deep.equal(before);
  });
});
