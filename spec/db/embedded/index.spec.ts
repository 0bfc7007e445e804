import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbeddedServer } from '../../../lib/db/embedded/index.js';
import { AdminConnection } from '../../../lib/db/index.js';
import { until } from '../../support/until.js';

const holder = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'support', 'hold-embedded.js');

function hold(stateDir: string): Promise<{ child: ChildProcess; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [holder, stateDir], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve({ child, port: JSON.parse(out).port });
    });
    child.on('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
}

async function reachable(port: number, password: string): Promise<boolean> {
  try {
    const c = await AdminConnection.open({ host: '127.0.0.1', port, database: 'postgres', user: 'postgres', password }, 2000);
    await c.close();
    return true;
  } catch {
    return false;
  }
}

describe('embedded PostgreSQL', function () {
  this.timeout(90_000);
  let stateDir: string;
  let server: EmbeddedServer;

  before(() => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-embedded-'));
    server = new EmbeddedServer(stateDir, { durable: false });
  });
  after(async () => {
    await server.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('initialises on first use, listens on 127.0.0.1 only, and stops when its only user releases it', async () => {
    const lease = await server.acquire();
    expect(lease.host).to.equal('127.0.0.1');
    expect(fs.existsSync(path.join(stateDir, 'postgres', 'data', 'PG_VERSION'))).to.equal(true);
    expect(fs.statSync(path.join(stateDir, 'postgres', 'server.json')).mode & 0o777).to.equal(0o600);
    expect(await reachable(lease.port, lease.state.superuserPassword)).to.equal(true);
    const conf = fs.readFileSync(path.join(stateDir, 'postgres', 'data', 'postmaster.pid'), 'utf8');
    expect(conf).to.include('127.0.0.1');
    await lease.release();
    expect(server.isRunning()).to.equal(false);
    expect(await reachable(lease.port, lease.state.superuserPassword)).to.equal(false);
  });

  it('is shared by two processes and stopped only when the last one leaves', async () => {
    const a = await hold(stateDir);
    const b = await hold(stateDir);
    expect(b.port).to.equal(a.port);
    a.child.stdin!.end();
    await exited(a.child);
    expect(server.isRunning(), 'still used by b').to.equal(true);
    b.child.stdin!.end();
    await exited(b.child);
    expect(server.isRunning(), 'last user gone').to.equal(false);
  });

  it('prunes the lease of a killed process, so the last live user still stops the server', async () => {
    const a = await hold(stateDir);
    const b = await hold(stateDir);
    a.child.kill('SIGKILL');
    await exited(a.child);
    b.child.stdin!.end();
    await exited(b.child);
    expect(server.isRunning()).to.equal(false);
  });

  it('recovers from a crash that left a stale postmaster.pid', async () => {
    const lease = await server.acquire();
    const pidFile = path.join(stateDir, 'postgres', 'data', 'postmaster.pid');
    const postmaster = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    const saved = fs.readFileSync(pidFile);
    process.kill(postmaster, 'SIGKILL');
    await until(() => { try { process.kill(postmaster, 0); return false; } catch { return true; } }, 'the killed postmaster gone', 10_000, 50);
    fs.writeFileSync(pidFile, saved); // as a crash leaves it
    await lease.release();
    const again = await server.acquire();
    expect(await reachable(again.port, again.state.superuserPassword)).to.equal(true);
    await again.release();
  });

  it('moves to a free port when its port was taken by another program', async () => {
    const first = await server.acquire();
    const port = first.port;
    await first.release();
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(port, '127.0.0.1', () => r()));
    try {
      const lease = await server.acquire();
      expect(lease.port).not.to.equal(port);
      expect(await reachable(lease.port, lease.state.superuserPassword)).to.equal(true);
      await lease.release();
    } finally {
      squatter.close();
    }
  });
});
