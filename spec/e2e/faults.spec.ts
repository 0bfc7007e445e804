/**
 * Stray faults through the built CLI: a throw in a timer, an unhandled
 * rejection or a failing toJSON in --eval, a script or piped input print one
 * line (the file, the line and how many statements ran) and exit 1, never a
 * Node stack — whichever way the fault comes (the process's events, or Node's
 * REPL that ran a statement with await), even after the batch has ended; at
 * the prompt one line and the prompt. And any statement the REPL accepts
 * works in a script (await (…), for await, destructuring declarations).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { FIXTURE_PASSWORD } from '../support/fixtures.js';
import { cliTestbed, runCli, type CliResult } from '../support/cli.js';
import { KEY, PtySession } from '../support/pty.js';

describe('e2e: stray faults are one line', function () {
  this.timeout(60_000);
  const bed = cliTestbed('epic-e2e-faults-');

  const cli = (args: string[], input = ''): Promise<CliResult> => runCli(args, bed.env, input);
  const loggedIn = async () => {
    const r = await cli(['--email', bed.world.alice.email, '--password-stdin'], `${FIXTURE_PASSWORD}\n`);
    expect(r.code, r.stderr).to.equal(0);
  };
  const oneLine = (r: CliResult, pattern: RegExp) => {
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stderr.endsWith('\n') && r.stderr.split('\n').length === 2, JSON.stringify(r.stderr)).to.equal(true);
    expect(r.stderr).to.match(pattern);
    expect(r.stderr).not.to.match(/\n\s+at |node:internal/);
  };

  it('--eval: a throw in a timer after the result prints one line and exits 1', async () => {
    await loggedIn();
    const r = await cli(['--eval', "setTimeout(() => { throw new Error('late') }, 10); 1"]);
    expect(r.stdout).to.equal('1\n');
    oneLine(r, /^(--eval:1: Error: late \(stopped (there; \d+ statements before it|after it; \d+ statements) ran\)|Error: late)\n$/);
  });

  it('--eval: an unhandled rejection prints one line and exits 1', async () => {
    await loggedIn();
    oneLine(await cli(['--eval', "void Promise.reject(new TypeError('nobody awaited me')); 2"]), /^(--eval:1: TypeError: nobody awaited me \(stopped (there; \d+ statements before it|after it; \d+ statements) ran\)|TypeError: nobody awaited me)\n$/);
  });

  it('--eval --json: a toJSON that throws prints one line and exits 1', async () => {
    await loggedIn();
    oneLine(await cli(['--json', '--eval', "({toJSON() { throw new RangeError('no JSON') }})"]), /^--eval:1: RangeError: no JSON \(stopped there; 0 statements before it ran\)\n$/);
  });

  it('a script: a throw in a timer stops it with one line, exit 1, the rest not run', async () => {
    await loggedIn();
    const file = path.join(bed.home, 'timer.js');
    fs.writeFileSync(file, "setTimeout(() => { throw new Error('late') }, 0)\nawait new Promise((r) => setTimeout(r, 200))\nprint('after')\n");
    const r = await cli([file]);
    oneLine(r, /timer\.js:\d: Error: late \(stopped (there; \d+ statements before it|after it; \d+ statements) ran\)\n$/);
    expect(r.stdout).not.to.include('after');
  });

  it('piped input: an unhandled rejection stops it with one line, exit 1', async () => {
    await loggedIn();
    const r = await cli([], "print('first')\nvoid Promise.reject(new Error('dropped'))\nawait new Promise((r) => setTimeout(r, 200))\nprint('after')\n");
    oneLine(r, /^<stdin>:\d: Error: dropped \(stopped (there; \d+ statements before it|after it; \d+ statements) ran\)\n$/);
    expect(r.stdout).to.equal('first\n');
  });

  /** The fault's one line: stopped at a statement of `file`, or bare once the batch has ended. */
  const faultLine = (file: string, what: string) =>
    new RegExp(`^(${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: ${what} \\(stopped (there; \\d+ statements before it|after it; \\d+ statements) ran\\)|${what})\n$`);

  it("--eval: a throw in a timer, with no statement after it, prints one line and exits 1", async () => {
    await loggedIn();
    oneLine(await cli(['--eval', 'setTimeout(() => { throw new Error("boom") }, 0)']), faultLine('--eval', 'Error: boom'));
  });

  it("--eval: a throw in a timer set by a statement with await (Node's REPL ran it) prints one line and exits 1", async () => {
    await loggedIn();
    oneLine(await cli(['--eval', 'await 1; setTimeout(() => { throw new Error("boom") }, 0)']), faultLine('--eval', 'Error: boom'));
  });

  it("--eval: a rejected promise nobody awaited, in a statement with await, prints one line and exits 1", async () => {
    await loggedIn();
    oneLine(await cli(['--eval', "await 1; void Promise.reject(new TypeError('nobody awaited me'))"]), faultLine('--eval', 'TypeError: nobody awaited me'));
  });

  it('--eval: a throw in a microtask the statement queued fails it, though its value was ready', async () => {
    await loggedIn();
    const r = await cli(['--eval', "queueMicrotask(() => { throw new Error('micro') }); 1"]);
    oneLine(r, /^--eval:1: Error: micro \(stopped there; 0 statements before it ran\)\n$/);
    expect(r.stdout).to.equal('');
  });

  it('--eval: a thrown value whose name cannot be read is still one line, never a stack', async () => {
    await loggedIn();
    oneLine(await cli(['--eval', "setTimeout(() => { throw { get name() { throw new Error('evil') }, message: 'm' } }, 0); 1"]), /^Uncaught: a thrown value that cannot be read[^\n]*\n$/);
  });

  it("a script: a throw in a timer set by its last statement, one with await, prints one line and exits 1", async () => {
    await loggedIn();
    const file = path.join(bed.home, 'late.js');
    fs.writeFileSync(file, "print('first')\nawait new Promise((r) => setTimeout(r, 1)); setTimeout(() => { throw new Error('late') }, 20)\n");
    const r = await cli([file]);
    oneLine(r, faultLine(file, 'Error: late'));
    expect(r.stdout).to.equal('first\n');
  });

  it('a loaded script: a throw in a timer it set prints one line and exits 1', async () => {
    await loggedIn();
    const file = path.join(bed.home, 'loaded.js');
    fs.writeFileSync(file, "setTimeout(() => { throw new Error('from the loaded file') }, 20)\n");
    oneLine(await cli(['--eval', `await load(${JSON.stringify(file)})`]), /^(--eval:1: |[^\n]*loaded\.js:1: )?Error: from the loaded file( \(stopped [^\n]*\))?\n$/);
  });

  it('the REPL: each fault nobody awaited is one line and the prompt, never a stack; the shell goes on and exits 0', async () => {
    await loggedIn();
    const prompt = /epic\(sales:alice@epic\.events\)> $/;
    const shell = PtySession.start(['--email', bed.world.alice.email], bed.env);
    await shell.waitFor(prompt);
    const faults: Array<[string, RegExp]> = [
      ['setTimeout(() => { throw new Error("boom") }, 0)', /\nError: boom\n|> Error: boom\n/],
      ['await 1; setTimeout(() => { throw new Error("after await") }, 0)', /Error: after await\n/],
      ["await 1; void Promise.reject(new TypeError('nobody awaited me'))", /TypeError: nobody awaited me\n/],
      ["queueMicrotask(() => { throw new Error('micro') }); 1", /Error: micro\n/],
      ["setTimeout(() => { throw { get name() { throw new Error('evil') }, message: 'm' } }, 0); 1", /Uncaught: a thrown value that cannot be read[^\n]*\n/],
    ];
    for (const [line, fault] of faults) {
      shell.sendLine(line);
      const out = await shell.waitFor(new RegExp(`${fault.source}[\\s\\S]*${prompt.source}`));
      expect(out).not.to.match(/\n\s+at |node:internal|Uncaught Error/);
    }
    shell.sendLine('40 + 2');
    await shell.waitFor(/\b42\b[\s\S]*> $/);
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
    expect(shell.output).not.to.match(/\n\s+at /);
  });

  it('a script runs what the REPL runs: await (…), for await, destructuring declarations', async () => {
    await loggedIn();
    const file = path.join(bed.home, 'statements.js');
    fs.writeFileSync(file, [
      `const c = await (clients.get(${bed.world.clientA}))`,
      'print(c.fullName)',
      `const {fullName, email} = await clients.get(${bed.world.clientB})`,
      'print(fullName, email)',
      'let [first, second] = [1, 2]',
      'for await (const n of [Promise.resolve(first), second]) print(n)',
      '',
    ].join('\n'));
    const r = await cli([file]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal('Client of Alice\nClient of Bob b@client.test\n1\n2\n');
    expect(r.stderr).to.equal('');
  });
});
