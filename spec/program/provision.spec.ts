import { expect } from 'chai';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import format from 'pg-format';
import { AdminConnection } from '../../lib/db/index.js';
import { testQueries } from '../support/test-queries.js';
import { packageRoot } from '../../lib/platform/paths.js';
import { runSetup, SUPPORTED_POSTGRES, unsupportedServer } from '../../lib/program/provision.js';
import { DatabaseUnavailable } from '../../lib/domain/errors.js';
import { APP_PASSWORD, adminUrl, ctx, serverVersion, targetFor, testConfig } from '../support/server.js';

const t = testQueries(['useTestRole', 'createTestLoginRole', 'dropTestRole', 'databaseNamed', 'dropDatabase'] as const);

describe('setup on the PostgreSQL a team runs', function () {
  this.timeout(60_000);

  describe('server versions', () => {
    it('refuses PostgreSQL 14 and older in one line naming the version found and the versions supported', () => {
      expect(unsupportedServer({ num: 140011, version: '14.11' }, 'db.example:5432')).to.equal(
        'the server at db.example:5432 runs PostgreSQL 14.11; supported versions are PostgreSQL 15, 16, 17 and 18 (and newer)',
      );
      expect(unsupportedServer({ num: 90624, version: '9.6.24' }, 'h:1')).to.match(/runs PostgreSQL 9\.6\.24; supported versions are PostgreSQL 15, 16, 17 and 18/);
      expect(SUPPORTED_POSTGRES).to.equal('15, 16, 17 and 18');
    });

    it('accepts 15, 16, 17, 18 and newer, and the test server', async () => {
      for (const num of [150000, 150018, 160010, 170006, 180004, 190000]) expect(unsupportedServer({ num, version: String(num) }, 'h:1'), String(num)).to.equal(undefined);
      const server = await serverVersion();
      expect(server.num).to.be.at.least(150000);
      expect(unsupportedServer(server, 'h:1')).to.equal(undefined);
    });
  });

  describe('a database that does not exist yet', () => {
    const name = 'epic_created_by_setup';
    let stateDir: string;
    const drop = async () => {
      const conn = await AdminConnection.open(ctx().server.serverAdmin);
      try {
        await conn.exec({ ...t.dropDatabase, text: format(t.dropDatabase.text, name) });
      } finally {
        await conn.close();
      }
    };
    const exists = async () => {
      const conn = await AdminConnection.open(ctx().server.serverAdmin);
      try {
        return (await conn.many(t.databaseNamed, [name])).length === 1;
      } finally {
        await conn.close();
      }
    };
    beforeEach(async () => {
      await drop();
      stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-createdb-'));
    });
    afterEach(async () => {
      await drop();
      fs.rmSync(stateDir, { recursive: true, force: true });
    });

    it('is created by setup when the administrator may (CREATEDB), then a second run changes nothing', async () => {
      const config = testConfig({ ...ctx().server.serverAdmin, database: name }, stateDir);
      const first = await runSetup(config, targetFor(config), { log: () => undefined });
      expect(first.changes[0]).to.equal(`created database ${name}`);
      expect(first.changes).to.include('applied migration 001_schema');
      expect(await exists()).to.equal(true);
      const second = await runSetup(config, targetFor(config), { log: () => undefined });
      expect(second.changes).to.deep.equal([]);
    });

    it('is named with what to run when the administrator may not create databases, and nothing changes (CLI: one line, exit 2)', async () => {
      const role = 'epic_test_no_createdb';
      const password = crypto.randomBytes(18).toString('base64url');
      const { admin } = ctx();
      await admin.exec({ ...t.dropTestRole, text: format(t.dropTestRole.text, role) });
      await admin.transaction(async () => {
        await admin.exec(t.useTestRole, [role, password]);
        await admin.exec(t.createTestLoginRole);
      });
      try {
        const server = ctx().server.serverAdmin;
        const r = spawnSync(process.execPath, ['lib/setup'], {
          cwd: packageRoot,
          env: {
            PATH: process.env.PATH, EPIC_EVENTS_NO_DOTENV: '1', EPIC_EVENTS_HOME: stateDir, APP_DB_PASSWORD: APP_PASSWORD,
            DATABASE_URL: adminUrl({ ...server, user: role, password, database: name }),
          },
          encoding: 'utf8',
        });
        expect(r.status, r.stderr).to.equal(2);
        expect(r.stdout).to.equal('');
        expect(r.stderr).to.equal(
          `ConfigError: database ${name} does not exist on ${server.host}:${server.port} and ${role} may not create databases (no CREATEDB): `
          + `have a superuser run  create database ${name} owner ${role};  then run setup again\n`,
        );
        expect(r.stderr).not.to.include('epic-events setup');
        expect(r.stderr).not.to.include(password);
        expect(await exists()).to.equal(false);
      } finally {
        await admin.exec({ ...t.dropTestRole, text: format(t.dropTestRole.text, role) });
      }
    });
  });

  it('says which login was refused and what to check, never "run setup" (the administrator\'s password is wrong)', async () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-badadmin-'));
    try {
      const config = testConfig({ ...ctx().target.admin, password: 'not-the-password' }, stateDir);
      let error: unknown;
      await runSetup(config, targetFor(config), { log: () => undefined }).catch((e) => (error = e));
      expect(error).to.be.instanceOf(DatabaseUnavailable);
      expect((error as Error).message).to.match(/^the server refused the administrator's login \(password authentication failed for user "[^"]+"\): check DATABASE_URL, or POSTGRES_USER and POSTGRES_PASSWORD$/);
      expect((error as Error).message).not.to.include('not-the-password');
    } finally {
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
