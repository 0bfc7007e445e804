/**
 * Calls that cannot be undone (users.delete, contracts.sign) ask y/N at the
 * prompt of a real pseudo-terminal, saying what will happen; No changes
 * nothing. Loaded files, scripts and --eval never ask (#17 item 5).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { Actor } from '../../lib/domain/actor.js';
import { FIXTURE_PASSWORD, apiAs, rejection } from '../support/fixtures.js';
import { KEY, PtySession } from '../support/pty.js';
import { cliTestbed, runCli } from '../support/cli.js';
import { fingerprint } from '../support/server.js';
import { NotFound } from '../../lib/domain/errors.js';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const promptOf = (actor: Actor) => new RegExp(`epic\\(${actor.department}:${escape(actor.email)}\\)> $`);

describe('e2e: confirmation before users.delete, contracts.sign, undo and clients.erase', function () {
  this.timeout(60_000);
  const bed = cliTestbed('epic-e2e-confirm-');

  const loginAs = async (actor: Actor) => {
    const r = await runCli(['--email', actor.email, '--password-stdin'], bed.env, `${FIXTURE_PASSWORD}\n`);
    expect(r.code, r.stderr).to.equal(0);
  };
  const openShell = async (actor: Actor): Promise<PtySession> => {
    await loginAs(actor);
    const shell = PtySession.start(['--email', actor.email], bed.env);
    await shell.waitFor(promptOf(actor));
    return shell;
  };

  it('users.delete says who goes and where their clients go, and No changes nothing', async () => {
    const { manager, alice, bob } = bed.world;
    const shell = await openShell(manager);
    const before = await fingerprint();
    shell.sendLine(`users.delete(${bob.id}, {reassignTo: ${alice.id}})`);
    const asked = await shell.waitFor(/\[y\/N\] $/);
    expect(asked).to.include(`Deleting collaborator Bob Sales (id ${bob.id}), sales, bob@epic.events: their 1 client will go to Alice Sales (id ${alice.id}). This cannot be undone. Delete? [y/N] `);
    shell.sendLine('n');
    await shell.waitFor(/Cancelled: nothing was changed\.\n[\s\S]*> $/);
    expect(await fingerprint()).to.deep.equal(before);
    // A call that will be refused is refused before any question.
    shell.sendLine(`users.delete(${bob.id})`);
    const refused = await shell.waitFor(promptOf(manager));
    expect(refused).to.include('ValidationError: reassignTo is required: collaborator').and.not.include('[y/N]');
    shell.sendLine(`users.delete(${bob.id}, {reassignTo: ${bed.world.kate.id}})`);
    expect(await shell.waitFor(promptOf(manager))).to.include('clients go to a sales collaborator').and.not.include('[y/N]');
    expect(await fingerprint()).to.deep.equal(before);

    // Enter alone is No too.
    shell.sendLine(`users.delete(${bob.id}, {unassign: true})`);
    expect(await shell.waitFor(/\[y\/N\] $/)).to.include('their 1 client will be left unassigned.');
    shell.sendLine('');
    await shell.waitFor(/Cancelled: nothing was changed\.\n[\s\S]*> $/);
    expect(await fingerprint()).to.deep.equal(before);

    // Ctrl+C at the question is No too, and says so.
    shell.sendLine(`users.delete(${bob.id}, {unassign: true})`);
    await shell.waitFor(/\[y\/N\] $/);
    shell.send(KEY.ctrlC);
    const cancelled = await shell.waitFor(/Cancelled: nothing was changed\.\n[\s\S]*> $/);
    expect(cancelled).to.not.include('Interrupted');
    expect(await fingerprint()).to.deep.equal(before);

    shell.sendLine(`users.delete(${bob.id}, {reassignTo: ${alice.id}})`);
    await shell.waitFor(/\[y\/N\] $/);
    shell.sendLine('y');
    await shell.waitFor(new RegExp(`reassigned to: Alice Sales \\(id ${alice.id}\\)[\\s\\S]*> $`));
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
    expect(await rejection(apiAs(manager).users.get(bob.id))).to.be.instanceOf(NotFound);
  });

  it('contracts.sign names the contract, its client and amounts; Yes signs it', async () => {
    const { alice, contractA } = bed.world;
    const shell = await openShell(alice);
    const before = await fingerprint();
    shell.sendLine(`contracts.sign(${contractA})`);
    const asked = await shell.waitFor(/\[y\/N\] $/);
    expect(asked).to.include(`Signing contract ${contractA} for Client of Alice (client id ${bed.world.clientA}, sales contact Alice Sales): total 1000.00, due 1000.00. A signature cannot be undone. Sign? [y/N] `);
    shell.sendLine('no');
    await shell.waitFor(/Cancelled: nothing was changed\.\n[\s\S]*> $/);
    expect(await fingerprint()).to.deep.equal(before);
    expect((await apiAs(alice).contracts.get(contractA)).signed).to.equal(false);
    // With await, the same question (the shell awaits results anyway).
    shell.sendLine(`await contracts.sign(${contractA})`);
    expect(await shell.waitFor(/\[y\/N\] $/)).to.include(`Signing contract ${contractA} for Client of Alice`);
    shell.sendLine('n');
    await shell.waitFor(/Cancelled: nothing was changed\.\n[\s\S]*> $/);
    expect(await fingerprint()).to.deep.equal(before);
    shell.sendLine(`contracts.sign(${contractA})`);
    await shell.waitFor(/\[y\/N\] $/);
    shell.sendLine('yes');
    await shell.waitFor(/signed[\s\S]*> $/);
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
    expect((await apiAs(alice).contracts.get(contractA)).signed).to.equal(true);
  });

  it('undo(id) says what the entry did and what will change; No changes nothing, Yes undoes it', async () => {
    const { alice, clientA } = bed.world;
    await apiAs(alice).clients.update(clientA, { companyName: 'Typo Co' });
    const entry = Number((await apiAs(alice).clients.history(clientA)).rows[0].id);
    const shell = await openShell(alice);
    const before = await fingerprint();
    shell.sendLine(`undo(${entry})`);
    expect(await shell.waitFor(/\[y\/N\] $/)).to.include(`Undoing history entry #${entry} (updated client ${clientA} by Alice Sales): companyName get their old values back. Undo? [y/N] `);
    shell.sendLine('n');
    await shell.waitFor(/Cancelled: nothing was changed\.\n[\s\S]*> $/);
    expect(await fingerprint()).to.deep.equal(before);
    shell.sendLine(`undo(${entry})`);
    await shell.waitFor(/\[y\/N\] $/);
    shell.sendLine('y');
    await shell.waitFor(/undone[\s\S]*> $/);
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
    expect((await apiAs(alice).clients.get(clientA)).companyName).to.equal(null);
  });

  it('clients.erase names the client and says it cannot be undone; No changes nothing', async () => {
    const { manager, clientB } = bed.world;
    const shell = await openShell(manager);
    const before = await fingerprint();
    shell.sendLine(`clients.erase(${clientB})`);
    expect(await shell.waitFor(/\[y\/N\] $/)).to.include(`Erasing the personal data of client ${clientB} (Client of Bob, b@client.test)`);
    shell.sendLine('');
    await shell.waitFor(/Cancelled: nothing was changed\.\n[\s\S]*> $/);
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
    expect(await fingerprint()).to.deep.equal(before);
  });

  it('a .load file at the prompt and --eval never ask', async () => {
    const { manager, contractA, contractB } = bed.world;
    const file = path.join(bed.home, 'sign.js');
    fs.writeFileSync(file, `contracts.sign(${contractA})\n`);
    const shell = await openShell(manager);
    shell.sendLine(`.load ${file}`);
    const out = await shell.waitFor(/1 statement ran\n[\s\S]*> $/);
    expect(out).not.to.include('[y/N]');
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
    const r = await runCli(['--eval', `contracts.sign(${contractB})`], bed.env);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout + r.stderr).not.to.include('[y/N]');
    expect((await apiAs(manager).contracts.get(contractA)).signed).to.equal(true);
    expect((await apiAs(manager).contracts.get(contractB)).signed).to.equal(true);
  });
});
