/**
 * Sessions ended under their holder say why: logging in again on the same
 * machine ends the session whose token it replaced (no pile of open
 * sessions); a shell whose session the per-collaborator cap ended says so; a
 * collaborator deleted under a running batch or an open shell exits 3 saying
 * the account was deleted ("log in again" cannot work). Real processes on the
 * test server; every wait is for a condition.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { checkPassword } from '../../lib/auth/login.js';
import { ACCOUNT_DELETED, SESSION_CAPPED } from '../../lib/auth/token-check.js';
import { noopMonitor } from '../../lib/platform/monitoring.js';
import type { Actor } from '../../lib/domain/actor.js';
import { addUser, FIXTURE_PASSWORD } from '../support/fixtures.js';
import { asOwner } from '../support/owner.js';
import { cliTestbed, runCli, startCli } from '../support/cli.js';
import { KEY, PtySession } from '../support/pty.js';
import { ctx } from '../support/server.js';
import { testQueries } from '../support/test-queries.js';

const t = testQueries(['openSessionCount', 'deleteCollaborator'] as const);

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const promptOf = (actor: Actor) => new RegExp(`epic\\(${actor.department}:${escape(actor.email)}\\)> $`);
const openSessions = async (actor: Actor) => (await asOwner((c) => c.one<{ n: number }>(t.openSessionCount, [actor.id])))?.n ?? -1;

describe('reliability: sessions ended under their holder', function () {
  this.timeout(120_000);
  const bed = cliTestbed('epic-session-endings-');

  const login = async (actor: Actor) => {
    const r = await runCli(['--email', actor.email, '--password-stdin'], bed.env, `${FIXTURE_PASSWORD}\n`);
    expect(r.code, r.stderr).to.equal(0);
  };

  it('logging in again on the same machine ends the session it replaced', async () => {
    const { alice } = bed.world;
    const before = await openSessions(alice); // the fixture's own
    for (let i = 0; i < 5; i++) await login(alice);
    expect(await openSessions(alice)).to.equal(before + 1);
    const r = await runCli(['--json', '--eval', 'whoami()'], bed.env);
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout).email).to.equal(alice.email);
  });

  it('a shell whose session the per-collaborator cap ended says so, and exits 3', async () => {
    const { alice } = bed.world;
    await login(alice);
    const shell = PtySession.start(['--email', alice.email], bed.env);
    await shell.waitFor(promptOf(alice));
    // 50 logins elsewhere (not this machine's token store): the oldest session, this shell's, ends.
    for (let i = 0; i < 50; i++) expect(await checkPassword(ctx().db, ctx().config, noopMonitor, alice.email, FIXTURE_PASSWORD)).to.not.equal(undefined);
    shell.sendLine('whoami().email');
    expect(await shell.exitCode()).to.equal(3);
    expect(shell.output).to.include(SESSION_CAPPED);
  });

  it('an open shell of a deleted collaborator says the account was deleted, and exits 3', async () => {
    const alice = await addUser('Dora Deleted', 'dora@epic.events', 'sales'); // no clients: she may be deleted
    await login(alice);
    const shell = PtySession.start(['--email', alice.email], bed.env);
    await shell.waitFor(promptOf(alice));
    await asOwner((c) => c.exec(t.deleteCollaborator, [alice.id]));
    shell.sendLine('clients.list()');
    expect(await shell.exitCode()).to.equal(3);
    expect(shell.output).to.include(ACCOUNT_DELETED);
    expect(shell.output).not.to.match(/log in again/);
  });

  it('a collaborator deleted under their running batch: exit 3, saying the account was deleted', async () => {
    const alice = await addUser('Dora Deleted', 'dora@epic.events', 'sales'); // no clients: she may be deleted
    await login(alice);
    const go = path.join(bed.home, 'go');
    const file = path.join(bed.home, 'batch.js');
    // One statement: the token is checked before it, the account deleted while it waits, then its call runs.
    fs.writeFileSync(file, [
      "clients.list({limit: 1})",
      `print('ready'); await new Promise((resolve) => { const t = setInterval(() => { if (require('fs').existsSync(${JSON.stringify(go)})) { clearInterval(t); resolve(); } }, 20); }); await clients.create({fullName: 'Late Client', email: 'late@example.com', phone: '+33 1 00 00 00 00', companyName: 'Late Co'})`,
      "print('after')",
      '',
    ].join('\n'));
    const run = startCli(['--email', alice.email, file], bed.env);
    let out = '';
    await new Promise<void>((resolve, reject) => {
      run.child.stdout?.on('data', (c: Buffer) => {
        out += c.toString('utf8');
        if (out.includes('ready\n')) resolve();
      });
      run.child.once('exit', () => reject(new Error(`exited before ready: ${out}`)));
    });
    await asOwner((c) => c.exec(t.deleteCollaborator, [alice.id]));
    fs.writeFileSync(go, '');
    const r = await run.done;
    expect(r.code, r.stderr).to.equal(3);
    expect(r.stderr).to.include(ACCOUNT_DELETED);
    expect(r.stderr).to.match(/batch\.js:2: /);
    expect(r.stdout).not.to.include('after');
  });
});
