/**
 * Managed servers: sslmode=verify-full with a CA file (sslrootcert in the URL,
 * or PGSSLROOTCERT). The test server is given a self-signed certificate made
 * here (openssl) for the length of this file, then put back as it was.
 */
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, type ConnectionParams } from '../../lib/platform/config.js';
import { AdminConnection } from '../../lib/db/index.js';
import { testQueries } from '../support/test-queries.js';
import { DatabaseUnavailable } from '../../lib/domain/errors.js';
import { packageRoot } from '../../lib/platform/paths.js';
import { APP_PASSWORD, adminUrl, ctx } from '../support/server.js';
import { cliEnv } from '../support/cli.js';

const t = testQueries([
  'dataDirectory', 'tlsCertFile', 'tlsKeyFile', 'tlsOn', 'tlsReset', 'tlsCertFileReset', 'tlsKeyFileReset',
  'reloadServerConfig', 'tlsSetting', 'configurationErrors', 'connectionUsesTls', 'connectionPid',
] as const);

/** A self-signed certificate (its own CA) for the names given. */
function selfSigned(dir: string, name: string, subjectAltName: string): { cert: string; key: string } {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`,
    '-addext', `subjectAltName=${subjectAltName}`, '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

/** What a new connection sees of `ssl`, once the postmaster has reloaded its configuration. */
async function waitForTls(admin: ConnectionParams, want: 'on' | 'off'): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const c = await AdminConnection.open(admin);
    try {
      if ((await c.one<{ ssl: string }>(t.tlsSetting))?.ssl === want) return;
      const errors = await c.many(t.configurationErrors);
      if (errors.length) throw new Error(`the server refused the TLS settings: ${JSON.stringify(errors)}`);
    } finally {
      await c.close();
    }
    await sleep(25);
  }
  throw new Error(`the server did not turn ssl ${want}`);
}

describe('TLS to a managed server (sslmode=verify-full with a CA file)', function () {
  this.timeout(60_000);
  let dir: string;
  let ca: string;
  let otherCa: string;
  let dataDir: string;
  let admin: ConnectionParams;

  before(async function () {
    admin = ctx().target.admin;
    const serverAdmin = ctx().admin;
    dataDir = ((await serverAdmin.one<{ dir: string }>(t.dataDirectory)) as { dir: string }).dir;
    let owner: number;
    try {
      owner = fs.statSync(dataDir).uid;
      fs.accessSync(dataDir, fs.constants.W_OK);
    } catch {
      // A remote TEST_DATABASE_URL: its files are out of reach, so is its TLS configuration.
      this.skip();
    }
    if (spawnSync('openssl', ['version']).status !== 0) this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-tls-'));
    const server = selfSigned(dir, 'epic-test-server', 'IP:127.0.0.1,DNS:localhost');
    ca = server.cert;
    otherCa = selfSigned(dir, 'epic-test-other', 'IP:127.0.0.1').cert;
    // The server reads them as its own OS user; the key must be private to it.
    for (const [from, to, mode] of [[server.cert, 'epic-test-tls.crt', 0o644], [server.key, 'epic-test-tls.key', 0o600]] as const) {
      const target = path.join(dataDir, to);
      fs.copyFileSync(from, target);
      fs.chmodSync(target, mode);
      fs.chownSync(target, owner!, fs.statSync(dataDir).gid);
    }
    await serverAdmin.exec(t.tlsCertFile);
    await serverAdmin.exec(t.tlsKeyFile);
    await serverAdmin.exec(t.tlsOn);
    await serverAdmin.one(t.reloadServerConfig);
    await waitForTls(admin, 'on');
  });

  after(async () => {
    if (!dir) return;
    const serverAdmin = ctx().admin;
    await serverAdmin.exec(t.tlsReset);
    await serverAdmin.exec(t.tlsCertFileReset);
    await serverAdmin.exec(t.tlsKeyFileReset);
    await serverAdmin.one(t.reloadServerConfig);
    await waitForTls(admin, 'off');
    fs.rmSync(path.join(dataDir, 'epic-test-tls.crt'), { force: true });
    fs.rmSync(path.join(dataDir, 'epic-test-tls.key'), { force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const url = (query: string) => `${adminUrl(admin)}?${query}`;
  const adminOf = (env: NodeJS.ProcessEnv) => {
    const config = loadConfig({ ...env, APP_DB_PASSWORD: APP_PASSWORD });
    if (config.database.kind !== 'external') throw new Error('expected an external database');
    return { admin: config.database.admin, runtime: { ...config.database.admin, user: config.appDbUser, password: APP_PASSWORD } };
  };
  const tlsOf = async (params: ConnectionParams) => {
    const c = await AdminConnection.open(params);
    try {
      const { pid } = (await c.one<{ pid: number }>(t.connectionPid)) as { pid: number };
      return await ctx().admin.one<{ ssl: boolean; version: string }>(t.connectionUsesTls, [pid]);
    } finally {
      await c.close();
    }
  };

  it('connects the administrator and the runtime role over verified TLS with sslrootcert in the URL', async () => {
    const { admin: a, runtime } = adminOf({ DATABASE_URL: url(`sslmode=verify-full&sslrootcert=${encodeURIComponent(ca)}`) });
    expect(a.ssl).to.include({ rejectUnauthorized: true });
    expect((await tlsOf(a))?.ssl).to.equal(true);
    expect((await tlsOf(runtime))?.ssl).to.equal(true);
  });

  it('connects with PGSSLROOTCERT, and setup runs over it (node lib/setup: already set up)', async () => {
    const { admin: a } = adminOf({ DATABASE_URL: url('sslmode=verify-full'), PGSSLROOTCERT: ca });
    expect((await tlsOf(a))?.ssl).to.equal(true);
    const r = spawnSync(process.execPath, ['lib/setup'], {
      cwd: packageRoot,
      env: cliEnv(admin, dir, { DATABASE_URL: url('sslmode=verify-full'), PGSSLROOTCERT: ca }),
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.include('Already set up: nothing changed.');
  });

  it('refuses a server whose certificate another CA signed, in one line', async () => {
    const { admin: a } = adminOf({ DATABASE_URL: url(`sslmode=verify-full&sslrootcert=${encodeURIComponent(otherCa)}`) });
    let error: unknown;
    await AdminConnection.open(a).then((c) => c.close(), (e) => (error = e));
    expect(error).to.be.instanceOf(DatabaseUnavailable);
    expect((error as Error).message).to.match(/^the server's TLS certificate was not accepted \(.+\): check sslrootcert or PGSSLROOTCERT, and the host name$/);
  });

  it('refuses a self-signed certificate with verify-full and no CA file (the system CAs do not know it)', async () => {
    const { admin: a } = adminOf({ DATABASE_URL: url('sslmode=verify-full') });
    expect(a.ssl).to.equal(true);
    let error: unknown;
    await AdminConnection.open(a).then((c) => c.close(), (e) => (error = e));
    expect(error).to.be.instanceOf(DatabaseUnavailable);
  });

  it('encrypts without checking with sslmode=require', async () => {
    const { admin: a } = adminOf({ DATABASE_URL: url('sslmode=require') });
    expect((await tlsOf(a))?.ssl).to.equal(true);
  });
});
