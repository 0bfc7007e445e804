/**
 * Provisioning: database, roles, schema (migrations), departments, the first
 * management collaborator, the JWT secret. Idempotent: a second run changes
 * nothing and says so. Serialised: runs at once (several first starts, several
 * `setup`s) take the state directory's setup lock and an advisory lock on the
 * server one after the other, and what another run made counts as done.
 */
import path from 'node:path';
import format from 'pg-format';
import type { Config, ConnectionParams } from '../platform/config.js';
import { AdminConnection } from '../db/index.js';
import type { DatabaseTarget } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import { scramVerifier } from '../db/scram.js';
import { EMBEDDED_DATABASE } from '../db/embedded/index.js';
import { bind, queries } from '../db/sql.js';
import { jwtSecret } from '../auth/secret.js';
import type { Terminal } from '../platform/prompt.js';
import { ConfigError, Conflict, DatabaseUnavailable } from '../domain/errors.js';
import { ensureStateDir } from '../platform/state.js';
import { withFileLock } from '../platform/locks.js';
import { ensureFirstManager } from './first-manager.js';
import { markEmbeddedProvisioned } from './provisioned.js';
import { hardenCatalog, keepConnectionBounds, keepTeamSettings } from './harden.js';

const q = queries('setup', [
  'databaseExists', 'createDatabase', 'createDatabaseFor', 'serverVersion', 'mayCreateDatabase', 'useSettings', 'provisioningState', 'createRoles',
  'setAppPassword', 'provisionDatabase', 'ensureDepartments', 'otherDatabasesOpenTo', 'closeDatabaseToPublic', 'lockSetup', 'unlockSetup', 'setupLockExists', 'lockSetupRow',
] as const);

export interface SetupIO {
  log: (line: string) => void;
  /** A terminal to ask for the first collaborator on; absent when not interactive. */
  terminal?: Terminal;
}

export interface SetupReport {
  changes: string[];
  warnings: string[];
  /** The first management collaborator, when they were just created on the terminal: who to log in as now. */
  signIn?: { email: string; password: string };
}

export async function runSetup(config: Config, target: DatabaseTarget, io: SetupIO): Promise<SetupReport> {
  ensureStateDir(config.stateDir);
  // The state directory's files (JWT secret, provisioned marker) and the
  // server's objects: one run at a time on this machine, and on the server.
  const lockPath = path.join(config.stateDir, 'setup.lock');
  return withFileLock(lockPath, async () => {
    // On the server's maintenance database while ours may not exist yet (embedded, or an external one still to create).
    const lock = target.kind === 'embedded'
      ? await openAdmin({ ...target.admin, database: 'postgres' }, config)
      : await openAdmin(target.admin, config).catch((err) => (missingDatabase(err) ? openMaintenance(target.admin, config) : Promise.reject(err)));
    try {
      // Installed: a row only the owner may lock (042), for as long as the run. First setup: an advisory lock.
      if ((await lock.one<{ exists: boolean }>(q.setupLockExists))?.exists) {
        return await lock.transaction(async (tx) => {
          await tx.exec(q.lockSetupRow);
          return provision(config, target, io);
        });
      }
      await lock.exec(q.lockSetup);
      try {
        return await provision(config, target, io);
      } finally {
        await lock.exec(q.unlockSetup).catch(() => undefined);
      }
    } finally {
      await lock.close();
    }
  }, {
    timeoutMs: 600_000,
    onTimeout: (holder, file) => new DatabaseUnavailable(`another setup (process ${holder.pid ?? 'unknown'}) has held ${file} for ${Math.round(holder.ageMs / 1000)} s; if none is running, remove that file`),
  });
}

async function provision(config: Config, target: DatabaseTarget, io: SetupIO): Promise<SetupReport> {
  const changes: string[] = [];
  const warnings: string[] = [];
  let signIn: SetupReport['signIn'];

  const runtime = target.kind === 'embedded' ? target.runtime : { ...target.admin, user: config.appDbUser, password: config.appDbPassword };
  if (!runtime.password) throw new ConfigError('APP_DB_PASSWORD must be set: setup gives it to the runtime role the shell connects as');

  const conn = await openCreatingDatabase(target.admin, config, changes);
  try {
    // The runtime role's password goes as a SCRAM verifier, never in plain text.
    const settings = bind(q.useSettings, {
      database: target.admin.database, appRole: config.appDbUser, appPassword: scramVerifier(runtime.password), statementTimeout: `${Math.round(config.statementTimeoutMs)}ms`,
    });
    const before = (await conn.one<Record<string, boolean>>(q.provisioningState, bind(q.provisioningState, { appRole: config.appDbUser }))) as Record<string, boolean>;
    await conn.transaction(async (tx) => {
      await tx.exec(q.useSettings, settings);
      await tx.exec(q.createRoles);
      await tx.exec(q.provisionDatabase);
    });
    if (!before.owner_role) changes.push('created role epic_owner (owns the schema)');
    if (!before.department_roles) changes.push('created roles epic_management, epic_sales, epic_support (what each department may do), epic_departments and epic_login');
    else if (!before.departments_role) changes.push(`created role epic_departments: ${config.appDbUser} now reaches the department roles through it (the same grants on every PostgreSQL version)`);
    if (!before.app_role) changes.push(`created login role ${config.appDbUser} (the shell connects as it)`);
    if (!before.schema) changes.push('created schema epic');

    // The runtime role must be able to log in with the password we hold.
    if (before.app_role && !(await canLogIn(runtime, config.connectTimeoutMs))) {
      await conn.transaction(async (tx) => {
        await tx.exec(q.useSettings, settings);
        await tx.exec(q.setAppPassword);
      });
      changes.push(`updated the password of login role ${config.appDbUser}`);
    }

    await confineRuntimeRole(conn, config, target, changes, warnings);

    for (const name of await migrate(conn)) changes.push(`applied migration ${name}`);
    await keepTeamSettings(conn, config, changes);
    io.log?.(await keepConnectionBounds(conn, config));
    await hardenCatalog(conn, changes, warnings);

    const departments = await conn.transaction((tx) => tx.many<{ name: string }>(q.ensureDepartments), { asOwner: true });
    if (departments.length) changes.push(`created departments ${departments.map((d) => d.name).join(', ')}`);

    const created = await ensureFirstManager(conn, config, io, warnings);
    if (created) {
      changes.push(`created management collaborator ${created.email}`);
      // Chosen on this terminal just now: the shell opens as them without asking again.
      if (io.terminal) signIn = { email: created.email, password: created.password };
    }
  } finally {
    await conn.close();
  }

  if (jwtSecret(config, true).created) changes.push('generated a JWT secret in the state directory (mode 0600)');
  if (target.kind === 'embedded' && target.admin.database === EMBEDDED_DATABASE) markEmbeddedProvisioned(config);
  return { changes, warnings, signIn };
}

/**
 * The runtime role may connect only to its own database. On the embedded
 * server the cluster is ours: other databases are closed to PUBLIC. On an
 * external server that is the administrator's call: setup says what to run.
 */
async function confineRuntimeRole(conn: AdminConnection, config: Config, target: DatabaseTarget, changes: string[], warnings: string[]): Promise<void> {
  const open = (await conn.many<{ datname: string }>(q.otherDatabasesOpenTo, bind(q.otherDatabasesOpenTo, { role: config.appDbUser, database: target.admin.database }))).map((r) => r.datname);
  if (!open.length) return;
  if (target.kind === 'embedded') {
    for (const name of open) await conn.exec({ ...q.closeDatabaseToPublic, text: format(q.closeDatabaseToPublic.text, name) });
    changes.push(`closed databases ${open.join(', ')} to the runtime role`);
  } else {
    warnings.push(`the runtime role ${config.appDbUser} can also connect to ${open.join(', ')}; to confine it, run as an administrator: ${open.map((n) => format(q.closeDatabaseToPublic.text, n)).join(' ')}`);
  }
}

/** The PostgreSQL versions the schema and every query are written for (and .ci/run tests). */
export const SUPPORTED_POSTGRES = '15, 16, 17 and 18';
const OLDEST_SUPPORTED = 150000;

/** Why setup refuses this server (PostgreSQL 14 or older), or undefined. */
export function unsupportedServer(server: { num: number; version: string }, where: string): string | undefined {
  if (server.num >= OLDEST_SUPPORTED) return undefined;
  return `the server at ${where} runs PostgreSQL ${server.version}; supported versions are PostgreSQL ${SUPPORTED_POSTGRES} (and newer)`;
}

async function assertSupportedServer(conn: AdminConnection, params: ConnectionParams): Promise<void> {
  const server = (await conn.one<{ num: number; version: string }>(q.serverVersion)) as { num: number; version: string };
  const problem = unsupportedServer(server, `${params.host}:${params.port}`);
  if (problem) throw new ConfigError(problem);
}

/** The administrator's connection. A refused login says what to check (not "run setup": this is setup). */
async function openAdmin(params: ConnectionParams, config: Config): Promise<AdminConnection> {
  try {
    return await AdminConnection.open(params, config.connectTimeoutMs, config.busyTimeoutMs);
  } catch (err) {
    if (err instanceof DatabaseUnavailable && (err.sqlState === '28P01' || err.sqlState === '28000')) {
      const reason = /^the database refused the login \((.*)\): run /.exec(err.message)?.[1] ?? 'login refused';
      const refused = new DatabaseUnavailable(`the server refused the administrator's login (${reason}): check DATABASE_URL, or POSTGRES_USER and POSTGRES_PASSWORD`, 'login');
      refused.sqlState = err.sqlState;
      throw refused;
    }
    throw err;
  }
}

const missingDatabase = (err: unknown) => err instanceof DatabaseUnavailable && err.sqlState === '3D000';

/**
 * Connect to the target database after checking the server's version; when the
 * database does not exist, create it from the server's maintenance database if
 * the administrator may (CREATEDB), else say exactly what to have run.
 */
async function openCreatingDatabase(admin: ConnectionParams, config: Config, changes: string[]): Promise<AdminConnection> {
  try {
    const conn = await openAdmin(admin, config);
    await assertSupportedServer(conn, admin).catch(async (err) => {
      await conn.close();
      throw err;
    });
    return conn;
  } catch (err) {
    if (!missingDatabase(err)) throw err;
  }
  const server = await openMaintenance(admin, config);
  try {
    await assertSupportedServer(server, admin);
    if (!(await server.one(q.databaseExists, bind(q.databaseExists, { database: admin.database })))) {
      if (!(await server.one<{ may: boolean }>(q.mayCreateDatabase))?.may) {
        throw new ConfigError(`database ${admin.database} does not exist on ${admin.host}:${admin.port} and ${admin.user} may not create databases (no CREATEDB): `
          + `have a superuser run  ${format(q.createDatabaseFor.text, admin.database, admin.user)};  then run setup again`);
      }
      try {
        await server.exec({ ...q.createDatabase, text: format(q.createDatabase.text, admin.database) });
        changes.push(`created database ${admin.database}`);
      } catch (err) {
        // Created meanwhile by someone else (another program, an older version without the lock): done.
        if (!alreadyExists(err)) throw err;
      }
    }
  } finally {
    await server.close();
  }
  return openAdmin(admin, config);
}

/** The server's maintenance database (postgres, else template1), with the administrator's credentials. */
async function openMaintenance(admin: ConnectionParams, config: Config): Promise<AdminConnection> {
  try {
    return await openAdmin({ ...admin, database: 'postgres' }, config);
  } catch (err) {
    if (!missingDatabase(err)) throw err;
    return openAdmin({ ...admin, database: 'template1' }, config);
  }
}

/** "Already exists": a duplicate database (42P04, or the catalogue's unique index when two creates race). */
function alreadyExists(err: unknown): boolean {
  return err instanceof Conflict && (err.sqlState === '42P04' || err.sqlState === '23505');
}

async function canLogIn(params: DatabaseTarget['runtime'], timeoutMs: number): Promise<boolean> {
  try {
    const c = await AdminConnection.open(params, timeoutMs);
    await c.close();
    return true;
  } catch (err) {
    // A refused password means the role's password must be set again; anything else is real.
    if (err instanceof DatabaseUnavailable && err.reason === 'login') return false;
    throw err;
  }
}
