/**
 * Stray faults through the built CLI: a throw in a timer, an unhandled
 * rejection or a failing toJSON in --eval, a script or piped input print one
 * line (the file, the line and how many statements ran) and exit 1, never a
 * Node stack; and any statement the REPL accepts
 * works in a script (await (…), for await, destructuring declarations).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { FIXTURE_PASSWORD } from '../support/fixtures.js';
import { cliTestbed, runCli, type CliResult } from '../support/cli.js';

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
