/**
 * Passwords under a real pseudo-terminal (#17 item 3): passwd() changes one's
 * own password, every answer hidden and kept out of history; a password
 * management set is replaced at login before the shell opens; scripts and
 * --eval with such a password pending are refused and change nothing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Actor } from '../../lib/domain/actor.js';
import { checkPassword } from '../../lib/auth/login.js';
import { readToken } from '../../lib/auth/store.js';
import { FIXTURE_PASSWORD, apiAs, recordingMonitor } from '../support/fixtures.js';
import { KEY, PtySession } from '../support/pty.js';
import { cliTestbed, runCli } from '../support/cli.js';
import { ctx, fingerprint } from '../support/server.js';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const promptOf = (actor: Pick<Actor, 'department' | 'email'>) => new RegExp(`epic\\(${actor.department}:${escape(actor.email)}\\)> $`);
const MANAGEMENT_CHOSE = 'management chose this one';
const MINE = 'my very own passphrase';

describe('e2e: passwd() and replacing a password management set', function () {
  this.timeout(60_000);
  const bed = cliTestbed('epic-e2e-passwd-');
  const logsIn = async (email: string, password: string) => (await checkPassword(ctx().db, ctx().config, recordingMonitor(), email, password)) !== undefined;
  const newcomer = () => apiAs(bed.world.manager).users.create({ fullName: 'Nina New', email: 'nina@epic.events', department: 'sales', password: MANAGEMENT_CHOSE });

  it('passwd() asks the current password and the new one twice, hidden, checks each answer, and keeps none in history', async () => {
    const { alice } = bed.world;
    const r = await runCli(['--email', alice.email, '--password-stdin'], bed.env, `${FIXTURE_PASSWORD}\n`);
    expect(r.code, r.stderr).to.equal(0);
    const shell = PtySession.start(['--email', alice.email], bed.env);
    await shell.waitFor(promptOf(alice));
    shell.sendLine('passwd()');
    await shell.waitFor(/Current password for alice@epic\.events: $/);
    shell.sendLine(FIXTURE_PASSWORD);
    await shell.waitFor(/New password \(12\+ characters\): $/);
    shell.sendLine('short');
    await shell.waitFor(/The password must be at least 12 characters; try another\.\n[\s\S]*New password \(12\+ characters\): $/);
    // The current one again is refused at once, before it is asked a second time.
    shell.sendLine(FIXTURE_PASSWORD);
    await shell.waitFor(/The password must differ from the current one; try another\.\n[\s\S]*New password \(12\+ characters\): $/);
    shell.sendLine(MINE);
    await shell.waitFor(/New password again: $/);
    shell.sendLine(`${MINE}!`);
    await shell.waitFor(/The two passwords differ; try again\.\n[\s\S]*New password \(12\+ characters\): $/);
    shell.sendLine(MINE);
    await shell.waitFor(/New password again: $/);
    shell.sendLine(MINE);
    await shell.waitFor(/Password changed\. Your other sessions have ended; this one goes on\.\n[\s\S]*> $/);
    // This session goes on.
    shell.sendLine('whoami().email');
    await shell.waitFor(/alice@epic\.events[\s\S]*> $/);
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
    for (const secret of [FIXTURE_PASSWORD, MINE, 'short']) expect(shell.output, 'echoed').not.to.include(secret);
    const history = fs.readFileSync(path.join(bed.home, 'history'), 'utf8');
    expect(history).to.include('passwd()');
    for (const secret of [FIXTURE_PASSWORD, MINE]) expect(history).not.to.include(secret);
    expect(await logsIn(alice.email, MINE)).to.equal(true);
    expect(await logsIn(alice.email, FIXTURE_PASSWORD)).to.equal(false);
  });

  it('passwd() with a wrong current password says so in one line and changes nothing; passwd(\'…\') is refused and not kept', async () => {
    const { alice } = bed.world;
    const r = await runCli(['--email', alice.email, '--password-stdin'], bed.env, `${FIXTURE_PASSWORD}\n`);
    expect(r.code, r.stderr).to.equal(0);
    const shell = PtySession.start(['--email', alice.email], bed.env);
    await shell.waitFor(promptOf(alice));
    shell.sendLine("passwd('typed in the line')");
    await shell.waitFor(/TypeError: passwd\(\) takes no arguments[^\n]*\n[\s\S]*> $/);
    const before = await fingerprint();
    shell.sendLine('passwd()');
    await shell.waitFor(/Current password for alice@epic\.events: $/);
    shell.sendLine('not my password at all');
    // Checked before the new one is asked: no new password is asked for nothing.
    const refused = await shell.waitFor(/AuthError: the current password is wrong; nothing was changed\n[\s\S]*> $/);
    expect(refused).to.not.include('New password');
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
    const after = await fingerprint();
    // Only the failed attempt is counted (login_attempts, as a failed login): users and sessions are as they were.
    expect({ users: after.users, clients: after.clients }).to.deep.equal({ users: before.users, clients: before.clients });
    expect(await logsIn(alice.email, FIXTURE_PASSWORD)).to.equal(true);
    expect(fs.readFileSync(path.join(bed.home, 'history'), 'utf8')).not.to.include('typed in the line');
  });

  it('Ctrl+C at the login\'s password prompt cancels the login: no "wrong email or password", no try counted', async () => {
    const { alice } = bed.world;
    const before = await fingerprint();
    const shell = PtySession.start(['--email', alice.email], bed.env);
    await shell.waitFor(/Password for alice@epic\.events: $/);
    shell.send(KEY.ctrlC);
    const code = await shell.exitCode();
    expect(code).to.not.equal(0);
    expect(shell.output).to.not.match(/wrong email or password/i);
    expect(shell.output).to.match(/AuthError: login cancelled: no password given for alice@epic\.events/);
    expect(await fingerprint()).to.deep.equal(before);
  });

  it('a password management set is replaced at login, before the shell opens', async () => {
    const nina = await newcomer();
    const shell = PtySession.start(['--email', nina.email], bed.env);
    await shell.waitFor(/Password for nina@epic\.events: $/);
    shell.sendLine(MANAGEMENT_CHOSE);
    await shell.waitFor(/Your password was set by management: choose your own before the shell opens\.\n[\s\S]*New password \(12\+ characters\): $/);
    shell.sendLine(MANAGEMENT_CHOSE);
    await shell.waitFor(/New password again: $/);
    shell.sendLine(MANAGEMENT_CHOSE);
    await shell.waitFor(/New password must differ from the current one\.\n[\s\S]*New password \(12\+ characters\): $/);
    shell.sendLine(MINE);
    await shell.waitFor(/New password again: $/);
    shell.sendLine(MINE);
    await shell.waitFor(/Password changed\.\n[\s\S]*epic\(sales:nina@epic\.events\)> $/);
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
    expect(shell.output).not.to.include(MINE).and.not.to.include(MANAGEMENT_CHOSE);
    expect(await logsIn(nina.email, MINE)).to.equal(true);
    // Chosen: scripts run now.
    const r = await runCli(['--eval', 'whoami().email'], bed.env);
    expect(r.code, r.stderr).to.equal(0);
  });

  it('--password-stdin and --eval with a password management set are refused (exit 3), keep no token and change nothing', async () => {
    const nina = await newcomer();
    const before = await fingerprint();
    const r = await runCli(['--email', nina.email, '--password-stdin', '--eval', 'clients.list()'], bed.env, `${MANAGEMENT_CHOSE}\n`);
    expect(r.code).to.equal(3);
    expect(r.stderr).to.equal('AuthError: the password of nina@epic.events was set by management and must be replaced before anything else runs: start epic-events on a terminal, log in and choose your own\n');
    expect(r.stdout).to.equal('');
    expect(readToken({ stateDir: bed.home }, nina.email)).to.equal(undefined);
    expect(await fingerprint()).to.deep.equal(before);
  });

  it('passwd() in --eval, with nobody to ask, is refused in one line and changes nothing', async () => {
    const { alice } = bed.world;
    const r = await runCli(['--email', alice.email, '--password-stdin'], bed.env, `${FIXTURE_PASSWORD}\n`);
    expect(r.code, r.stderr).to.equal(0);
    const before = await fingerprint();
    const run = await runCli(['--eval', 'passwd()'], bed.env);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.equal('--eval:1: Error: a password is asked only on a terminal (standard input is not one): passwordPrompt() and passwd() cannot run here (stopped there; 0 statements before it ran)\n');
    expect(await fingerprint()).to.deep.equal(before);
  });
});
