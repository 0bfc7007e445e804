/**
 * `epic-events --demo` on a fresh state directory, without DATABASE_URL: the
 * CLI starts its own embedded server, loads the demo data once and logs in as
 * the department's demo collaborator.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { KEY, PtySession } from '../support/pty.js';
import { killAll, runCli } from '../support/cli.js';
import { packageRoot } from '../../lib/platform/paths.js';

describe('e2e: --demo on the embedded database', function () {
  this.timeout(120_000);
  let home: string;
  let env: NodeJS.ProcessEnv;

  // One fresh home for both tests: the first run pays for initdb and the demo data.
  before(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-e2e-demo-'));
    env = { EPIC_EVENTS_NO_DOTENV: '1', EPIC_EVENTS_HOME: home, EMBEDDED_IDLE: '0', BCRYPT_ROUNDS: '4', PATH: process.env.PATH, HOME: process.env.HOME, TERM: 'xterm' };
  });
  afterEach(() => killAll());
  after(() => fs.rmSync(home, { recursive: true, force: true }));

  it('--demo sales --eval prints the spec’s sample client Kevin Casey on a fresh state directory', async () => {
    const r = await runCli(['--demo', 'sales', '--eval', 'clients.list()'], env, '', 110_000);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/Kevin Casey/);
  });

  it('--demo DEPT --reset puts the demo data back; --reset alone is refused', async () => {
    const added = await runCli(['--demo', 'sales', '--eval', "clients.create({fullName: 'Temp Client', email: 'temp@example.org'})"], env, '', 110_000);
    expect(added.code, added.stderr).to.equal(0);
    const count = async (args: string[]) => {
      const r = await runCli([...args, '--demo', 'sales', '--eval', "clients.count({search: 'Temp Client'})"], env, '', 110_000);
      expect(r.code, r.stderr).to.equal(0);
      return r;
    };
    expect((await count([])).stdout).to.equal('1\n');
    const reset = await count(['--reset']);
    expect(reset.stdout).to.equal('0\n');
    expect(reset.stderr).to.include('Demo data put back as it was first loaded.');
    const alone = await runCli(['--reset', '--eval', '1'], env);
    expect(alone.code).to.not.equal(0);
    expect(alone.stderr).to.include('--reset puts the demo data back: it goes with --demo DEPARTMENT');
  });

  it('--demo sales opens a working shell that says it is a demo, and Ctrl+D leaves it cleanly', async () => {
    const shell = PtySession.start(['--demo', 'sales'], env);
    const start = await shell.waitFor(/epic\(sales:[^)]+\)> $/, 60_000);
    expect(start).to.match(/DEMO/);
    shell.sendLine("clients.list({search: 'Casey'})");
    await shell.waitFor(/Kevin Casey[\s\S]*> $/);
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode(30_000)).to.equal(0);
  });

  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`stops the embedded server when the shell is ended by ${signal} (a closed terminal, a kill)`, async () => {
      const pidFile = path.join(home, 'postgres', 'data', 'postmaster.pid');
      // stdin left open: the shell is waiting for its input when the signal comes.
      const child = spawn(process.execPath, [path.join(packageRoot, 'bin', 'epic-events.js'), '--demo', 'sales'], { env, stdio: ['pipe', 'ignore', 'ignore'] });
      try {
        const deadline = Date.now() + 60_000;
        while (!fs.existsSync(pidFile) || fs.readdirSync(path.join(home, 'postgres', 'leases')).length === 0) {
          if (Date.now() > deadline) throw new Error('the shell did not take the server');
          await new Promise((r) => setTimeout(r, 50));
        }
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        child.kill(signal);
        expect(await exited).to.equal(signal === 'SIGHUP' ? 129 : 143);
        expect(fs.existsSync(pidFile), 'server stopped').to.equal(false);
      } finally {
        child.kill('SIGKILL');
      }
    });
  }
});
