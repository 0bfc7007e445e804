/**
 * Untrusted text under a real pseudo-terminal: what one collaborator stored
 * (notes of any kind, names written before the rules or by another program)
 * never reaches another's terminal as control sequences; single-line fields
 * refuse control and bidi characters and nothing is written.
 */
import { expect } from 'chai';
import type { Actor } from '../../lib/domain/actor.js';
import { ValidationError } from '../../lib/domain/errors.js';
import { FIXTURE_PASSWORD, addClient, apiAs, rejection } from '../support/fixtures.js';
import { ESCAPE_CORPUS, HOSTILE_TEXT } from '../support/escapes.js';
import { KEY, PtySession } from '../support/pty.js';
import { cliTestbed, runCli } from '../support/cli.js';
import { fingerprint } from '../support/server.js';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A JS string literal in printable ASCII: what the user types is not itself hostile. */
const literal = (s: string) => `'${[...s].map((c) => (c >= ' ' && c <= '~' && c !== "'" && c !== '\\' ? c : `\\u{${c.codePointAt(0)!.toString(16)}}`)).join('')}'`;
const promptOf = (actor: Actor) => new RegExp(`epic\\(${actor.department}:${escape(actor.email)}\\)> $`);

describe('e2e: untrusted text cannot drive the terminal', function () {
  this.timeout(60_000);
  const bed = cliTestbed('epic-e2e-term-');

  const openShell = async (actor: Actor): Promise<PtySession> => {
    const r = await runCli(['--email', actor.email, '--password-stdin'], bed.env, `${FIXTURE_PASSWORD}\n`);
    expect(r.code, r.stderr).to.equal(0);
    const shell = PtySession.start(['--email', actor.email], bed.env);
    await shell.waitFor(promptOf(actor));
    return shell;
  };

  it('notes and names full of escape sequences show as escapes in records, tables and errors; --json stays exact', async () => {
    const { kate, alice } = bed.world;
    await apiAs(kate).events.update(bed.world.eventK, { notes: `ok\n${HOSTILE_TEXT}\nthird line` });
    // A name stored before the rules (or by another program): only the output stands between it and the terminal.
    await addClient('Kevin \x1b[2J\x1b[H\x1b]52;c;ZWNobyBoaQ==\x07 \u202eesaC \u009b2J', 'kevin@client.test', alice.id);

    const shell = await openShell(alice);
    const start = shell.rawOutput.length;
    shell.sendLine(`events.get(${bed.world.eventK})`);
    await shell.waitFor(/third line[\s\S]*> $/);
    shell.sendLine('clients.list()');
    await shell.waitFor(/\(3 rows\)[\s\S]*> $/);
    shell.sendLine('events.list()');
    await shell.waitFor(/rows?\)[\s\S]*> $/);
    shell.sendLine(`throw new Error(${literal(`boom ${HOSTILE_TEXT}`)})`);
    await shell.waitFor(/Error: boom[^\n]*\n[\s\S]*> $/);
    shell.sendLine(`users.get(${literal('x\u202e@y.z')})`);
    await shell.waitFor(/PermissionDenied[^\n]*\n[\s\S]*> $/);
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);

    const raw = shell.rawOutput.slice(start);
    for (const [what, seq] of ESCAPE_CORPUS) expect(raw.includes(seq), `${what} reached the terminal raw`).to.equal(false);
    expect(raw).not.to.match(/\x1b\]|\x1bP|[\u0080-\u009f]|[\u202a-\u202e\u2066-\u2069]/);
    expect(raw).to.include('\\x1b]52;c;ZWNobyBoaQ==\\x07').and.include('\\u202e').and.include('\\x9b2J');
    // The notes keep their line breaks in the record.
    expect(shell.output).to.match(/notes: ok\n[^\n]*\\x1b\[2J[^\n]*\nthird line/);

    const json = await runCli(['--json', '--eval', `events.get(${bed.world.eventK})`], bed.env);
    expect(json.code, json.stderr).to.equal(0);
    expect((JSON.parse(json.stdout) as { notes: string }).notes).to.equal(`ok\n${HOSTILE_TEXT}\nthird line`);
  });

  it('single-line fields refuse control and bidi characters with a ValidationError naming the field, and nothing is written', async () => {
    const { alice, manager, kate } = bed.world;
    const before = await fingerprint();
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['fullName', () => apiAs(alice).clients.create({ fullName: 'Kevin\u202eesaC', email: 'k@client.test' })],
      ['companyName', () => apiAs(alice).clients.create({ fullName: 'Kevin', email: 'k@client.test', companyName: 'ACME\u009b2J' })],
      ['email', () => apiAs(alice).clients.update(bed.world.clientA, { email: 'a\x1b[2J@client.test' })],
      ['phone', () => apiAs(alice).clients.update(bed.world.clientA, { phone: '+33 1\u2066 00 00 00' })],
      ['location', () => apiAs(kate).events.update(bed.world.eventK, { location: 'Hall\x1b]0;PWNED\x07' })],
      ['name', () => apiAs(kate).events.update(bed.world.eventK, { name: 'Party\u200f' })],
      ['fullName', () => apiAs(manager).users.create({ fullName: 'Eve\x7f', email: 'eve@epic.events', department: 'sales', password: 'a-long-enough-password' })],
    ];
    for (const [field, call] of cases) {
      const err = await rejection(call());
      expect(err, field).to.be.instanceOf(ValidationError);
      expect((err as ValidationError).problems.map((p) => p.field), field).to.include(field);
      expect(err.message).to.match(/control or bidirectional/);
    }
    expect(await fingerprint()).to.deep.equal(before);
  });
});
