import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AdminConnection } from '../../../lib/db/index.js';
import { loadMigrations } from '../../../lib/db/sql.js';
import { testQueries } from '../../support/test-queries.js';
import { migrationsDir, packageRoot } from '../../../lib/platform/paths.js';
import { runSetup } from '../../../lib/program/provision.js';
import { ValidationError } from '../../../lib/domain/errors.js';
import { scratchDatabase, targetFor, testConfig } from '../../support/server.js';
import { asOwner } from '../../support/owner.js';
import { cliEnv } from '../../support/cli.js';

const t = testQueries(['migrationsApplied', 'usersByDepartment', 'departmentNames', 'epicSchemaExists'] as const);

describe('setup (provisioning)', function () {
  this.timeout(60_000);
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let stateDir: string;

  beforeEach(async () => {
    scratch = await scratchDatabase('epic_setup_test');
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-setup-state-'));
  });
  afterEach(async () => {
    await scratch.drop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  async function inspect() {
    const conn = await AdminConnection.open(scratch.admin);
    try {
      return await asOwner(async (c) => ({
        migrations: await c.many<{ version: number }>(t.migrationsApplied),
        users: await c.many(t.usersByDepartment),
        departments: (await c.many<{ name: string }>(t.departmentNames)).map((d) => d.name),
      }), conn);
    } finally {
      await conn.close();
    }
  }

  it('provisions an empty database: migrations in order, departments, first management collaborator, JWT secret', async () => {
    const config = testConfig(scratch.admin, stateDir, { ADMIN_EMAIL: 'admin@epic.events', ADMIN_PASSWORD: 'correct horse battery' });
    const report = await runSetup(config, targetFor(config), { log: () => undefined });
    expect(report.changes).to.include('applied migration 001_schema');
    expect(report.changes).to.include('created departments management, sales, support');
    expect(report.changes).to.include('created management collaborator admin@epic.events');
    const state = await inspect();
    expect(state.migrations.map((m) => m.version)).to.deep.equal(loadMigrations(migrationsDir).map((m) => m.version));
    expect(state.departments).to.deep.equal(['management', 'sales', 'support']);
    expect(state.users).to.deep.equal([{ email: 'admin@epic.events', department: 'management', bcrypt: true }]);
    const secret = path.join(stateDir, 'jwt-secret');
    expect(fs.statSync(secret).mode & 0o777).to.equal(0o600);
  });

  it('runs one at a time on a server (advisory lock) even from different machines\' state directories: 3 at once all succeed, one provisions', async () => {
    const dirs = [0, 1, 2].map(() => fs.mkdtempSync(path.join(os.tmpdir(), 'epic-setup-many-')));
    try {
      const reports = await Promise.all(dirs.map((dir) => {
        const config = testConfig(scratch.admin, dir, { ADMIN_EMAIL: 'admin@epic.events', ADMIN_PASSWORD: 'correct horse battery' });
        return runSetup(config, targetFor(config), { log: () => undefined });
      }));
      const provisioned = reports.filter((r) => r.changes.includes('applied migration 001_schema'));
      expect(provisioned).to.have.length(1);
      expect(provisioned[0].changes).to.include('created management collaborator admin@epic.events');
      for (const r of reports.filter((x) => x !== provisioned[0])) {
        expect(r.changes.filter((c) => !c.startsWith('generated a JWT secret'))).to.deep.equal([]);
      }
      expect((await inspect()).users).to.have.length(1);
    } finally {
      for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('changes nothing on a second run, and says so', async () => {
    const config = testConfig(scratch.admin, stateDir, { ADMIN_EMAIL: 'admin@epic.events', ADMIN_PASSWORD: 'correct horse battery' });
    await runSetup(config, targetFor(config), { log: () => undefined });
    const before = await inspect();
    const second = await runSetup(config, targetFor(config), { log: () => undefined });
    expect(second.changes).to.deep.equal([]);
    expect(await inspect()).to.deep.equal(before);
  });

  it('creates no collaborator without ADMIN_EMAIL/ADMIN_PASSWORD and no terminal, and warns', async () => {
    const config = testConfig(scratch.admin, stateDir);
    const report = await runSetup(config, targetFor(config), { log: () => undefined });
    expect(report.warnings.join()).to.match(/set ADMIN_EMAIL and ADMIN_PASSWORD/);
    expect((await inspect()).users).to.deep.equal([]);
  });

  it('refuses a first password that is too short, creating no collaborator', async () => {
    const config = testConfig(scratch.admin, stateDir, { ADMIN_EMAIL: 'admin@epic.events', ADMIN_PASSWORD: 'short' });
    let error: unknown;
    await runSetup(config, targetFor(config), { log: () => undefined }).catch((e) => (error = e));
    expect(error).to.be.instanceOf(ValidationError);
    expect((error as Error).message).to.match(/ADMIN_PASSWORD must be at least 12 characters/);
    expect((await inspect()).users).to.deep.equal([]);
  });

  it('reports an unreachable database in one clear line with exit code 1 (CLI)', () => {
    const r = spawnSync(process.execPath, [path.join(packageRoot, 'bin', 'epic-events.js'), 'setup'], {
      env: { PATH: process.env.PATH, EPIC_EVENTS_NO_DOTENV: '1', EPIC_EVENTS_HOME: stateDir, DATABASE_URL: 'postgres://admin:pw-not-shown@127.0.0.1:1/epic', APP_DB_PASSWORD: 'x', DB_CONNECT_TIMEOUT: '3' },
      encoding: 'utf8',
    });
    expect(r.status).to.equal(1);
    expect(r.stderr.trim().split('\n')).to.have.length(1);
    expect(r.stderr).to.match(/^DatabaseUnavailable: /);
    expect(r.stderr + r.stdout).not.to.include('pw-not-shown');
  });

  it('reports a bad configuration value in one line with exit code 2 (CLI)', () => {
    const r = spawnSync(process.execPath, [path.join(packageRoot, 'bin', 'epic-events.js'), 'setup'], {
      env: { PATH: process.env.PATH, EPIC_EVENTS_NO_DOTENV: '1', EPIC_EVENTS_HOME: stateDir, BCRYPT_ROUNDS: 'lots' },
      encoding: 'utf8',
    });
    expect(r.status).to.equal(2);
    expect(r.stderr.trim()).to.match(/^ConfigError: BCRYPT_ROUNDS must be a whole number/);
  });
});

describe('node lib/setup (the documented entry: the same command as epic-events setup)', function () {
  this.timeout(60_000);
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  let stateDir: string;

  beforeEach(async () => {
    scratch = await scratchDatabase('epic_node_lib_setup');
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-node-lib-setup-'));
  });
  afterEach(async () => {
    await scratch.drop();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  const env = () => cliEnv(scratch.admin, stateDir, { ADMIN_EMAIL: 'admin@epic.events', ADMIN_PASSWORD: 'correct horse battery' });
  const nodeLibSetup = (args: string[] = []) => spawnSync(process.execPath, ['lib/setup', ...args], { cwd: packageRoot, env: env(), encoding: 'utf8' });
  const epicEventsSetup = (args: string[] = []) => spawnSync(process.execPath, ['bin/epic-events.js', 'setup', ...args], { cwd: packageRoot, env: env(), encoding: 'utf8' });
  const users = async () => {
    const conn = await AdminConnection.open(scratch.admin);
    try {
      return await asOwner((c) => c.many(t.usersByDepartment), conn);
    } finally {
      await conn.close();
    }
  };

  it('provisions a fresh state directory, then a second run changes nothing and says so', async () => {
    const first = nodeLibSetup();
    expect(first.status, first.stderr).to.equal(0);
    expect(first.stdout).to.include('  ✔ applied migration 001_schema');
    expect(first.stdout).to.include('  ✔ created management collaborator admin@epic.events');
    expect(first.stdout).to.match(/^Setup done \(\d+ changes\)\.$/m);
    const before = { users: await users(), state: fs.readdirSync(stateDir).sort() };

    const second = nodeLibSetup();
    expect(second.status, second.stderr).to.equal(0);
    expect(second.stdout).to.equal('Already set up: nothing changed.\n');
    expect({ users: await users(), state: fs.readdirSync(stateDir).sort() }).to.deep.equal(before);

    // What epic-events setup prints and returns, to the byte.
    const third = epicEventsSetup();
    expect({ status: second.status, stdout: second.stdout, stderr: second.stderr }).to.deep.equal({ status: third.status, stdout: third.stdout, stderr: third.stderr });
  });

  it('takes the same options, and refuses a bad one as epic-events setup does (exit 2, nothing provisioned)', async () => {
    const ours = nodeLibSetup(['--no-such-option']);
    const theirs = epicEventsSetup(['--no-such-option']);
    expect(ours.status).to.equal(2);
    expect({ status: ours.status, stdout: ours.stdout, stderr: ours.stderr }).to.deep.equal({ status: theirs.status, stdout: theirs.stdout, stderr: theirs.stderr });
    const conn = await AdminConnection.open(scratch.admin);
    try {
      expect(await conn.one(t.epicSchemaExists)).to.deep.equal({ exists: false });
    } finally {
      await conn.close();
    }
  });

  it('before npm install has built the project: one line, exit 2, no stack', () => {
    const clone = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-unbuilt-clone-'));
    try {
      fs.mkdirSync(path.join(clone, 'lib'));
      fs.copyFileSync(path.join(packageRoot, 'lib', 'setup.js'), path.join(clone, 'lib', 'setup.js'));
      fs.copyFileSync(path.join(packageRoot, 'package.json'), path.join(clone, 'package.json'));
      const r = spawnSync(process.execPath, ['lib/setup'], { cwd: clone, env: { PATH: process.env.PATH }, encoding: 'utf8' });
      expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).to.deep.equal({ status: 2, stdout: '', stderr: 'run npm install first\n' });
    } finally {
      fs.rmSync(clone, { recursive: true, force: true });
    }
  });
});

describe('epic-events setup on the embedded default (CLI, no .env)', function () {
  this.timeout(120_000);
  let home: string;
  before(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-cli-home-'));
  });
  after(() => fs.rmSync(home, { recursive: true, force: true }));

  const run = (env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [path.join(packageRoot, 'bin', 'epic-events.js'), 'setup'], {
      env: { PATH: process.env.PATH, HOME: home, EPIC_EVENTS_NO_DOTENV: '1', EPIC_EVENTS_HOME: home, EMBEDDED_IDLE: '0', BCRYPT_ROUNDS: '4', ...env },
      encoding: 'utf8',
    });

  it('provisions with ADMIN_EMAIL/ADMIN_PASSWORD, then a second run changes nothing, and no server is left running', () => {
    const first = run({ ADMIN_EMAIL: 'a@b.co', ADMIN_PASSWORD: 'a long enough password' });
    expect(first.status, first.stderr).to.equal(0);
    expect(first.stdout).to.include('created management collaborator a@b.co');
    expect(first.stdout + first.stderr).not.to.include('a long enough password');
    const second = run({ ADMIN_EMAIL: 'a@b.co', ADMIN_PASSWORD: 'a long enough password' });
    expect(second.status, second.stderr).to.equal(0);
    expect(second.stdout).to.include('Already set up: nothing changed.');
    expect(fs.existsSync(path.join(home, 'postgres', 'data', 'postmaster.pid')), 'server stopped').to.equal(false);
    expect(fs.readdirSync(path.join(home, 'postgres', 'leases'))).to.deep.equal([]);
  });

  it('sets the embedded database up on the first start of the shell, then logs in', () => {
    const fresh = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-first-start-'));
    try {
      const env = { PATH: process.env.PATH, HOME: fresh, EPIC_EVENTS_NO_DOTENV: '1', EPIC_EVENTS_HOME: fresh, EMBEDDED_IDLE: '0', BCRYPT_ROUNDS: '4', ADMIN_EMAIL: 'first@epic.events', ADMIN_PASSWORD: 'first start password' };
      const bin = path.join(packageRoot, 'bin', 'epic-events.js');
      const login = spawnSync(process.execPath, [bin, '--email', 'first@epic.events', '--password-stdin'], { env, input: 'first start password\n', encoding: 'utf8' });
      expect(login.status, login.stderr).to.equal(0);
      expect(login.stderr).to.include('Setting up the embedded database (first start)');
      const who = spawnSync(process.execPath, [bin, '--eval', 'whoami()', '--json'], { env, encoding: 'utf8' });
      expect(who.status, who.stderr).to.equal(0);
      expect(JSON.parse(who.stdout)).to.deep.include({ email: 'first@epic.events', department: 'management' });
      expect(who.stderr).not.to.include('Setting up');
    } finally {
      fs.rmSync(fresh, { recursive: true, force: true });
    }
  });
});
