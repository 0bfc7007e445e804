/**
 * The test run's PostgreSQL: the embedded server on a temporary directory,
 * or the server of TEST_DATABASE_URL (an administrator's URL; its database is wiped).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import format from 'pg-format';
import { loadConfig, type Config, type ConnectionParams } from '../../lib/platform/config.js';
import { AdminConnection, Database, SessionPools } from '../../lib/db/index.js';
import type { Actor } from '../../lib/domain/actor.js';
import { EmbeddedServer, SUPERUSER } from '../../lib/db/embedded/index.js';
import type { DatabaseTarget } from '../../lib/db/connect.js';
import { queries } from '../../lib/db/sql.js';
import { testQueries } from './test-queries.js';
import { runSetup } from '../../lib/program/provision.js';

const t = testQueries(['resetData', 'sweepSessionRoles', 'fingerprint', 'dropDatabase', 'installationId', 'setSessionBounds'] as const);
const sq = queries('setup', ['databaseExists', 'createDatabase', 'serverVersion'] as const);

export interface TestServer {
  /** Administrator on the server's maintenance database. */
  serverAdmin: ConnectionParams;
  stop(): Promise<void>;
}

export interface TestContext {
  server: TestServer;
  tmpDir: string;
  config: Config;
  target: DatabaseTarget;
  /** The shell's pool: the runtime role. */
  db: Database;
  admin: AdminConnection;
  /** The test database's installation id (sql/migrations/006): what its tokens name. */
  installation: string;
}

let context: TestContext | undefined;

export function ctx(): TestContext {
  if (!context) throw new Error('the test database is not started (spec/hooks.ts)');
  return context;
}

export const APP_PASSWORD = crypto.randomBytes(18).toString('base64url');

async function startServer(tmpDir: string): Promise<TestServer> {
  if (process.env.TEST_DATABASE_URL) {
    const cfg = loadConfig({ DATABASE_URL: process.env.TEST_DATABASE_URL });
    if (cfg.database.kind !== 'external') throw new Error('TEST_DATABASE_URL is not a database URL');
    return { serverAdmin: { ...cfg.database.admin, database: 'postgres' }, stop: async () => undefined };
  }
  const embedded = new EmbeddedServer(path.join(tmpDir, 'server'), { durable: false });
  const lease = await embedded.acquire();
  return {
    serverAdmin: { host: lease.host, port: lease.port, database: 'postgres', user: SUPERUSER, password: lease.state.superuserPassword },
    stop: () => lease.release(),
  };
}

/** A Config for tests: external server, fast bcrypt, state in the temp dir. */
/** The administrator's connection as a DATABASE_URL. */
export function adminUrl(admin: ConnectionParams): string {
  return `postgres://${encodeURIComponent(admin.user)}:${encodeURIComponent(admin.password ?? '')}@${admin.host}:${admin.port}/${encodeURIComponent(admin.database)}`;
}

export function testConfig(admin: ConnectionParams, stateDir: string, env: Record<string, string> = {}): Config {
  return loadConfig({
    DATABASE_URL: adminUrl(admin),
    APP_DB_PASSWORD: APP_PASSWORD,
    EPIC_EVENTS_HOME: stateDir,
    BCRYPT_ROUNDS: '4',
    ...env,
  });
}

export function targetFor(config: Config): DatabaseTarget {
  if (config.database.kind !== 'external') throw new Error('tests use an external target');
  const admin = config.database.admin;
  return { kind: 'external', admin, runtime: { ...admin, user: config.appDbUser, password: config.appDbPassword }, release: async () => undefined };
}

/** A fresh empty database on the test server; dropped by the returned function. */
export async function scratchDatabase(name: string): Promise<{ admin: ConnectionParams; drop: () => Promise<void> }> {
  const { server } = ctx();
  const conn = await AdminConnection.open(server.serverAdmin);
  try {
    await conn.exec({ ...t.dropDatabase, text: format(t.dropDatabase.text, name) });
    await conn.exec({ ...sq.createDatabase, text: format(sq.createDatabase.text, name) });
  } finally {
    await conn.close();
  }
  return {
    admin: { ...server.serverAdmin, database: name },
    drop: async () => {
      const c = await AdminConnection.open(server.serverAdmin);
      try {
        await c.exec({ ...t.dropDatabase, text: format(t.dropDatabase.text, name) });
      } finally {
        await c.close();
      }
    },
  };
}

export async function startTestDatabase(): Promise<TestContext> {
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-events-test-'));
  const server = await startServer(tmpDir);
  const conn = await AdminConnection.open(server.serverAdmin);
  try {
    await conn.exec({ ...t.dropDatabase, text: format(t.dropDatabase.text, 'epic_test') });
    await conn.exec({ ...sq.createDatabase, text: format(sq.createDatabase.text, 'epic_test') });
  } finally {
    await conn.close();
  }
  const config = testConfig({ ...server.serverAdmin, database: 'epic_test' }, path.join(tmpDir, 'state'));
  const target = targetFor(config);
  await runSetup(config, target, { log: () => undefined });
  const admin = await AdminConnection.open(target.admin);
  // Tests hold several sessions of one collaborator; the bound setup chose is
  // attacked on its own (spec/security/session-roles.spec.ts).
  await admin.transaction(() => admin.exec(t.setSessionBounds, [50]), { asOwner: true });
  const db = new Database(target.runtime, { max: 4 });
  const installation = (await admin.transaction(() => admin.one<{ id: string }>(t.installationId), { asOwner: true }))?.id as string;
  context = { server, tmpDir, config, target, db, admin, installation };
  return context;
}

/** The sessions' own pools (sql/migrations/040), closed after each test (spec/hooks.ts). */
let pools: SessionPools | undefined;

/** The pool of `actor`'s session role: where its calls run, as in the shell. */
export function sessionDb(actor: Pick<Actor, 'dbLogin'>): Database {
  pools ??= new SessionPools(ctx().target.runtime);
  return pools.forActor(actor);
}

/** How `actor`'s session role connects (its own login: sql/migrations/040). */
export function sessionParams(actor: Pick<Actor, 'dbLogin'>): ConnectionParams {
  if (!actor.dbLogin) throw new Error('this actor has no session role');
  return { ...ctx().target.runtime, user: actor.dbLogin.role, password: actor.dbLogin.password };
}

export function sessionPools(): SessionPools {
  pools ??= new SessionPools(ctx().target.runtime);
  return pools;
}

export async function closeSessionPools(): Promise<void> {
  const open = pools;
  pools = undefined;
  await open?.close();
}

export async function stopTestDatabase(): Promise<void> {
  await closeSessionPools();
  if (!context) return;
  // Roles are the server's, not the database's: the sessions' own go before the database does.
  await resetData();
  const { db, admin, server, tmpDir } = context;
  context = undefined;
  await db.close();
  await admin.close();
  await server.stop();
  fs.rmSync(tmpDir, { recursive: true, force: true });
}

/** Empty every CRM table (departments stay): each test starts from a known state. */
export async function resetData(): Promise<void> {
  const { admin } = ctx();
  await closeSessionPools();
  await admin.transaction(() => admin.exec(t.resetData), { asOwner: true });
  // The sessions went without their delete trigger: their roles go now.
  await admin.transaction(() => admin.exec(t.sweepSessionRoles), { asOwner: true });
}

export interface Fingerprint {
  users: number;
  clients: number;
  contracts: number;
  events: number;
  digest: string;
}

/** Row counts and a digest of every row: equal fingerprints mean nothing changed. */
export async function fingerprint(): Promise<Fingerprint> {
  const { admin } = ctx();
  return (await admin.transaction(() => admin.one<Fingerprint>(t.fingerprint), { asOwner: true })) as Fingerprint;
}

/** The test server's version: `server_version_num` (150018, 180004, …) and its display form. */
export async function serverVersion(): Promise<{ num: number; version: string }> {
  return (await ctx().admin.one<{ num: number; version: string }>(sq.serverVersion)) as { num: number; version: string };
}
