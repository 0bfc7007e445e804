/**
 * Reliability 6: the embedded server and the state directory under faults.
 * Stale postmaster.pid and a taken port are in spec/db/embedded/index.spec.ts; here:
 * a postmaster.pid naming a live process that is not PostgreSQL (pid reuse
 * after a crash), a state directory that cannot exist (a file in the way), a
 * read-only file system and a full one. Tests run as root in CI, where chmod
 * stops nothing: read-only and full are real tmpfs mounts (mount is tried;
 * where the runner may not mount, those two are skipped and say so).
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedServer } from '../../lib/db/embedded/index.js';
import { AdminConnection } from '../../lib/db/index.js';
import { FIXTURE_PASSWORD, addUser } from '../support/fixtures.js';
import { cliEnv, runCli } from '../support/cli.js';
import { mountTmpfs } from '../support/tmpfs.js';
import { ctx, resetData } from '../support/server.js';

/** Fill a file system until a write fails with ENOSPC. */
function fill(dir: string): void {
  const chunk = Buffer.alloc(4096, 1);
  const fd = fs.openSync(path.join(dir, 'ballast'), 'w');
  try {
    for (;;) fs.writeSync(fd, chunk);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  } finally {
    fs.closeSync(fd);
  }
  // Smaller writes may still fit in the last block: fill those too.
  const fd2 = fs.openSync(path.join(dir, 'ballast2'), 'w');
  try {
    for (;;) fs.writeSync(fd2, Buffer.alloc(1, 1));
  } catch {
    // full
  } finally {
    fs.closeSync(fd2);
  }
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines, stderr).to.have.length(1);
  return lines[0];
}

describe('reliability: embedded server and state directory faults', function () {
  this.timeout(120_000);
  beforeEach(resetData);

  it('starts the server when postmaster.pid names a live process that is not PostgreSQL (pid reused after a crash)', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-pidreuse-'));
    const server = new EmbeddedServer(stateDir, { durable: false });
    try {
      const first = await server.acquire();
      await first.release();
      const dataDir = path.join(stateDir, 'postgres', 'data');
      // Our own pid: alive, and not a postmaster.
      fs.writeFileSync(path.join(dataDir, 'postmaster.pid'), `${process.pid}\n${dataDir}\n`);
      const lease = await server.acquire();
      const conn = await AdminConnection.open({ host: lease.host, port: lease.port, database: 'postgres', user: 'postgres', password: lease.state.superuserPassword }, 5000);
      await conn.close();
      await lease.release();
      expect(server.isRunning()).to.equal(false);
    } finally {
      await server.stop();
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('says in one line that the state directory cannot be used when a file is in its way (embedded and external database)', async () => {
    const blocker = path.join(ctx().tmpDir, `not-a-directory-${process.pid}`);
    fs.writeFileSync(blocker, 'a file where a directory should be');
    const stateDir = path.join(blocker, 'state');
    const demo = await runCli(['--demo', 'sales', '--eval', '1'], { PATH: process.env.PATH, HOME: ctx().tmpDir, EPIC_EVENTS_HOME: stateDir, EPIC_EVENTS_NO_DOTENV: '1' });
    expect(demo.code).to.equal(2);
    expect(oneLine(demo.stderr)).to.equal(`ConfigError: the state directory ${stateDir} cannot be used: a file is in the way (part of the path is not a directory) (set EPIC_EVENTS_HOME to a writable directory)`);

    const alice = await addUser('Alice Sales', 'alice@epic.events', 'sales');
    const login = await runCli(['--email', alice.email, '--password-stdin'], cliEnv(ctx().target.admin, stateDir), `${FIXTURE_PASSWORD}\n`);
    expect(login.code).to.equal(2);
    expect(oneLine(login.stderr)).to.match(/^ConfigError: the state directory .* cannot be used: a file is in the way/);
  });

  it('says in one line that the state directory is on a read-only file system (even as root)', async function () {
    const mount = mountTmpfs('1m', true);
    if (!mount) this.skip(); // this runner may not mount a file system
    try {
      const alice = await addUser('Alice Sales', 'alice@epic.events', 'sales');
      const login = await runCli(['--email', alice.email, '--password-stdin'], cliEnv(ctx().target.admin, path.join(mount!.dir, 'state')), `${FIXTURE_PASSWORD}\n`);
      expect(login.code).to.equal(2);
      expect(oneLine(login.stderr)).to.match(/^ConfigError: the state directory .* cannot be used: it is on a read-only file system/);
    } finally {
      mount?.unmount();
    }
  });

  it('says in one line that the disk is full when the state directory has no space left', async function () {
    const mount = mountTmpfs('256k');
    if (!mount) this.skip();
    try {
      const stateDir = path.join(mount!.dir, 'state');
      fs.mkdirSync(stateDir);
      fill(mount!.dir);
      const alice = await addUser('Alice Sales', 'alice@epic.events', 'sales');
      const login = await runCli(['--email', alice.email, '--password-stdin'], cliEnv(ctx().target.admin, stateDir), `${FIXTURE_PASSWORD}\n`);
      expect(login.code).to.equal(2);
      expect(oneLine(login.stderr)).to.match(/^ConfigError: the state directory .* cannot be used: the disk is full/);
    } finally {
      mount?.unmount();
    }
  });

  it('reports a full disk during the embedded server\'s first start in one line, and leaves no half-made data directory', async function () {
    const mount = mountTmpfs('2m');
    if (!mount) this.skip();
    try {
      const stateDir = path.join(mount!.dir, 'state');
      const run = await runCli(['--demo', 'sales', '--eval', '1'], { PATH: process.env.PATH, HOME: ctx().tmpDir, EPIC_EVENTS_HOME: stateDir, EPIC_EVENTS_NO_DOTENV: '1' });
      expect(run.code).to.not.equal(0);
      expect(oneLine(run.stderr)).to.equal('DatabaseUnavailable: initdb failed: the disk is full (no space left on the device)');
      expect(fs.existsSync(path.join(stateDir, 'postgres', 'data'))).to.equal(false);
    } finally {
      mount?.unmount();
    }
  });
});
