/**
 * Reliability 7: Sentry under faults. An unreachable DSN never stops the
 * shell from working, and the exit waits for it only a bounded time (flush
 * 2 s). What does reach Sentry carries no secret: asserted on the payloads a
 * local receiver captured from real CLI runs. (Scrubbing of captured
 * exceptions is asserted in spec/platform/monitoring.spec.ts: the CLI offers no
 * honest way to raise an unexpected error inside the API.)
 */
import { expect } from 'chai';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { testQueries } from '../support/test-queries.js';
import { FIXTURE_PASSWORD, addUser } from '../support/fixtures.js';
import { asOwner } from '../support/owner.js';
import { CLI_JWT_SECRET, cliEnv, runCli } from '../support/cli.js';
import { startBlackHole, startReceiver } from '../support/sentry-receiver.js';
import { APP_PASSWORD, ctx, resetData } from '../support/server.js';

const t = testQueries(['usersByDepartment'] as const);
const NEW_PASSWORD = 'kate first secret password';
const CHANGED_PASSWORD = 'kate second secret password';
const WRONG_PASSWORD = 'a wrong guess of a password';

/** Create a collaborator and change their password: two events for Sentry, both carrying a password in the call. */
const SCRIPT = [
  `users.create({fullName: 'Kate Support', email: 'kate@epic.events', department: 'support', password: '${NEW_PASSWORD}'})`,
  `users.update((await users.get('kate@epic.events')).id, {password: '${CHANGED_PASSWORD}'})`,
].join('\n');

async function loggedInManager(stateDir: string, extra: Record<string, string>) {
  const manager = await addUser('Maud Manager', 'maud@epic.events', 'management');
  const env = cliEnv(ctx().target.admin, stateDir, extra);
  const login = await runCli(['--email', manager.email, '--password-stdin'], env, `${FIXTURE_PASSWORD}\n`);
  expect(login.code, login.stderr).to.equal(0);
  return { manager, env };
}

describe('reliability: Sentry under faults', function () {
  this.timeout(120_000);
  beforeEach(resetData);

  it('with a DSN whose endpoint accepts and never answers, the shell still works and exits within seconds', async () => {
    const hole = await startBlackHole();
    try {
      const stateDir = fs.mkdtempSync(path.join(ctx().tmpDir, 'sentry-hole-'));
      const { manager, env } = await loggedInManager(stateDir, { SENTRY_DSN: `http://publickey@127.0.0.1:${hole.port}/1` });
      const started = Date.now();
      const run = await runCli(['--email', manager.email, '--eval', SCRIPT], env);
      const elapsed = Date.now() - started;
      expect(run.code, run.stderr).to.equal(0);
      const users = await asOwner((c) => c.many<{ email: string }>(t.usersByDepartment));
      expect(users.map((u) => u.email)).to.include('kate@epic.events');
      // Generous: the flush is bounded at 2 s; without a bound this would hang.
      expect(elapsed).to.be.below(15_000);
    } finally {
      await hole.close();
    }
  });

  it('with a DSN on a closed port, the shell still works and exits promptly', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const stateDir = fs.mkdtempSync(path.join(ctx().tmpDir, 'sentry-closed-'));
    const { manager, env } = await loggedInManager(stateDir, { SENTRY_DSN: `http://publickey@127.0.0.1:${port}/1` });
    const started = Date.now();
    const run = await runCli(['--email', manager.email, '--eval', "clients.list()"], env);
    expect(run.code, run.stderr).to.equal(0);
    expect(Date.now() - started).to.be.below(15_000);
  });

  it('sends collaborator events and the login lockout from real CLI runs with no password, hash, token or secret in any payload', async () => {
    const receiver = await startReceiver();
    try {
      const stateDir = fs.mkdtempSync(path.join(ctx().tmpDir, 'sentry-receiver-'));
      const { manager, env } = await loggedInManager(stateDir, { SENTRY_DSN: `http://publickey@127.0.0.1:${receiver.port}/1` });
      const run = await runCli(['--email', manager.email, '--eval', SCRIPT], env);
      expect(run.code, run.stderr).to.equal(0);
      for (let i = 0; i < 5; i++) {
        const refused = await runCli(['--email', 'kate@epic.events', '--password-stdin'], env, `${WRONG_PASSWORD}\n`);
        expect(refused.code).to.equal(3);
      }

      const all = receiver.bodies.join('\n');
      for (const name of ['collaborator.created', 'collaborator.updated', 'login.lockout']) {
        expect(all, name).to.include(name);
      }
      const tokens = JSON.stringify(JSON.parse(fs.readFileSync(path.join(stateDir, 'tokens.json'), 'utf8')));
      const storedToken = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/.exec(tokens)?.[0];
      expect(storedToken, 'the stored token').to.be.a('string');
      const secrets = [
        FIXTURE_PASSWORD, NEW_PASSWORD, CHANGED_PASSWORD, WRONG_PASSWORD, APP_PASSWORD, CLI_JWT_SECRET,
        ctx().target.admin.password as string, storedToken as string,
      ];
      for (const secret of secrets) expect(all.includes(secret), `a secret (${secret.slice(0, 4)}…) reached Sentry`).to.equal(false);
      expect(all).not.to.match(/\$2[aby]\$\d\d\$/);
      expect(all).not.to.match(/eyJ[A-Za-z0-9_-]+\.eyJ/);
    } finally {
      await receiver.close();
    }
  });
});
