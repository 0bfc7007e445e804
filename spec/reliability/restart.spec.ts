/**
 * Reliability 1: the database server restarts while a shell session is open.
 * The shared test server is never stopped: this spec runs its own embedded
 * server on a temporary directory.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { checkPassword } from '../../lib/auth/login.js';
import { loadConfig, type Config } from '../../lib/platform/config.js';
import { noopMonitor } from '../../lib/platform/monitoring.js';
import type { DatabaseTarget } from '../../lib/db/connect.js';
import { EmbeddedServer, SUPERUSER, type EmbeddedLease } from '../../lib/db/embedded/index.js';
import { AdminConnection, Database, SessionPools } from '../../lib/db/index.js';
import { DatabaseUnavailable } from '../../lib/domain/errors.js';
import { openShell } from '../../lib/shell/index.js';
import { runSetup } from '../../lib/program/provision.js';
import { FakeTerminal } from '../support/fake-api.js';
import { liveLogin } from '../support/live-login.js';
import { APP_PASSWORD, testConfig } from '../support/server.js';
import { rejection } from '../support/fixtures.js';

const ADMIN_EMAIL = 'restart-admin@epic.events';
const ADMIN_PASSWORD = 'restart admin password 42';

describe('reliability: database restart mid-session', function () {
  this.timeout(120_000);
  let stateDir: string;
  let server: EmbeddedServer;
  let lease: EmbeddedLease;
  let config: Config;
  let target: DatabaseTarget;

  before(async () => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-restart-'));
    server = new EmbeddedServer(path.join(stateDir, 'server'), { durable: false });
    lease = await server.acquire();
    const admin = { host: lease.host, port: lease.port, database: 'epic_restart', user: SUPERUSER, password: lease.state.superuserPassword };
    config = testConfig(admin, path.join(stateDir, 'state'), {
      ADMIN_EMAIL, ADMIN_PASSWORD, JWT_SECRET: 'restart-spec-jwt-secret-0123456789abcdef', DB_CONNECT_TIMEOUT: '3',
    });
    // Embedded: setup creates the database on the server.
    target = { kind: 'embedded', admin, runtime: { ...admin, user: config.appDbUser, password: APP_PASSWORD }, release: async () => undefined };
    await runSetup(config, target, { log: () => undefined });
  });

  after(async () => {
    await lease.release();
    await server.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('reports one DatabaseUnavailable line while the server is down, then works again in the same shell once it is back', async () => {
    const db = new Database(target.runtime, { connectTimeoutMs: config.connectTimeoutMs, statementTimeoutMs: config.statementTimeoutMs });
    // The calls run as the session's own role, on this server (sql/migrations/040).
    const sessions = new SessionPools(target.runtime, { connectTimeoutMs: config.connectTimeoutMs, statementTimeoutMs: config.statementTimeoutMs });
    const poolErrors: unknown[] = [];
    const onUncaught = (err: unknown) => poolErrors.push(err);
    process.on('uncaughtException', onUncaught);
    try {
      const found = await checkPassword(db, config, noopMonitor, ADMIN_EMAIL, ADMIN_PASSWORD);
      expect(found, 'the first manager logs in').to.not.equal(undefined);
      const term = new FakeTerminal();
      const shell = openShell(liveLogin(config, db, found!.actor, noopMonitor, found!.installation, sessions), term.io());
      await term.run('users.list()');
      expect(term.out).to.include(ADMIN_EMAIL);

      await server.stop(); // pg_ctl stop -m fast: every open connection is terminated
      expect(server.isRunning()).to.equal(false);
      await term.run('users.list()');
      const errorLines = term.err.trim().split('\n');
      expect(errorLines, term.err).to.have.length(1);
      expect(errorLines[0]).to.match(/^DatabaseUnavailable: /);
      expect(term.out.replace(/epic\([^)]*\)> /g, ''), 'no rows printed').to.not.include(ADMIN_EMAIL);

      lease = await server.acquire();
      expect(lease.port, 'the server came back on its port').to.equal(target.admin.port);
      await term.run('users.list()');
      expect(term.err, 'no error after the restart').to.equal('');
      expect(term.out).to.include(ADMIN_EMAIL);

      term.input.end();
      expect(await shell.done).to.equal(0);
      expect(poolErrors, 'no unhandled error event from the pool').to.deep.equal([]);
    } finally {
      process.removeListener('uncaughtException', onUncaught);
      await sessions.close();
      await db.close();
    }
  });

  it('gives up connecting after the connect timeout (DB_CONNECT_TIMEOUT, 5 s by default) when the server accepts and never answers', async () => {
    // A black hole: accepts the TCP connection and never says a word.
    const sockets: net.Socket[] = [];
    const hole = net.createServer((s) => void sockets.push(s));
    await new Promise<void>((resolve) => hole.listen(0, '127.0.0.1', resolve));
    const port = (hole.address() as net.AddressInfo).port;
    const url = `postgres://epic@127.0.0.1:${port}/epic`;
    expect(loadConfig({ DATABASE_URL: url, APP_DB_PASSWORD: 'x' }).connectTimeoutMs).to.equal(5000);
    expect(loadConfig({ DATABASE_URL: url, APP_DB_PASSWORD: 'x', DB_CONNECT_TIMEOUT: '2' }).connectTimeoutMs).to.equal(2000);
    // The same wait, on a limit short enough not to hold the suite up.
    const limitMs = 300;
    const db = new Database({ host: '127.0.0.1', port, database: 'epic', user: 'epic_app', password: 'x' }, { connectTimeoutMs: limitMs });
    try {
      let started = Date.now();
      const err = await rejection(db.transaction(async () => undefined));
      expect(err).to.be.instanceOf(DatabaseUnavailable);
      expect(Date.now() - started, 'the pool waited for its limit').to.be.at.least(limitMs - 50);
      started = Date.now();
      const adminErr = await rejection(AdminConnection.open({ host: '127.0.0.1', port, database: 'epic', user: 'postgres' }, limitMs));
      expect(adminErr).to.be.instanceOf(DatabaseUnavailable);
      expect(Date.now() - started, 'the administrator\'s connection waited for its limit').to.be.at.least(limitMs - 50);
    } finally {
      await db.close();
      for (const s of sockets) s.destroy();
      hole.close();
    }
  });
});
