/**
 * The built CLI's interactive shell under a pseudo-terminal (util-linux
 * `script`), against the test run's real server: prompt, calls, Tab
 * completion, revocation and expiry mid-session, .load, history, Ctrl+C/D.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { readToken, saveToken } from '../../lib/auth/store.js';
import { issueToken, verifyToken } from '../../lib/auth/tokens.js';
import type { Actor } from '../../lib/domain/actor.js';
import { FIXTURE_PASSWORD, apiAs, sessionFor } from '../support/fixtures.js';
import { KEY, PtySession } from '../support/pty.js';
import { CLI_JWT_SECRET, cliTestbed, runCli } from '../support/cli.js';
import { ctx, fingerprint } from '../support/server.js';
import { authClockEnv, shiftAuthClock, shiftChildClock } from '../support/auth-clock.js';


const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const promptOf = (actor: Actor) => new RegExp(`epic\\(${actor.department}:${escape(actor.email)}\\)> $`);

describe('e2e: the interactive shell under a pseudo-terminal', function () {
  this.timeout(60_000);
  const bed = cliTestbed('epic-e2e-pty-');

  const loginAs = async (actor: Actor) => {
    const r = await runCli(['--email', actor.email, '--password-stdin'], bed.env, `${FIXTURE_PASSWORD}\n`);
    expect(r.code, r.stderr).to.equal(0);
  };
  /** A shell opened on the stored token, waiting at its first prompt. */
  const openShell = async (actor: Actor, extraEnv: NodeJS.ProcessEnv = {}): Promise<PtySession> => {
    const shell = PtySession.start(['--email', actor.email], { ...bed.env, ...extraEnv });
    await shell.waitFor(promptOf(actor));
    return shell;
  };

  it('opens on the stored token; a permitted call prints a table, a refused one a single line, and the shell goes on', async () => {
    await loginAs(bed.world.alice);
    const shell = await openShell(bed.world.alice);
    expect(shell.output).to.match(/Logged in as Alice Sales \(sales\)/);
    expect(shell.output).not.to.match(/Password/);

    shell.sendLine('clients.list()');
    const table = await shell.waitFor(/\(2 rows\)[\s\S]*> $/);
    expect(table).to.match(/FULL NAME/).and.match(/Client of Alice/).and.match(/Client of Bob/);

    const before = await fingerprint();
    shell.sendLine(`clients.update(${bed.world.clientB}, {phone: '+33 1 00 00 00 00'})`);
    const refused = await shell.waitFor(/PermissionDenied:[^\n]*\n[\s\S]*> $/);
    expect(refused).to.match(/PermissionDenied: sales may only update their own clients/);
    expect(refused).not.to.match(/\n\s+at /);
    expect(await fingerprint()).to.deep.equal(before);

    shell.sendLine('1 + 41');
    await shell.waitFor(/\b42\b[\s\S]*> $/);
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
  });

  it('the top-level functions activity() and find() run through the CLI as they do through the API', async () => {
    await loginAs(bed.world.manager);
    const activity = await runCli(['--email', bed.world.manager.email, '--json', '--eval', 'activity({limit: 5})'], bed.env);
    expect(activity.code, activity.stderr).to.equal(0);
    expect(JSON.parse(activity.stdout)).to.be.an('array').that.is.not.empty;
    const found = await runCli(['--email', bed.world.manager.email, '--json', '--eval', "find('Client of Alice')"], bed.env);
    expect(found.code, found.stderr).to.equal(0);
    expect(JSON.stringify(JSON.parse(found.stdout))).to.include('a@client.test');
  });

  it('without a stored token asks the email and the hidden password on the terminal, then stores a token', async () => {
    const shell = PtySession.start([], bed.env);
    await shell.waitFor(/Email: $/);
    shell.sendLine(bed.world.alice.email);
    await shell.waitFor(/Password for alice@epic\.events: $/);
    shell.sendLine(FIXTURE_PASSWORD);
    const opened = await shell.waitFor(promptOf(bed.world.alice));
    expect(shell.output).not.to.include(FIXTURE_PASSWORD);
    expect(opened).to.match(/Logged in as Alice Sales/);
    expect(readToken({ stateDir: bed.home }, bed.world.alice.email)).to.be.a('string');
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
  });

  it('on a Node.js whose REPL no longer fits, says which version is unsupported before asking anything, exit 1', async () => {
    // What a future Node.js could do: make the completer a getter (as Node 24 did to historySize).
    const preload = path.join(bed.home, 'future-node.mjs');
    fs.writeFileSync(preload, [
      "import repl from 'node:repl';",
      'const start = repl.start;',
      'repl.start = (options) => {',
      '  const server = start(options);',
      '  const completer = server.completer;',
      "  Object.defineProperty(server, 'completer', { get: () => completer, configurable: true });",
      '  return server;',
      '};',
    ].join('\n'));
    const shell = PtySession.start([], { ...bed.env, NODE_OPTIONS: `--import=${preload}` });
    expect(await shell.exitCode()).to.equal(1);
    expect(shell.output).to.match(/UnsupportedNode: Node\.js v\d+\.\d+\.\d+ is not supported by the shell: the REPL's completer cannot be replaced[^\n]*tested on Node\.js 20\.19\+, 22, 24 and 26/);
    expect(shell.output).not.to.match(/Email|Password|TypeError/);
  });

  it('Tab offers only the methods the department may call, and the filter keys inside list({', async () => {
    await loginAs(bed.world.kate);
    const shell = await openShell(bed.world.kate);
    const offered = await shell.completions('clients.', /help[\s\S]*clients\.$/);
    expect(offered).to.match(/\blist\b/).and.match(/\bget\b/);
    expect(offered).not.to.match(/\bcreate\b|\bupdate\b/);

    shell.send(KEY.ctrlU);
    const filters = await shell.completions('contracts.list({', /clientId[\s\S]*contracts\.list\(\{$/);
    expect(filters).to.match(/\bsigned\b/).and.match(/\bunpaid\b/).and.match(/\bmine\b/);
  });

  it('exits 3 with the reason at the next evaluation when management changes the collaborator’s department meanwhile', async () => {
    await loginAs(bed.world.alice);
    const shell = await openShell(bed.world.alice);
    shell.sendLine('whoami()');
    await shell.waitFor(/department: sales[\s\S]*> $/);

    await apiAs(bed.world.manager).users.update(bed.world.alice.id, { department: 'support' }, { unassign: true });
    shell.sendLine('clients.list()');
    const out = await shell.waitFor(/AuthError[^\n]*\n/);
    expect(out).to.match(/AuthError: your session has ended \([^)]*department changed\)/);
    expect(await shell.exitCode()).to.equal(3);
  });

  it('asks the password when the token expires mid-session, then runs the evaluation', async () => {
    // A token that expires in a minute, stored as a login would (the CLI itself issues 1-hour tokens).
    const clock = path.join(bed.home, 'auth-clock-expiry');
    const token = issueToken(CLI_JWT_SECRET, (await sessionFor(bed.world.alice.id)).actor, ctx().installation, 60);
    saveToken({ stateDir: bed.home }, bed.world.alice.email, token);
    const shell = await openShell(bed.world.alice, { TOKEN_TTL: '1h', ...authClockEnv(clock) });
    shell.sendLine('whoami()');
    await shell.waitFor(/department: sales[\s\S]*> $/);

    // The shell's auth clock moves past the token's minute: no real wait.
    shiftChildClock(clock, 120);
    shell.sendLine('clients.list({mine: true})');
    await shell.waitFor(/Session expired\. Password for alice@epic\.events: $/);
    shell.sendLine(FIXTURE_PASSWORD);
    const out = await shell.waitFor(/\(1 row\)[\s\S]*> $/);
    expect(out).to.match(/Client of Alice/);
    expect(out).not.to.include(FIXTURE_PASSWORD);

    // The Up arrow recalls the commands, never the password answered in between.
    shell.send(KEY.up);
    await shell.waitFor(/> clients\.list\(\{mine: true\}\)$/);
    shell.send(KEY.up);
    await shell.waitFor(/> whoami\(\)$/);
    expect(shell.output).not.to.include(FIXTURE_PASSWORD);
    shell.send(KEY.ctrlU);
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
  });

  it('a script with an expired stored token says so in one line and exits 3', async () => {
    // Issued an hour ago for a minute (the auth clock moved back): expired now, no real wait.
    const actor = (await sessionFor(bed.world.alice.id)).actor;
    shiftAuthClock(-3600);
    let token: string;
    try {
      token = issueToken(CLI_JWT_SECRET, actor, ctx().installation, 60);
    } finally {
      shiftAuthClock(0);
    }
    expect(verifyToken(CLI_JWT_SECRET, token, 3600)).to.deep.equal({ ok: false, reason: 'expired' });
    saveToken({ stateDir: bed.home }, bed.world.alice.email, token);
    const r = await runCli(['--email', bed.world.alice.email, '--eval', '1 + 1'], { ...bed.env, TOKEN_TTL: '1h' });
    expect(r.code).to.equal(3);
    expect(r.stdout).to.equal('');
    expect(r.stderr.trimEnd().split('\n'), r.stderr).to.have.length(1);
    expect(r.stderr).to.match(/^AuthError: the session of alice@epic\.events has expired: log in again/);
  });

  it('never asks the password for Tab on an expired session; Ctrl+C at the question returns to the prompt, the next evaluation asks again', async () => {
    const clock = path.join(bed.home, 'auth-clock-tab');
    const token = issueToken(CLI_JWT_SECRET, (await sessionFor(bed.world.alice.id)).actor, ctx().installation, 60);
    saveToken({ stateDir: bed.home }, bed.world.alice.email, token);
    const shell = await openShell(bed.world.alice, { TOKEN_TTL: '1h', ...authClockEnv(clock) });
    shiftChildClock(clock, 120); // past the token's minute, by the shell's auth clock

    // Node's own completer (which evaluates `Math`) and the shell's: both offer, neither asks.
    expect(await shell.completions('Math.', /\babs\b[\s\S]*Math\.$/)).not.to.match(/Password/);
    shell.send(KEY.ctrlU);
    expect(await shell.completions('clients.', /\blist\b[\s\S]*clients\.$/)).not.to.match(/Password/);
    shell.send(KEY.ctrlU);

    shell.sendLine('20 + 1');
    await shell.waitFor(/Session expired\. Password for alice@epic\.events: $/);
    shell.send(KEY.ctrlC);
    await shell.waitFor(/Interrupted[^\n]*\n[\s\S]*> $/);

    shell.sendLine('20 + 2');
    await shell.waitFor(/Session expired\. Password for alice@epic\.events: $/);
    shell.sendLine(FIXTURE_PASSWORD);
    await shell.waitFor(/\b22\b[\s\S]*> $/);
    expect(shell.output).not.to.include(FIXTURE_PASSWORD).and.not.to.match(/\b21\b/);
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
  });

  it('.load of a 1,000-line file stops at line 600, says so, keeps rows 1–599 and returns to the prompt', async () => {
    await loginAs(bed.world.alice);
    const before = (await fingerprint()).clients;
    const lines = Array.from({ length: 1000 }, (_, i) =>
      i + 1 === 600 ? "clients.create({fullName: 'Bad', email: 'not an email'})" : `clients.create({fullName: 'Batch ${i + 1}', email: 'batch${i + 1}@x.test'})`);
    const file = path.join(bed.home, 'batch.js');
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const shell = await openShell(bed.world.alice);
    shell.sendLine(`.load ${file}`);
    const out = await shell.waitFor(/batch\.js:600:[^\n]*\n[\s\S]*> $/, 40_000);
    expect(out).to.match(/batch\.js:600: ValidationError: [^\n]*email/);
    expect(out).to.match(/599 statements before it ran/);
    expect(shell.output).to.match(/load: \d+\/1000/); // progress on stderr, a terminal here
    expect((await fingerprint()).clients - before).to.equal(599);

    shell.sendLine('1 + 1');
    await shell.waitFor(/\b2\b[\s\S]*> $/);
  });

  it('Ctrl+C in code that never yields (Node stops it, on every version) says Interrupted as for a query, and the shell goes on', async () => {
    await loginAs(bed.world.alice);
    const shell = await openShell(bed.world.alice);
    shell.sendLine("print('spinning'); for (;;) {}");
    await shell.waitFor(/\nspinning\n/);
    shell.send(KEY.ctrlC);
    const out = await shell.waitFor(/Interrupted: cancelled \(Ctrl\+C\)[\s\S]*> $/);
    expect(out).not.to.match(/Script execution was interrupted/);
    shell.sendLine('1 + 1');
    await shell.waitFor(/\b2\b[\s\S]*> $/);
  });

  it('keeps history in a 0600 file without the line that typed a password', async () => {
    await loginAs(bed.world.manager);
    const shell = await openShell(bed.world.manager);
    shell.sendLine('whoami()');
    await shell.waitFor(/department: management[\s\S]*> $/);
    shell.sendLine("users.create({fullName: 'New Person', email: 'new.person@epic.events', department: 'sales', password: 'an-unguessable-secret-42'})");
    await shell.waitFor(/new\.person@epic\.events[\s\S]*> $/);
    shell.sendLine('clients.list()');
    await shell.waitFor(/rows?\)[\s\S]*> $/);
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);

    const file = path.join(bed.home, 'history');
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    const history = fs.readFileSync(file, 'utf8');
    expect(history.split('\n').filter(Boolean)).to.deep.equal(['whoami()', 'clients.list()']);
    expect(history).not.to.match(/password|an-unguessable-secret-42/);
  });

  it('colours headings on a terminal, and not at all with NO_COLOR', async () => {
    const bold = /\x1b\[1m/;
    await loginAs(bed.world.alice);
    const coloured = await openShell(bed.world.alice);
    coloured.sendLine('clients.list()');
    await coloured.waitFor(/\(2 rows\)[\s\S]*> $/);
    expect(coloured.rawOutput).to.match(bold);

    const plainShell = await openShell(bed.world.alice, { NO_COLOR: '1' });
    plainShell.sendLine('clients.list()');
    await plainShell.waitFor(/\(2 rows\)[\s\S]*> $/);
    expect(plainShell.rawOutput).not.to.match(/\x1b\[(1|2|3\d)m/);
  });

  it('Ctrl+C during a running evaluation returns to the prompt; twice at an empty prompt exits', async () => {
    await loginAs(bed.world.alice);
    const shell = await openShell(bed.world.alice);
    // 'waiting' shows once the statement's synchronous part is over: while it runs, Node's eval holds the
    // terminal out of raw mode, and a Ctrl+C sent the instant 'waiting' showed could arrive as a signal then.
    shell.sendLine("await null; print('waiting'); await new Promise((r) => setTimeout(r, 60000))");
    await shell.waitFor(/\nwaiting\n/);
    shell.send(KEY.ctrlC);
    await shell.waitFor(/Interrupted: cancelled \(Ctrl\+C\)[\s\S]*> $/);
    shell.sendLine('1 + 1');
    await shell.waitFor(/\b2\b[\s\S]*> $/);

    shell.send(KEY.ctrlC);
    await shell.waitFor(/press Ctrl\+C again/);
    shell.send(KEY.ctrlC);
    expect(await shell.exitCode()).to.equal(0);
  });

  it('passwordPrompt() asks the password hidden: it is in no line, no output and no history; .save is gone', async () => {
    await loginAs(bed.world.manager);
    const shell = await openShell(bed.world.manager);
    const secret = 'typed-unseen-passphrase-77';
    // A call that will be refused asks no password.
    const before = await fingerprint();
    shell.sendLine("users.create({fullName: 'New Person', email: 'not-an-email', department: 'sales', password: passwordPrompt()})");
    const refused = await shell.waitFor(/ValidationError: email[^\n]*\n[\s\S]*> $/);
    expect(refused).to.not.include('Password:');
    expect(await fingerprint()).to.deep.equal(before);

    // Asked twice, hidden, until both answers agree.
    shell.sendLine("users.create({fullName: 'New Person', email: 'new.person@epic.events', department: 'sales', password: passwordPrompt()})");
    await shell.waitFor(/Password: $/);
    shell.sendLine(secret);
    await shell.waitFor(/Password again: $/);
    shell.sendLine(`${secret}!`);
    await shell.waitFor(/The two passwords differ; try again\.\n[\s\S]*Password: $/);
    shell.sendLine(secret);
    await shell.waitFor(/Password again: $/);
    shell.sendLine(secret);
    await shell.waitFor(/new\.person@epic\.events[\s\S]*> $/);

    // Awaited at the prompt it could never be answered (Node holds the keys back): one line says how to write it.
    shell.sendLine('const pw = await passwordPrompt()');
    await shell.waitFor(/Error: passwordPrompt\(\) cannot be awaited at the prompt[^\n]*\n[\s\S]*> $/);
    // A leading await is dropped before other calls, never before this one (its answer is no result to print).
    shell.sendLine('await passwordPrompt()');
    await shell.waitFor(/Error: passwordPrompt\(\) cannot be awaited at the prompt[^\n]*\n[\s\S]*> $/);
    // Typed alone, it asks, and the answer is not printed.
    shell.sendLine('passwordPrompt()');
    await shell.waitFor(/Password: $/);
    shell.sendLine(`${secret}-alone`);
    await shell.waitFor(/Password again: $/);
    shell.sendLine(`${secret}-alone`);
    await shell.waitFor(/\(the password typed at passwordPrompt\(\): not shown\)\n[\s\S]*> $/);

    const saved = path.join(bed.home, 'session.js');
    shell.sendLine(`.save ${saved}`);
    await shell.waitFor(/Invalid REPL keyword[\s\S]*> $/);
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);

    expect(fs.existsSync(saved)).to.equal(false);
    expect(shell.rawOutput).not.to.include(secret);
    const history = fs.readFileSync(path.join(bed.home, 'history'), 'utf8');
    expect(history).to.include('password: passwordPrompt()');
    expect(history).not.to.include(secret);
    // The collaborator was created with the password typed.
    // (Accepted, then refused until they choose their own: a password management sets must be replaced.)
    const login = await runCli(['--email', 'new.person@epic.events', '--password-stdin'], bed.env, `${secret}\n`);
    expect(login.stderr).to.match(/was set by management and must be replaced/);
    const wrong = await runCli(['--email', 'new.person@epic.events', '--password-stdin'], bed.env, 'not the password typed\n');
    expect(wrong.stderr).to.match(/wrong email or password/);
  });

  it('two shells at once both keep their lines in the history', async () => {
    await loginAs(bed.world.alice);
    const one = await openShell(bed.world.alice);
    const two = await openShell(bed.world.alice);
    one.sendLine('1 + 1');
    await one.waitFor(/\b2\b[\s\S]*> $/);
    two.sendLine('2 + 2');
    await two.waitFor(/\b4\b[\s\S]*> $/);
    one.sendLine('3 + 3');
    await one.waitFor(/\b6\b[\s\S]*> $/);
    one.send(KEY.ctrlD);
    two.send(KEY.ctrlD);
    expect(await one.exitCode()).to.equal(0);
    expect(await two.exitCode()).to.equal(0);
    expect(fs.readFileSync(path.join(bed.home, 'history'), 'utf8').split('\n').filter(Boolean)).to.deep.equal(['1 + 1', '2 + 2', '3 + 3']);
  });
});
