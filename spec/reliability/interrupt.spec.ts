/**
 * Ctrl+C tells the truth, under a real pseudo-terminal against the real
 * server: a write interrupted before it commits is rolled back and says
 * nothing was written; one whose COMMIT had gone through says it committed.
 * The calls are slowed on the server, never by a timer: a row lock held by
 * another session, and a COMMIT waiting for a synchronous standby that never
 * comes (it has committed locally by then; a cancel ends the wait).
 */
import { expect } from 'chai';
import { AdminConnection } from '../../lib/db/index.js';
import { testQueries } from '../support/test-queries.js';
import type { Actor } from '../../lib/domain/actor.js';
import { FIXTURE_PASSWORD } from '../support/fixtures.js';
import { asOwner } from '../support/owner.js';
import { KEY, PtySession } from '../support/pty.js';
import { cliTestbed, runCli } from '../support/cli.js';
import { ctx, fingerprint } from '../support/server.js';
import { until } from '../support/until.js';

const t = testQueries([
  'holdClient', 'lockWaiters', 'awaitGhostStandby', 'forgetGhostStandby', 'reloadServerConfig', 'standbyNames',
  'createSyncCommitFunction', 'createSyncCommitTrigger', 'dropSyncCommitTrigger', 'dropSyncCommitFunction', 'syncRepWaiters', 'clientPhone',
] as const);

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const promptOf = (actor: Actor) => new RegExp(`epic\\(${actor.department}:${escape(actor.email)}\\)> $`);

describe('reliability: Ctrl+C tells the truth', function () {
  this.timeout(60_000);
  const bed = cliTestbed('epic-interrupt-');
  const phone = '+33 1 23 45 67 89';

  const openShell = async (actor: Actor, env: NodeJS.ProcessEnv = {}): Promise<PtySession> => {
    const r = await runCli(['--email', actor.email, '--password-stdin'], { ...bed.env, ...env }, `${FIXTURE_PASSWORD}\n`);
    expect(r.code, r.stderr).to.equal(0);
    const shell = PtySession.start(['--email', actor.email], { ...bed.env, ...env });
    await shell.waitFor(promptOf(actor));
    return shell;
  };

  it('a write waiting on a lock is cancelled, rolled back, and says nothing was written', async () => {
    const { alice, clientA } = bed.world;
    const shell = await openShell(alice);
    const before = await fingerprint();
    const holder = await AdminConnection.open(ctx().target.admin);
    try {
      await asOwner(async (conn) => {
        await conn.one(t.holdClient, [clientA]);
        shell.sendLine(`clients.update(${clientA}, {phone: '${phone}'})`);
        await until(async () => ((await ctx().admin.one<{ waiting: number }>(t.lockWaiters, [ctx().config.appDbUser]))?.waiting ?? 0) > 0, 'the update waiting for the lock', 20_000);
        shell.send(KEY.ctrlC);
        const out = await shell.waitFor(/Interrupted[^\n]*\n[\s\S]*> $/);
        expect(out).to.match(/Interrupted: cancelled \(Ctrl\+C\); nothing was written/);
      }, holder);
    } finally {
      await holder.close();
    }
    // The lock is gone: had the update only been abandoned, it would go through now.
    shell.sendLine(`clients.get(${clientA}).phone`);
    await shell.waitFor(/> $/);
    expect(await fingerprint()).to.deep.equal(before);
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
  });

  it('a write whose COMMIT had gone through says it committed', async () => {
    const { alice, clientA } = bed.world;
    const shell = await openShell(alice);
    const superuser = await AdminConnection.open(ctx().server.serverAdmin);
    await asOwner((c) => c.exec(t.createSyncCommitFunction).then(() => c.exec(t.createSyncCommitTrigger)));
    try {
      await superuser.exec(t.awaitGhostStandby);
      await superuser.one(t.reloadServerConfig);
      await until(async () => (await superuser.one<{ names: string }>(t.standbyNames))?.names === 'epic_test_no_such_standby', 'the standby setting to apply', 20_000);

      shell.sendLine(`clients.update(${clientA}, {phone: '${phone}'})`);
      // Committed locally, its COMMIT now waits for the standby.
      await until(async () => ((await ctx().admin.one<{ waiting: number }>(t.syncRepWaiters, [ctx().config.appDbUser]))?.waiting ?? 0) > 0, 'the commit waiting for the standby', 20_000);
      shell.send(KEY.ctrlC);
      const out = await shell.waitFor(/Interrupted[^\n]*\n[\s\S]*> $/);
      expect(out).to.match(/Interrupted: too late \(Ctrl\+C\): the change had already been committed and is saved/);
      expect(out).not.to.match(/nothing was written/);
    } finally {
      await superuser.exec(t.forgetGhostStandby);
      await superuser.one(t.reloadServerConfig);
      await until(async () => (await superuser.one<{ names: string }>(t.standbyNames))?.names === '', 'the standby setting to be reset', 20_000);
      await superuser.close();
      await asOwner((c) => c.exec(t.dropSyncCommitTrigger).then(() => c.exec(t.dropSyncCommitFunction)));
    }
    expect((await asOwner((c) => c.one<{ phone: string }>(t.clientPhone, [clientA])))?.phone).to.equal(phone);
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
  });

  it('a collaborator being created (slow bcrypt) when Ctrl+C comes is not created', async () => {
    const { manager } = bed.world;
    const shell = await openShell(manager, { BCRYPT_ROUNDS: '14' });
    const before = await fingerprint();
    // The call starts right after the print, in the same statement: it is hashing when Ctrl+C comes.
    shell.sendLine("print('hashing'); users.create({fullName: 'Late Larry', email: 'larry@epic.events', department: 'sales', password: 'a-long-enough-password'})");
    await shell.waitFor(/\nhashing\n/);
    shell.send(KEY.ctrlC);
    // The prompt comes back only once the call has ended: whatever it did is done.
    const out = await shell.waitFor(/Interrupted[^\n]*\n[\s\S]*> $/);
    expect(out).to.match(/Interrupted: cancelled \(Ctrl\+C\); nothing was written/);
    expect(out).to.match(/Interrupting: waiting for the call in progress to stop/);
    expect(await fingerprint()).to.deep.equal(before);
    // And a retry is not a Conflict.
    shell.sendLine("users.create({fullName: 'Late Larry', email: 'larry@epic.events', department: 'sales', password: 'a-long-enough-password'})");
    await shell.waitFor(/larry@epic\.events[\s\S]*> $/);
    expect(shell.output).not.to.match(/Conflict/);
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
  });
});
