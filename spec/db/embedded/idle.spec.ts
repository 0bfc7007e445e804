/**
 * The embedded server that lingers (idleSeconds, EMBEDDED_IDLE): it keeps
 * running after its last user left, a watcher process stops it once the idle
 * time has passed, and the lease rules hold meanwhile — a user joining while
 * it is about to stop, a crash while idle, `stop` while it is in use.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EmbeddedServer } from '../../../lib/db/embedded/index.js';
import { AdminConnection } from '../../../lib/db/index.js';
import { pidAlive } from '../../../lib/platform/locks.js';
import { until } from '../../support/until.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function reachable(port: number, password: string): Promise<boolean> {
  try {
    const c = await AdminConnection.open({ host: '127.0.0.1', port, database: 'postgres', user: 'postgres', password }, 3000, 0);
    await c.close();
    return true;
  } catch {
    return false;
  }
}

describe('embedded PostgreSQL: lingering after its last user (EMBEDDED_IDLE)', function () {
  this.timeout(120_000);
  const IDLE = 2;
  let stateDir: string;
  let server: EmbeddedServer;
  const postmaster = () => Number(fs.readFileSync(path.join(stateDir, 'postgres', 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);

  beforeEach(() => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-idle-'));
    server = new EmbeddedServer(stateDir, { durable: false, idleSeconds: IDLE });
  });
  afterEach(async () => {
    await server.stop(); // ends the watcher too: no lingering server outlives a test
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('keeps running after the last user left, then stops by itself after the idle time, its watcher gone', async () => {
    const lease = await server.acquire();
    await lease.release();
    expect(server.isRunning(), 'lingering').to.equal(true);
    const watcher = server.idleWatcher();
    expect(watcher, 'a watcher').to.be.a('number');
    expect(await reachable(lease.port, lease.state.superuserPassword)).to.equal(true);
    await until(() => !server.isRunning(), 'stopped after its idle time', 30_000, 100);
    await until(() => !pidAlive(watcher!), 'watcher gone', 30_000, 100);
    expect(server.idleWatcher()).to.equal(undefined);
  });

  it('is found up by the next user (same postmaster), is not stopped under it past the deadline, and lingers again after it', async () => {
    const first = await server.acquire();
    const pm = postmaster();
    await first.release();
    const second = await server.acquire();
    expect(postmaster(), 'not restarted').to.equal(pm);
    await sleep((IDLE + 1.5) * 1000);
    expect(server.isRunning(), 'held past the deadline').to.equal(true);
    expect(await reachable(second.port, second.state.superuserPassword)).to.equal(true);
    await second.release();
    expect(server.isRunning(), 'lingering again').to.equal(true);
    await until(() => !server.isRunning(), 'stopped after its idle time', 30_000, 100);
  });

  it('a user joining at the moment it is stopped gets a working server that stays up while held', async () => {
    for (const offset of [IDLE * 1000 - 150, IDLE * 1000, IDLE * 1000 + 100, IDLE * 1000 + 400]) {
      const lease = await server.acquire();
      await lease.release();
      await sleep(offset);
      const joined = await server.acquire();
      expect(await reachable(joined.port, joined.state.superuserPassword), `joined ${offset} ms after`).to.equal(true);
      await sleep(800);
      expect(server.isRunning(), `held, joined ${offset} ms after`).to.equal(true);
      expect(await reachable(joined.port, joined.state.superuserPassword)).to.equal(true);
      await joined.release();
    }
  });

  it('a crash while idle: the next user starts it again, and it lingers and stops as before', async () => {
    const lease = await server.acquire();
    await lease.release();
    const pm = postmaster();
    process.kill(pm, 'SIGKILL');
    await until(() => !pidAlive(pm), 'postmaster dead', 30_000, 100);
    const again = await server.acquire();
    expect(await reachable(again.port, again.state.superuserPassword)).to.equal(true);
    await again.release();
    expect(server.isRunning(), 'lingering').to.equal(true);
    await until(() => !server.isRunning(), 'stopped after its idle time', 30_000, 100);
  });

  it('stopNow (epic-events stop) stops a lingering server and its watcher, and refuses (changing nothing) while it is in use', async () => {
    const lease = await server.acquire();
    const refused = await server.stopNow();
    expect(refused).to.deep.equal([process.pid]);
    expect(await reachable(lease.port, lease.state.superuserPassword)).to.equal(true);
    await lease.release();
    const watcher = server.idleWatcher();
    expect(watcher).to.be.a('number');
    expect(await server.stopNow()).to.equal('stopped');
    expect(server.isRunning()).to.equal(false);
    await until(() => !pidAlive(watcher!), 'watcher gone', 5000, 100);
    expect(await server.stopNow()).to.equal('not-running');
  });

  it('with idleSeconds 0 (EMBEDDED_IDLE=0) the last user stops it at once, with no watcher', async () => {
    const now = new EmbeddedServer(stateDir, { durable: false, idleSeconds: 0 });
    const lease = await now.acquire();
    await lease.release();
    expect(now.isRunning()).to.equal(false);
    expect(now.idleWatcher()).to.equal(undefined);
  });
});
