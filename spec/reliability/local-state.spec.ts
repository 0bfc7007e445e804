/**
 * Reliability: many processes on one state directory and one server, full
 * disks, dead servers, stale locks (issue 20). Real processes and a real
 * PostgreSQL; nothing here asserts a duration — each case waits for a
 * condition and checks what every process did.
 */
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkPassword } from '../../lib/auth/login.js';
import { readToken } from '../../lib/auth/store.js';
import { loadConfig } from '../../lib/platform/config.js';
import { noopMonitor } from '../../lib/platform/monitoring.js';
import { openTarget } from '../../lib/db/connect.js';
import { EmbeddedServer, SUPERUSER, type EmbeddedLease } from '../../lib/db/embedded/index.js';
import { AdminConnection, Database, SessionPools } from '../../lib/db/index.js';
import { testQueries } from '../support/test-queries.js';
import { DatabaseUnavailable } from '../../lib/domain/errors.js';
import { openShell } from '../../lib/shell/index.js';
import { runSetup } from '../../lib/program/provision.js';
import { processTag, withFileLock } from '../../lib/platform/locks.js';
import { CLI_JWT_SECRET, cliEnv, killAll, runCli, type CliResult } from '../support/cli.js';
import { FakeTerminal } from '../support/fake-api.js';
import { replaceGivenPassword } from '../support/pty.js';
import { FIXTURE_PASSWORD, addUser, rejection } from '../support/fixtures.js';
import { liveLogin } from '../support/live-login.js';
import { mountTmpfs } from '../support/tmpfs.js';
import { APP_PASSWORD, ctx, resetData, testConfig } from '../support/server.js';
import { until } from '../support/until.js';

const t = testQueries(['clientsByEmailSuffix'] as const);
const holder = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'support', 'hold-embedded.js');

const ADMIN_EMAIL = 'load-admin@epic.events';
const ADMIN_PASSWORD = 'load admin password 42';
const SALES_EMAIL = 'load-sales@epic.events';
const SALES_PASSWORD = 'load sales password 42';
const SALES_GIVEN_PASSWORD = 'given by management 42';

/** A CLI on the embedded server of `home` (no DATABASE_URL). */
function embeddedEnv(home: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    EPIC_EVENTS_HOME: home,
    EMBEDDED_IDLE: '0',
    EPIC_EVENTS_NO_DOTENV: '1',
    BCRYPT_ROUNDS: '4',
    JWT_SECRET: CLI_JWT_SECRET,
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    ...extra,
  };
}

function ok(r: CliResult, what: string): void {
  expect(r.code, `${what}: ${r.stderr}`).to.equal(0);
}

/** Log in as the first manager, create the sales collaborator, log in as them (their token is the last one stored). */
async function loginSales(home: string): Promise<void> {
  const env = embeddedEnv(home);
  ok(await runCli(['--email', ADMIN_EMAIL, '--password-stdin'], env, `${ADMIN_PASSWORD}\n`), 'admin login');
  ok(await runCli(['--eval', `users.create({fullName: 'Load Sales', email: '${SALES_EMAIL}', department: 'sales', password: '${SALES_GIVEN_PASSWORD}'})`], env), 'create sales');
  // The password management gave is replaced at the first login, on a terminal.
  await replaceGivenPassword(env, SALES_EMAIL, SALES_GIVEN_PASSWORD, SALES_PASSWORD);
  ok(await runCli(['--email', SALES_EMAIL, '--password-stdin'], env, `${SALES_PASSWORD}\n`), 'sales login');
}

function hold(stateDir: string, exitHooks = false): { child: ChildProcess; port: Promise<number> } {
  const child = spawn(process.execPath, [holder, stateDir, ...(exitHooks ? ['--exit-hooks'] : [])], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const port = new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(JSON.parse(out).port);
    });
    child.on('exit', (code) => reject(new Error(`holder exited with ${code}: ${stderr}`)));
  });
  port.catch(() => undefined);
  return { child, port };
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

async function reachable(port: number, password: string): Promise<boolean> {
  try {
    const c = await AdminConnection.open({ host: '127.0.0.1', port, database: 'postgres', user: SUPERUSER, password }, 2000, 0);
    await c.close();
    return true;
  } catch {
    return false;
  }
}

function pidGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

/** The server, its lock and its leases are all gone: nothing left behind. */
function expectNothingLeft(home: string): void {
  const server = new EmbeddedServer(home);
  expect(server.isRunning(), 'server stopped by the last one to leave').to.equal(false);
  expect(fs.existsSync(path.join(home, 'postgres', 'lock')), 'no lock left').to.equal(false);
  expect(fs.readdirSync(path.join(home, 'postgres', 'leases')), 'no lease left').to.deep.equal([]);
}

describe('reliability: local state under many processes (embedded server)', function () {
  this.timeout(180_000);
  let home: string;

  before(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-local-state-'));
  });
  afterEach(killAll);
  after(async () => {
    await new EmbeddedServer(home).stop();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('4 concurrent `setup` runs on a fresh home all exit 0 and provision once', async () => {
    const runs = await Promise.all(Array.from({ length: 4 }, () => runCli(['setup'], embeddedEnv(home))));
    for (const r of runs) ok(r, 'setup');
    const created = runs.filter((r) => r.stdout.includes('created database epic_events'));
    expect(created, runs.map((r) => r.stdout).join('\n---\n')).to.have.length(1);
    expect(created[0].stdout).to.include(`created management collaborator ${ADMIN_EMAIL}`);
    expect(runs.filter((r) => r.stdout.includes('Already set up: nothing changed.'))).to.have.length(3);
    expectNothingLeft(home);
  });

  it('20 concurrent batches of 500 writes on one embedded server: every row present, in order per process, no error', async function () {
    this.timeout(360_000);
    await loginSales(home);
    const files = Array.from({ length: 20 }, (_, p) => {
      const file = path.join(home, `load-${p}.js`);
      const lines = Array.from({ length: 500 }, (_, i) => `clients.create({fullName: 'Load ${p} ${i}', email: 'p${p}-${i}@load.test'})`);
      fs.writeFileSync(file, `${lines.join('\n')}\n`);
      return file;
    });
    // The test holds a lease too, to read the rows back while the server runs.
    const server = new EmbeddedServer(home);
    const lease = await server.acquire();
    try {
      // One session (the stored token) for the 20: they take turns on its own role's connections
      // (its CONNECTION LIMIT, sql/migrations/040), each waiting for a free one.
      const runs = await Promise.all(files.map((file) => runCli([file], { ...embeddedEnv(home), DB_BUSY_TIMEOUT: '240' }, '', 300_000)));
      for (const r of runs) {
        ok(r, 'batch');
        expect(r.stderr).to.equal('');
      }
      const conn = await AdminConnection.open({ host: lease.host, port: lease.port, database: 'epic_events', user: SUPERUSER, password: lease.state.superuserPassword });
      try {
        const rows = (await conn.transaction(() => conn.many<{ email: string; id: number }>(t.clientsByEmailSuffix, ['@load.test']), { asOwner: true }))!;
        expect(rows).to.have.length(20 * 500);
        const seen = new Map<number, number>();
        for (const row of rows) {
          // id order is commit order within a process: its lines must come back 0, 1, 2, …
          const [, p, i] = /^p(\d+)-(\d+)@/.exec(row.email)!.map(Number);
          expect(i, `process ${p}`).to.equal((seen.get(p) ?? -1) + 1);
          seen.set(p, i);
        }
        expect([...seen.values()]).to.deep.equal(Array(20).fill(499));
      } finally {
        await conn.close();
      }
    } finally {
      await lease.release();
    }
    expectNothingLeft(home);
  });

  it('an embedded server that died is restarted by the next call of a shell using it: that call says so in one line, the next works', async () => {
    const config = loadConfig(embeddedEnv(home));
    // Durable (as a user's server): what was committed before the crash is there after it.
    const target = await openTarget(config);
    const db = new Database(target.runtime, { dataDir: target.dataDir, onConnectionLost: target.revive });
    // The calls run as the session's own role, on this server (sql/migrations/040).
    const sessions = new SessionPools(target.runtime, { dataDir: target.dataDir, onConnectionLost: target.revive });
    try {
      const found = await checkPassword(db, config, noopMonitor, ADMIN_EMAIL, ADMIN_PASSWORD);
      const term = new FakeTerminal();
      const shell = openShell(liveLogin(config, db, found!.actor, noopMonitor, found!.installation, sessions), term.io());
      await term.run('users.list()');
      expect(term.err).to.equal('');

      const pidFile = path.join(home, 'postgres', 'data', 'postmaster.pid');
      const postmaster = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
      process.kill(postmaster, 'SIGKILL');
      await until(() => pidGone(postmaster), 'the postmaster gone', 30_000, 50);

      await term.run('users.list()');
      expect(term.err).to.equal('DatabaseUnavailable: the embedded database had stopped; it has been restarted: run the call again\n');
      await term.run('users.list()');
      expect(term.err, 'the call after works').to.equal('');
      expect(term.out).to.include(ADMIN_EMAIL);
      term.input.end();
      expect(await shell.done).to.equal(0);
    } finally {
      await sessions.close();
      await db.close();
      await target.release();
    }
    expectNothingLeft(home);
  });

  it('a shell leaving (SIGTERM) while another process joins never stops the server under the newcomer', async () => {
    const server = new EmbeddedServer(home);
    for (let round = 0; round < 2; round++) {
      const leaving = hold(home, true);
      await leaving.port;
      let joining!: ReturnType<typeof hold>;
      // Hold the lock while the one leaves and the other joins: both wait for it, then race.
      await withFileLock(server.lockPath, async () => {
        leaving.child.kill('SIGTERM');
        joining = hold(home);
        await new Promise((r) => setTimeout(r, 300));
        // Leaving waits for the lock like joining: nothing was stopped meanwhile.
        expect(leaving.child.exitCode, 'the leaving shell waits for the lock').to.equal(null);
        expect(server.isRunning(), 'the server still runs while the lock is held').to.equal(true);
      }, { onTimeout: () => new Error('lock') });
      expect(await exited(leaving.child)).to.equal(143);
      const port = await joining.port;
      const state = JSON.parse(fs.readFileSync(path.join(home, 'postgres', 'server.json'), 'utf8')) as { superuserPassword: string };
      expect(await reachable(port, state.superuserPassword), `round ${round}: the newcomer's server runs`).to.equal(true);
      joining.child.stdin!.end();
      expect(await exited(joining.child)).to.equal(0);
      expectNothingLeft(home);
    }
  });

  it('a lock left empty by an older version (a full disk) is broken once stale: the next command works, no hang', async () => {
    const lock = path.join(home, 'postgres', 'lock');
    fs.mkdirSync(lock);
    fs.writeFileSync(path.join(lock, 'pid'), '');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(lock, old, old);
    const r = await runCli(['--json', '--eval', 'whoami()'], embeddedEnv(home));
    ok(r, 'after a stale lock');
    expect(JSON.parse(r.stdout).email).to.equal(SALES_EMAIL);
    expectNothingLeft(home);
  });

  it('a lock held by a live process is waited for, then the error names the file to remove', async () => {
    const sleeper = spawn('sleep', ['60']);
    const lock = path.join(home, 'postgres', 'lock');
    try {
      fs.symlinkSync(processTag(sleeper.pid as number), lock);
      const err = await rejection(new EmbeddedServer(home, { lockTimeoutMs: 300 }).acquire());
      expect(err).to.be.instanceOf(DatabaseUnavailable);
      expect(err.message).to.match(new RegExp(`^the embedded database is locked by process ${sleeper.pid} \\(for \\d+ s\\); if no epic-events process is running, remove ${lock}$`));
    } finally {
      sleeper.kill('SIGKILL');
      await exited(sleeper);
    }
    // Its holder gone, the lock is stale at once.
    const lease = await new EmbeddedServer(home).acquire();
    await lease.release();
    expectNothingLeft(home);
  });
});

/** Fill a file system until a write fails with ENOSPC (as embedded-faults.spec.ts does). */
function fill(dir: string): void {
  for (const [name, size] of [['ballast', 65536], ['ballast2', 1]] as const) {
    const fd = fs.openSync(path.join(dir, name), 'w');
    try {
      for (;;) fs.writeSync(fd, Buffer.alloc(size, 1));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
    } finally {
      fs.closeSync(fd);
    }
  }
}

describe('reliability: a full disk under the embedded server', function () {
  this.timeout(180_000);
  afterEach(killAll);

  it('stops a batch with one line naming the data directory, leaves no lock, lease or server behind, and works once space is freed', async function () {
    const mount = mountTmpfs('160m');
    if (!mount) this.skip(); // this runner may not mount a file system
    const home = path.join(mount!.dir, 'home');
    try {
      ok(await runCli(['setup'], embeddedEnv(home)), 'setup');
      await loginSales(home);
      const file = path.join(home, 'fill.js');
      fs.writeFileSync(file, `${Array.from({ length: 3000 }, (_, i) => `clients.create({fullName: 'Filler ${i} ${'x'.repeat(180)}', email: 'f${i}@fill.test', companyName: '${'y'.repeat(180)}'})`).join('\n')}\n`);
      // Leave a little room (the state directory's own small writes fit), then the batch fills the disk.
      fill(mount!.dir);
      fs.rmSync(path.join(mount!.dir, 'ballast2'));
      const ballast = path.join(mount!.dir, 'ballast');
      fs.truncateSync(ballast, fs.statSync(ballast).size - 256 * 1024);

      const r = await runCli([file], embeddedEnv(home), '', 120_000);
      expect(r.code, r.stderr).to.equal(1);
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).to.have.length(1);
      expect(lines[0], lines[0]).to.include('disk is full');
      const dataDir = path.join(home, 'postgres', 'data');
      const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      // The relation could not grow (53100); or, when the write-ahead log could not, the server
      // stopped and its restart found the disk full: either way one line, naming the data directory.
      const m = new RegExp(`^${escape(file)}:(\\d+): DatabaseUnavailable: (the embedded database had stopped and could not be restarted: )?the database's disk is full \\(data directory ${escape(dataDir)}\\)(; free some space and try again)? \\(stopped there; (\\d+) statements before it ran\\)$`).exec(lines[0]);
      expect(m, lines[0]).to.not.equal(null);
      expectNothingLeft(home);

      fs.rmSync(ballast);
      ok(await runCli(['--eval', `clients.create({fullName: 'After', email: 'after@fill.test'})`], embeddedEnv(home)), 'after freeing space');
      const lease = await new EmbeddedServer(home).acquire();
      try {
        const conn = await AdminConnection.open({ host: lease.host, port: lease.port, database: 'epic_events', user: SUPERUSER, password: lease.state.superuserPassword });
        const rows = (await conn.transaction(() => conn.many(t.clientsByEmailSuffix, ['@fill.test']), { asOwner: true }))!;
        await conn.close();
        expect(rows.length, `the statements before the failure were kept, and the one after: ${lines[0]}`).to.equal(Number(m![4]) + 1);
      } finally {
        await lease.release();
      }
      expectNothingLeft(home);
    } finally {
      await new EmbeddedServer(home).stop().catch(() => undefined);
      mount?.unmount();
    }
  });
});

describe('reliability: concurrent logins', function () {
  this.timeout(120_000);
  let home: string;
  beforeEach(async () => {
    await resetData();
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-logins-'));
  });
  afterEach(async () => {
    await killAll();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('40 concurrent logins with --password-stdin store 40 tokens', async () => {
    const emails = Array.from({ length: 40 }, (_, i) => `login${i}@epic.events`);
    for (const email of emails) await addUser(`Login ${email}`, email, 'support');
    const env = cliEnv(ctx().target.admin, home);
    const runs = await Promise.all(emails.map((email) => runCli(['--email', email, '--password-stdin'], env, `${FIXTURE_PASSWORD}\n`, 120_000)));
    for (const r of runs) ok(r, 'login');
    for (const email of emails) expect(readToken({ stateDir: home }, email), email).to.be.a('string');
    expect(fs.readdirSync(home).filter((f) => f.startsWith('tokens.json'))).to.deep.equal(['tokens.json']);
  });
});

describe('reliability: a server at its connection limit', function () {
  this.timeout(180_000);
  let dir: string;
  let server: EmbeddedServer;
  let lease: EmbeddedLease;
  let env: NodeJS.ProcessEnv;
  let superuser: { host: string; port: number; database: string; user: string; password: string };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-limit-'));
    // 12 connections, 3 of them kept for superusers: 9 for the shells.
    server = new EmbeddedServer(path.join(dir, 'server'), { durable: false, maxConnections: 12 });
    lease = await server.acquire();
    const admin = { host: lease.host, port: lease.port, database: 'epic_limit', user: SUPERUSER, password: lease.state.superuserPassword };
    const config = testConfig(admin, path.join(dir, 'setup-state'), { ADMIN_EMAIL, ADMIN_PASSWORD });
    await runSetup(config, { kind: 'embedded', admin, runtime: { ...admin, user: config.appDbUser, password: APP_PASSWORD }, release: async () => undefined }, { log: () => undefined });
    superuser = admin;
    // A slow machine must not turn a wait for a slot into a connect timeout: the claim is about the slots.
    env = cliEnv(admin, path.join(dir, 'state'), { DB_BUSY_TIMEOUT: '60', DB_CONNECT_TIMEOUT: '60s' });
    ok(await runCli(['--email', ADMIN_EMAIL, '--password-stdin'], env, `${ADMIN_PASSWORD}\n`), 'login');
  });
  afterEach(killAll);
  after(async () => {
    await lease.release();
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /**
   * Take `n` of the shells' connection slots: as the superuser, since the
   * runtime role's own limit (its share for logins, sql/setup.sql) is below 9.
   */
  async function occupy(n: number): Promise<AdminConnection[]> {
    const held: AdminConnection[] = [];
    for (let i = 0; i < n; i++) held.push(await AdminConnection.open(superuser, 5000, 0));
    return held;
  }

  const refusals = () => (fs.readFileSync(path.join(dir, 'server', 'postgres', 'data', 'server.log'), 'utf8').match(/too many clients|remaining connection slots/g) ?? []).length;

  it('past the wait, says in one line that the connection limit is reached (not an unexpected error)', async () => {
    const held = await occupy(9);
    try {
      const r = await runCli(['--eval', 'clients.list({limit: 1})'], { ...env, DB_BUSY_TIMEOUT: '1' });
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/^(--eval:1: )?DatabaseUnavailable: the server's connection limit is reached; try again in a moment( \(stopped there; 0 statements before it ran\))?\n$/);
    } finally {
      await Promise.all(held.map((c) => c.close()));
    }
  });

  it('80 processes at once against 9 connection slots: each finishes (it waited) or fails with the named error', async () => {
    // Start with one slot free; free the others once the server has turned some process away.
    const held = await occupy(8);
    const before = refusals();
    const runs = Array.from({ length: 80 }, () => runCli(['--json', '--eval', 'clients.list({limit: 1})'], env, '', 150_000));
    await until(() => refusals() > before, 'the refusal counted', 30_000, 50);
    await Promise.all(held.map((c) => c.close()));
    const results = await Promise.all(runs);
    for (const r of results) {
      if (r.code === 0) expect(JSON.parse(r.stdout)).to.deep.equal([]);
      else expect(r.stderr).to.match(/DatabaseUnavailable: the server's connection limit is reached/);
    }
    expect(results.length).to.equal(80);
  });
});
