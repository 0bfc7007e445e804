/**
 * Notices at the prompt (issue 34), through real pseudo-terminals: a change
 * made in one shell shows as one line above the prompt of the shell it
 * concerns, within two seconds, and what was being typed there is drawn
 * again; a shell it does not concern, a script and config.set('notices',
 * false) show nothing.
 */
import { expect } from 'chai';
import type { Actor } from '../../lib/domain/actor.js';
import { FIXTURE_PASSWORD, apiAs } from '../support/fixtures.js';
import { KEY, PtySession } from '../support/pty.js';
import { cliTestbed, runCli } from '../support/cli.js';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const promptOf = (actor: Actor) => new RegExp(`epic\\(${actor.department}:${escape(actor.email)}\\)> `);

describe('e2e: notices at the prompt', function () {
  this.timeout(90_000);
  const bed = cliTestbed('epic-e2e-notices-');

  const login = async (actor: Actor) => {
    const r = await runCli(['--email', actor.email, '--password-stdin'], bed.env, `${FIXTURE_PASSWORD}\n`);
    expect(r.code, r.stderr).to.equal(0);
  };
  const openShell = async (actor: Actor): Promise<PtySession> => {
    const shell = PtySession.start(['--email', actor.email, '--quiet'], bed.env, { columns: 100, rows: 50 });
    await shell.waitFor(promptOf(actor));
    return shell;
  };

  it('a contract signed in the manager\'s shell shows in the salesperson\'s, above the prompt, what she typed drawn again; not in a shell it does not concern', async () => {
    const { manager, alice, bob } = bed.world;
    for (const a of [manager, alice, bob]) await login(a);
    const aliceShell = await openShell(alice);
    const bobShell = await openShell(bob);
    const managerShell = await openShell(manager);
    // Give the listeners a moment to connect, then Alice starts typing (no Enter).
    await new Promise((r) => setTimeout(r, 1500));
    aliceShell.send('clients.li');
    await aliceShell.waitFor(/clients\.li$/);

    managerShell.sendLine(`contracts.sign(${bed.world.contractA})`);
    await managerShell.waitFor(/\[y\/N\]/);
    const signedAt = Date.now();
    managerShell.sendLine('y');
    await managerShell.waitFor(promptOf(manager));

    const seen = await aliceShell.waitFor(new RegExp(`Maud Manager signed contract ${bed.world.contractA} \\(Client of Alice, 1000\\.00\\)[\\s\\S]*${promptOf(alice).source}clients\\.li`), 5000);
    const latency = Date.now() - signedAt;
    expect(latency, `shown ${latency} ms after the commit`).to.be.lessThan(2000 + 1000); // the manager's own reply is part of it
    expect(seen).to.match(/\[\d\d:\d\d\] Maud Manager signed contract/);
    // What she typed is still hers: Enter runs it whole.
    aliceShell.send('st()\r');
    await aliceShell.waitFor(/Client of Alice/);
    expect(bobShell.output).not.to.include('signed contract');

    // Silenced: the next change is not shown.
    aliceShell.sendLine("config.set('notices', false)");
    await aliceShell.waitFor(/notices is now false/);
    await apiAs(manager).contracts.pay(bed.world.signedA, '0.00').catch(() => undefined);
    await apiAs(manager).clients.assign(bed.world.clientB, alice.id);
    await new Promise((r) => setTimeout(r, 2500));
    expect(aliceShell.output).not.to.include('gave you client');
    for (const s of [aliceShell, bobShell, managerShell]) s.send(KEY.ctrlD);
    for (const s of [aliceShell, bobShell, managerShell]) expect(await s.exitCode()).to.equal(0);
  });

  it('a script never shows notices', async () => {
    const { manager, alice } = bed.world;
    await login(alice);
    const script = PtySession.start(['--email', alice.email, '--eval', "await new Promise((r) => setTimeout(r, 2500)); 'done'"], bed.env);
    await new Promise((r) => setTimeout(r, 1200));
    await apiAs(manager).clients.assign(bed.world.clientB, alice.id);
    expect(await script.exitCode()).to.equal(0);
    expect(script.output).to.include('done').and.not.include('gave you client');
  });
});
