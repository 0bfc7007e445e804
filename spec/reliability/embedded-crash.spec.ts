/**
 * Reliability 28.1: one backend of the embedded server dies (kill -9, as the
 * OOM killer does) under a running batch. PostgreSQL goes through crash
 * recovery while the batch's shell, its last user, stops it; a fast shutdown
 * at that moment may hang for good (postmaster.pid at `stopping`). The
 * server must end up stopped, and the next call must find it usable.
 * (Before the fix: the shell left after pg_ctl's 30 s, the server stuck;
 * every later call waited and failed with "try again in a moment".)
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedServer } from '../../lib/db/embedded/index.js';
import { killAll, runCli, startCli } from '../support/cli.js';
import { until } from '../support/until.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The client backends (not the server's own processes) of the postmaster of `dataDir`. */
export function clientBackends(dataDir: string): number[] {
  let postmaster: number;
  try {
    postmaster = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return [];
  }
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (ppid === postmaster && /^postgres: \S+ \S+ 127\.0\.0\.1\(/.test(cmd)) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

describe('reliability: a backend of the embedded server killed under a running batch', function () {
  this.timeout(240_000);
  let home: string;
  let env: NodeJS.ProcessEnv;

  before(function () {
    if (os.platform() !== 'linux') this.skip(); // finds the backend through /proc
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-backend-crash-'));
    env = { EPIC_EVENTS_NO_DOTENV: '1', EPIC_EVENTS_HOME: home, EMBEDDED_IDLE: '0', BCRYPT_ROUNDS: '4', PATH: process.env.PATH, HOME: process.env.HOME };
  });
  afterEach(() => killAll());
  after(async () => {
    if (!home) return;
    await new EmbeddedServer(home).stop(); // whatever state a failure left it in
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('leaves the server stopped, not stuck at "stopping", and the next call and setup work', async () => {
    const dataDir = path.join(home, 'postgres', 'data');
    const pidFile = path.join(dataDir, 'postmaster.pid');
    const first = await runCli(['--demo', 'sales', '--eval', '1'], env, '', 120_000);
    expect(first.code, first.stderr).to.equal(0);

    const batch = path.join(home, 'batch.js');
    fs.writeFileSync(batch, 'clients.list()\n'.repeat(20_000));
    const run = startCli(['--demo', 'sales', batch], env);
    let victims: number[] = [];
    const deadline = Date.now() + 60_000;
    while (victims.length === 0) {
      if (Date.now() > deadline || run.child.exitCode !== null) throw new Error('the batch never connected');
      await sleep(50);
      victims = clientBackends(dataDir);
    }
    await sleep(300); // well into the batch
    // The backend dies (as under the OOM killer) and the shell leaves at once
    // (its terminal closed, or the error ending it): it stops the server in
    // the middle of the crash recovery — the moment a fast shutdown can hang.
    // A backend seen a moment ago may have ended since (a session check's own
    // connection): kill one alive now.
    const killedOne = () => clientBackends(dataDir).some((pid) => {
      try {
        process.kill(pid, 'SIGKILL');
        return true;
      } catch {
        return false;
      }
    });
    while (!killedOne()) {
      if (Date.now() > deadline || run.child.exitCode !== null) throw new Error('no backend of the batch to kill');
      await sleep(20);
    }
    run.child.kill('SIGTERM');
    const killed = await run.done;
    expect(killed.code, 'the batch fails').to.not.equal(0);

    // The batch's shell was the last user: the server is not left stopping.
    // Either the shell stopped it (the pid file goes: a fast shutdown it asked
    // for may still be finishing on a loaded machine), or the SIGTERM came
    // while a statement of the batch ran synchronously, when the process ends
    // as any process does (lib/shell/signals.ts) and leaves the server ready
    // with a dead lease, which the next user prunes. Stuck at `stopping` is
    // what must never be (the bound: the shell's escalation, 20 s fast, 5 s,
    // immediate, kill -9).
    const status = () => (fs.existsSync(pidFile) ? (fs.readFileSync(pidFile, 'utf8').split('\n').at(7) ?? '?').trim() : 'gone');
    await until(() => ['gone', 'ready'].includes(status()), `the server stopped or ready after the batch's shell left (shell's stderr: ${killed.stderr.slice(-300)})`, 45_000, 100)
      .catch((err: Error) => {
        throw new Error(`${err.message}; postmaster.pid says: ${status()}`);
      });
    const next = await runCli(['--demo', 'sales', '--eval', 'whoami().email'], env, '', 60_000);
    expect(next.code, next.stderr).to.equal(0);
    expect(next.stdout).to.include('demo.epic.events');
    const setup = await runCli(['setup'], env, '', 60_000);
    expect(setup.code, setup.stderr).to.equal(0);
    expect(fs.existsSync(pidFile), 'stopped after the last call').to.equal(false);
  });
});
