/**
 * The digest at login (issue 15), through a real pseudo-terminal: the
 * interactive shell says, under its greeting, what is coming and what is
 * owed; --quiet and --eval say nothing of it.
 */
import { expect } from 'chai';
import type { Actor } from '../../lib/domain/actor.js';
import { FIXTURE_PASSWORD, addContract, addEvent, addUser } from '../support/fixtures.js';
import { resetData } from '../support/server.js';
import { KEY, PtySession } from '../support/pty.js';
import { cliTestbed, runCli } from '../support/cli.js';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const promptOf = (actor: Actor) => new RegExp(`epic\\(${actor.department}:${escape(actor.email)}\\)> $`);
const DAY = 86_400_000;

describe('e2e: the digest at login', function () {
  this.timeout(60_000);
  const bed = cliTestbed('epic-e2e-digest-');

  beforeEach(async () => {
    const { clientA, kate } = bed.world;
    const soon = Math.ceil((Date.now() + 2 * DAY) / 60_000) * 60_000; // on the minute: dates show without seconds
    await addEvent(await addContract(clientA, '1000.00', '0.00', true), 'Soon Party', kate.id, new Date(soon), new Date(soon + 3 * 3600_000));
    await addEvent(await addContract(clientA, '800.00', '500.00', true), 'Nobody Yet', null, new Date(soon + DAY), new Date(soon + DAY + 3600_000));
  });

  const login = async (actor: Actor, extra: string[] = []): Promise<string> => {
    const r = await runCli(['--email', actor.email, '--password-stdin'], bed.env, `${FIXTURE_PASSWORD}\n`);
    expect(r.code, r.stderr).to.equal(0);
    const shell = PtySession.start(['--email', actor.email, ...extra], bed.env);
    await shell.waitFor(promptOf(actor));
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
    return shell.output;
  };

  it('tells management the coming events, the contracts unsigned and unpaid, and the unassigned events, in at most five lines', async () => {
    const out = await login(bed.world.manager);
    const lines = out.slice(out.indexOf('Logged in as')).split('\n').slice(1).filter((l) => l.trim() && !/epic\(/.test(l));
    expect(lines[0]).to.match(/^Events in the next 7 days: 2 \(next: Soon Party, \d{4}-\d{2}-\d{2} \d{2}:\d{2}\)/);
    expect(lines[1]).to.equal('Contracts: 2 unsigned (2000.00), 1 signed contract with 500.00 still due');
    expect(lines[2]).to.match(/^Events without a support contact: 1 \(first starts \d{4}-\d{2}-\d{2} \d{2}:\d{2}\): events.list\(\{unassigned: true\}\)/);
    expect(lines[3]).to.equal('Details: reports.unpaid(), reports.pipeline()');
    expect(lines.length).to.be.at.most(5);
  });

  it('tells support their own events only', async () => {
    const out = await login(bed.world.kate);
    expect(out).to.match(/Your events in the next 7 days: 1 \(next: Soon Party, /);
    expect(out).not.to.match(/Contracts|unsigned|support contact:/);
  });

  it('says nothing of it with --quiet, nor in --eval', async () => {
    const quiet = await login(bed.world.manager, ['--quiet']);
    expect(quiet).not.to.match(/next 7 days|unsigned/);
    const evaluated = await runCli(['--email', bed.world.manager.email, '--eval', "print('done')"], bed.env);
    expect(evaluated.code, evaluated.stderr).to.equal(0);
    expect(evaluated.stdout + evaluated.stderr).not.to.match(/next 7 days|unsigned/);
  });

  it('greets the first manager of an empty database with the first steps: collaborators, then clients', async () => {
    await resetData();
    const first = await addUser('Nina First', 'nina@epic.events', 'management');
    const out = await login(first);
    const lines = out.slice(out.indexOf('Logged in as')).split('\n').slice(1).filter((l) => l.trim() && !/epic\(/.test(l));
    expect(lines[0]).to.equal('Nothing here yet. First steps:');
    expect(lines[1]).to.match(/^1\. Create your collaborators: users\.create\(\{fullName, email, department: 'sales', password: passwordPrompt\(\)\}\)/);
    expect(lines.join(' ')).to.match(/2\. Then clients: .*clients\.import\('clients\.csv'\)/);
    expect(out).not.to.match(/next 7 days/);
    // With collaborators but no client yet: the steps still, the first one done.
    await addUser('Sam Sales', 'sam@epic.events', 'sales');
    expect(await login(first)).to.include('1. Your collaborators are there (users.list())');
  });
});
