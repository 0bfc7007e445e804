/**
 * A loaded script that never yields (`while (true) {}`) stops as a typed line
 * does: Ctrl+C brings the prompt back (`.load`, `load()` under a real
 * pseudo-terminal); a script file or piped input ends with 130 on SIGINT; on
 * the embedded server (whose lease the process holds, with SIGTERM and SIGHUP
 * listeners to give it back) SIGTERM ends it with 143 and SIGHUP with 129, and
 * the server is usable afterwards. Each case waits for the loop to have
 * started (a line printed just before it), never for a duration.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedServer } from '../../lib/db/embedded/index.js';
import type { Actor } from '../../lib/domain/actor.js';
import { FIXTURE_PASSWORD } from '../support/fixtures.js';
import { CLI_JWT_SECRET, cliTestbed, killAll, runCli, startCli, type CliRun } from '../support/cli.js';
import { KEY, PtySession } from '../support/pty.js';
import { vmTraceEnv } from '../support/vm-trace.js';

/** `looping` is printed by the statement that loops: once it shows, the loop runs (no race with the signal). */
const ENDLESS = "// never ends\nprint('looping'); while (true) {}\nprint('never')\n";

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const promptOf = (actor: Actor) => new RegExp(`epic\\(${actor.department}:${escape(actor.email)}\\)> $`);

/** Wait until the run has printed `looping` (its loop is running). */
async function looping(run: CliRun): Promise<void> {
  let out = '';
  await new Promise<void>((resolve, reject) => {
    run.child.stdout?.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      if (out.includes('looping\n')) resolve();
    });
    run.child.once('exit', () => reject(new Error(`exited before looping: ${out}`)));
  });
}

describe('reliability: an endless loaded script stops', function () {
  this.timeout(90_000);

  describe('on the test server', () => {
    const bed = cliTestbed('epic-endless-');
    let file: string;

    beforeEach(async () => {
      file = path.join(bed.home, 'inf.js');
      fs.writeFileSync(file, ENDLESS);
      const r = await runCli(['--email', bed.world.alice.email, '--password-stdin'], bed.env, `${FIXTURE_PASSWORD}\n`);
      expect(r.code, r.stderr).to.equal(0);
    });

    for (const how of ['.load', 'load()'] as const) {
      it(`${how} at the prompt: Ctrl+C brings the prompt back, and the shell goes on`, async () => {
        const alice = bed.world.alice;
        const shell = PtySession.start(['--email', alice.email], bed.env);
        await shell.waitFor(promptOf(alice));
        shell.sendLine(how === '.load' ? `.load ${file}` : `load(${JSON.stringify(file)})`);
        await shell.waitFor(/\nlooping\n/);
        shell.send(KEY.ctrlC);
        const out = await shell.waitFor(/Interrupted[^\n]*\n[\s\S]*> $/);
        expect(out).to.match(/inf\.js:2: Interrupted: cancelled \(Ctrl\+C\) \(stopped there; 0 statements before it ran\)/);
        expect(out).not.to.include('never');
        shell.sendLine('whoami().email');
        await shell.waitFor(new RegExp(`${escape(alice.email)}[\\s\\S]*> $`));
        shell.send(KEY.ctrlD);
        expect(await shell.exitCode(), shell.rawOutput).to.equal(0);
      });
    }

    it('a script file on a terminal: Ctrl+C ends it with exit code 130', async () => {
      const shell = PtySession.start(['--email', bed.world.alice.email, file], bed.env);
      await shell.waitFor(/looping\n/);
      shell.send(KEY.ctrlC);
      expect(await shell.exitCode()).to.equal(130);
      expect(shell.output).to.match(/inf\.js:2: Interrupted: cancelled \(Ctrl\+C\)/);
    });

    it('plain statements run without the watchdog; an endless one after them still runs under it: SIGINT ends the script with 130', async () => {
      // lib/shell/plain-calls.ts: the shell's methods on literals need no watchdog, and once a statement is not plain, none goes without.
      const plainFirst = path.join(bed.home, 'plain-first.js');
      fs.writeFileSync(plainFirst, `const me = whoami();\nclients.list({mine: true});\nprint(me.email);\n${ENDLESS}`);
      const trace = path.join(bed.home, 'vm-trace');
      const run = startCli(['--email', bed.world.alice.email, plainFirst], { ...bed.env, ...vmTraceEnv(trace) });
      await looping(run);
      run.child.kill('SIGINT');
      const r = await run.done;
      expect(r.code, r.stderr).to.equal(130);
      expect(r.stdout).to.include(bed.world.alice.email);
      expect(r.stdout).not.to.include('never');
      // The script's statements are the last four runs (the first: the context's own set-up, lib/shell/batch.ts).
      expect(fs.readFileSync(trace, 'utf8').trim().split('\n').slice(-4)).to.deep.equal(['plain', 'plain', 'plain', 'guarded']);
    });

    it('statements that differ only in their literals run by one shape: five print(n) lines make one vm run, in order', async () => {
      // lib/shell/shapes.ts: the shape print(L[0]) is compiled and made a function once; each line calls it with its number.
      const five = path.join(bed.home, 'five.js');
      fs.writeFileSync(five, [1, 2, 3, 4, 5].map((n) => `print(${n});`).join('\n'));
      const trace = path.join(bed.home, 'vm-trace-five');
      const run = startCli(['--email', bed.world.alice.email, five], { ...bed.env, ...vmTraceEnv(trace) });
      const r = await run.done;
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout.trim().split('\n')).to.deep.equal(['1', '2', '3', '4', '5']);
      // The context's own set-up (lib/shell/batch.ts), then the shape's one run.
      expect(fs.readFileSync(trace, 'utf8').trim().split('\n')).to.deep.equal(['plain', 'plain']);
    });

    it('a script file and piped input: SIGINT ends them with exit code 130', async () => {
      for (const start of [() => startCli(['--email', bed.world.alice.email, file], bed.env), () => startCli(['--email', bed.world.alice.email], bed.env, ENDLESS)]) {
        const run = start();
        await looping(run);
        run.child.kill('SIGINT');
        const r = await run.done;
        expect(r.code, r.stderr).to.equal(130);
        expect(r.stderr).to.match(/:2: Interrupted: cancelled \(Ctrl\+C\)/);
        expect(r.stdout).not.to.include('never');
      }
    });
  });

  describe('on the embedded server (the process holds its lease)', () => {
    const EMAIL = 'endless-admin@epic.events';
    const PASSWORD = 'endless admin password 42';
    let home: string;
    let env: NodeJS.ProcessEnv;

    before(async function () {
      this.timeout(180_000);
      home = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-endless-embedded-'));
      env = {
        PATH: process.env.PATH, HOME: home, EPIC_EVENTS_HOME: home, EPIC_EVENTS_NO_DOTENV: '1', EMBEDDED_IDLE: '0',
        BCRYPT_ROUNDS: '4', JWT_SECRET: CLI_JWT_SECRET, ADMIN_EMAIL: EMAIL, ADMIN_PASSWORD: PASSWORD,
      };
      const r = await runCli(['--email', EMAIL, '--password-stdin'], env, `${PASSWORD}\n`, 170_000);
      expect(r.code, r.stderr).to.equal(0);
      fs.writeFileSync(path.join(home, 'inf.js'), ENDLESS);
    });
    afterEach(killAll);
    after(async () => {
      await new EmbeddedServer(home).stop();
      fs.rmSync(home, { recursive: true, force: true });
    });

    for (const [signal, code] of [['SIGTERM', 143], ['SIGHUP', 129]] as const) {
      it(`${signal} ends a script in an endless loop (${code}); the next command works`, async () => {
        const run = startCli(['--email', EMAIL, path.join(home, 'inf.js')], env);
        await looping(run);
        run.child.kill(signal);
        const r = await run.done;
        expect(r.code === code || r.signal === signal, `exit ${r.code} / ${r.signal}: ${r.stderr}`).to.equal(true);
        const after = await runCli(['--json', '--eval', 'whoami()'], env);
        expect(after.code, after.stderr).to.equal(0);
        expect(JSON.parse(after.stdout).email).to.equal(EMAIL);
      });
    }
  });
});
