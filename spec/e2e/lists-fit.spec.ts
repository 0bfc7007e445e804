/**
 * Lists fit the terminal, under a real pseudo-terminal of a known size: no
 * line wider than the terminal at 80 and 200 columns, the short view at 80,
 * more columns (uncut) at 200, one record after another when even the short
 * view cannot fit; long output at the prompt goes through the pager, never
 * in --eval or --json.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import type { Actor } from '../../lib/domain/actor.js';
import { FIXTURE_PASSWORD, addClient, apiAs } from '../support/fixtures.js';
import { KEY, PtySession } from '../support/pty.js';
import { cliTestbed, runCli } from '../support/cli.js';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const promptOf = (actor: Actor) => new RegExp(`epic\\(${actor.department}:${escape(actor.email)}\\)> $`);
/** Lines of the output wider than `width` characters. */
const tooWide = (output: string, width: number) => output.split('\n').filter((line) => [...line].length > width);

describe('e2e: lists fit the terminal', function () {
  this.timeout(90_000);
  const bed = cliTestbed('epic-e2e-screen-');
  const LONG_NAME = 'Maximilian Alexander Fitzgerald-Worthington of Long Names Ltd'; // 62 characters

  beforeEach(async () => {
    const { kate, alice } = bed.world;
    await apiAs(kate).events.update(bed.world.eventK, {
      location: 'Grand Ballroom, Hotel Magnifique, 12 Avenue des Champs-Élysées, Paris',
      notes: `Bring ${'very '.repeat(25)}many flowers.\nSecond line of notes that is also rather long, on purpose.`,
    });
    await addClient(LONG_NAME, 'max@long.test', alice.id, { companyName: 'An Unreasonably Long Company Name Incorporated' });
  });

  /** A shell as `actor` in a terminal of `columns` × `rows`, logged in. */
  const openShell = async (actor: Actor, columns: number, rows: number, env: NodeJS.ProcessEnv = {}): Promise<PtySession> => {
    const r = await runCli(['--email', actor.email, '--password-stdin'], bed.env, `${FIXTURE_PASSWORD}\n`);
    expect(r.code, r.stderr).to.equal(0);
    const shell = PtySession.start(['--email', actor.email], { ...bed.env, ...env }, { columns, rows });
    await shell.waitFor(promptOf(actor));
    return shell;
  };

  const run = async (shell: PtySession, actor: Actor, line: string): Promise<string> => {
    shell.sendLine(line);
    return shell.waitFor(new RegExp(`${escape(line)}[\\s\\S]*${promptOf(actor).source}`));
  };

  it('at 80 columns: the short view of each list, one record after another for every column, a bare object cut to fit, no line wider than 80', async () => {
    const { manager } = bed.world;
    const shell = await openShell(manager, 80, 500);
    const contracts = await run(shell, manager, 'contracts.list()');
    expect(contracts, contracts).to.match(/^ID\s+CLIENT\s+SALES CONTACT\s+TOTAL\s+DUE\s+SIGNED$/m);
    const events = await run(shell, manager, 'events.list()');
    expect(events, events).to.match(/^ID\s+NAME\s+CLIENT\s+START AT\s+SUPPORT CONTACT$/m);
    expect(events).not.to.include('NOTES');
    const clients = await run(shell, manager, 'clients.list()');
    expect(clients, clients).to.match(/^ID\s+FULL NAME\s+COMPANY NAME\s+SALES CONTACT/m);
    expect(clients).to.include('Maximilian');
    await run(shell, manager, 'users.list()');
    const bare = await run(shell, manager, 'users');
    expect(bare).to.match(/^users\.create\(\{fullName, email, department, password, /m).and.not.include('…');
    const all = await run(shell, manager, "contracts.list({columns: 'all'})");
    expect(all).to.match(/^-\[ 1 \]/m).and.match(/^\s*client email: /m);
    const record = await run(shell, manager, `events.get(${bed.world.eventK})`);
    expect(record).to.include('Bring very very');
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
    expect(tooWide(shell.output, 80)).to.deep.equal([]);
  });

  it('at 200 columns: more columns, cells not cut at 40 characters, no line wider than 200', async () => {
    const { manager } = bed.world;
    const shell = await openShell(manager, 200, 500);
    const clients = await run(shell, manager, 'clients.list()');
    expect(clients).to.include(LONG_NAME).and.match(/^ID\s+FULL NAME\s+EMAIL\s+PHONE\s+COMPANY NAME/m);
    const events = await run(shell, manager, 'events.list()');
    expect(events, events).to.match(/LOCATION/).and.match(/END AT/);
    const chosen = await run(shell, manager, "contracts.list({columns: ['id', 'total']})");
    expect(chosen).to.match(/^ID\s+TOTAL$/m);
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
    expect(tooWide(shell.output, 200)).to.deep.equal([]);
  });

  it("at 150 columns: columns: 'all' that would be cut prints one record after another, dates and names whole", async () => {
    const { manager } = bed.world;
    const shell = await openShell(manager, 150, 500);
    const all = await run(shell, manager, "contracts.list({columns: 'all'})");
    expect(all).to.match(/^-\[ 1 \]/m).and.match(/^\s*created at: \d{4}-\d\d-\d\d \d\d:\d\d/m);
    expect(all).to.not.include('…');
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
    expect(tooWide(shell.output, 150)).to.deep.equal([]);
  });

  it('long output at the prompt goes through the pager (less -FRSX), and the shell takes the terminal back', async () => {
    const { manager } = bed.world;
    const shell = await openShell(manager, 80, 24);
    shell.sendLine("contracts.list({columns: 'all'})");
    await shell.waitFor(/-\[ 1 \][\s\S]*\n:\s*$/);
    expect(shell.output).not.to.match(/-\[ 5 \]/); // a screenful only, until the pager is told to go on
    shell.send('q');
    await shell.waitFor(promptOf(manager));
    shell.sendLine('whoami');
    await shell.waitFor(/maud@epic\.events[\s\S]*> $/);
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
  });

  it('never pages --eval or --json, even on a terminal', async () => {
    const { manager } = bed.world;
    const marker = path.join(bed.home, 'paged');
    const r = await runCli(['--email', manager.email, '--password-stdin'], bed.env, `${FIXTURE_PASSWORD}\n`);
    expect(r.code, r.stderr).to.equal(0);
    for (const args of [['--eval', "contracts.list({columns: 'all'})"], ['--json', '--eval', 'contracts.list()']]) {
      const shell = PtySession.start(['--email', manager.email, ...args], { ...bed.env, PAGER: `touch ${marker}; cat` }, { columns: 80, rows: 10 });
      expect(await shell.exitCode()).to.equal(0);
      expect(shell.output).to.match(args.includes('--json') ? /"totalAmount"/ : /-\[ 5 \]/);
      expect(fs.existsSync(marker), args.join(' ')).to.equal(false);
    }
  });
});
