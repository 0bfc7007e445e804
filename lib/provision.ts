/**
 * Provisioning: database, roles, schema (migrations), departments, the first
 * management collaborator, the JWT secret. Idempotent: a second run changes
 * nothing and says so. Serialised: runs at once (several first starts, several
 * `setup`s) take the state directory's setup lock and an advisory lock on the
 * server one after the other, and what another run made counts as done.
 */
import fs from 'node:fs';
import path from 'node:path';
import format from 'pg-format';
import type { Config } from './config.js';
import { AdminConnection } from './db/index.js';
import type { DatabaseTarget } from './db/connect.js';
import { migrate } from './db/migrate.js';
import { scramVerifier } from './db/scram.js';
import { EMBEDDED_DATABASE } from './db/embedded.js';
import { migrationFiles } from './db/sql.js';
import { migrationsDir } from './paths.js';
import { queries } from './db/sql.js';
import { jwtSecret } from './auth/secret.js';
import { hashPassword, passwordProblem } from './auth/passwords.js';
import { ask, type Terminal } from './prompt.js';
import { ConfigError, Conflict, DatabaseUnavailable, ValidationError } from './errors.js';
import { email as validEmail, validated } from './crm/validate.js';
import { ensureStateDir, readPrivateFile, withFileLock, writePrivateFile } from './state.js';

const q = queries('setup', [
  'databaseExists', 'createDatabase', 'useSettings', 'provisioningState', 'createRoles', 'setAppPassword',
  'provisionDatabase', 'ensureDepartments', 'managementCount', 'otherDatabasesOpenTo', 'closeDatabaseToPublic', 'lockSetup', 'unlockSetup',
] as const);
const uq = queries('users', ['createUser', 'findUserIdByEmail'] as const);

export interface SetupIO {
  log: (line: string) => void;
  /** A terminal to ask for the first collaborator on; absent when not interactive. */
  terminal?: Terminal;
}

export interface SetupReport {
  changes: string[];
  warnings: string[];
}

export async function runSetup(config: Config, target: DatabaseTarget, io: SetupIO): Promise<SetupReport> {
  ensureStateDir(config.stateDir);
  // The state directory's files (JWT secret, provisioned marker) and the
  // server's objects: one run at a time on this machine, and on the server.
  const lockPath = path.join(config.stateDir, 'setup.lock');
  return withFileLock(lockPath, async () => {
    const lock = await AdminConnection.open({ ...target.admin, database: target.kind === 'embedded' ? 'postgres' : target.admin.database }, config.connectTimeoutMs, config.busyTimeoutMs);
    try {
      await lock.exec(q.lockSetup);
      return await provision(config, target, io);
    } finally {
      await lock.exec(q.unlockSetup).catch(() => undefined);
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

  if (target.kind === 'embedded') {
    const server = await AdminConnection.open({ ...target.admin, database: 'postgres' }, config.connectTimeoutMs, config.busyTimeoutMs);
    try {
      if (!(await server.one(q.databaseExists, [target.admin.database]))) {
        try {
          await server.exec({ ...q.createDatabase, text: format(q.createDatabase.text, target.admin.database) });
          changes.push(`created database ${target.admin.database}`);
        } catch (err) {
          // Created meanwhile by someone else (another program, an older version without the lock): done.
          if (!alreadyExists(err)) throw err;
        }
      }
    } finally {
      await server.close();
    }
  }

  const runtime = target.kind === 'embedded' ? target.runtime : { ...target.admin, user: config.appDbUser, password: config.appDbPassword };
  if (!runtime.password) throw new ConfigError('APP_DB_PASSWORD must be set: setup gives it to the runtime role the shell connects as');

  const conn = await AdminConnection.open(target.admin, config.connectTimeoutMs, config.busyTimeoutMs);
  try {
    // The runtime role's password goes as a SCRAM verifier, never in plain text.
    const settings = [target.admin.database, config.appDbUser, scramVerifier(runtime.password), `${Math.round(config.statementTimeoutMs)}ms`];
    const before = (await conn.one<Record<string, boolean>>(q.provisioningState, [config.appDbUser])) as Record<string, boolean>;
    await conn.transaction(async () => {
      await conn.exec(q.useSettings, settings);
      await conn.exec(q.createRoles);
      await conn.exec(q.provisionDatabase);
    });
    if (!before.owner_role) changes.push('created role epic_owner (owns the schema)');
    if (!before.department_roles) changes.push('created roles epic_management, epic_sales, epic_support (what each department may do) and epic_login');
    if (!before.app_role) changes.push(`created login role ${config.appDbUser} (the shell connects as it)`);
    if (!before.schema) changes.push('created schema epic');

    // The runtime role must be able to log in with the password we hold.
    if (before.app_role && !(await canLogIn(runtime, config.connectTimeoutMs))) {
      await conn.transaction(async () => {
        await conn.exec(q.useSettings, settings);
        await conn.exec(q.setAppPassword);
      });
      changes.push(`updated the password of login role ${config.appDbUser}`);
    }

    await confineRuntimeRole(conn, config, target, changes, warnings);

    for (const name of await migrate(conn)) changes.push(`applied migration ${name}`);

    const departments = await conn.transaction(() => conn.many<{ name: string }>(q.ensureDepartments), { asOwner: true });
    if (departments.length) changes.push(`created departments ${departments.map((d) => d.name).join(', ')}`);

    const created = await ensureFirstManager(conn, config, io, warnings);
    if (created) changes.push(`created management collaborator ${created}`);
  } finally {
    await conn.close();
  }

  if (jwtSecret(config, true).created) changes.push('generated a JWT secret in the state directory (mode 0600)');
  if (target.kind === 'embedded' && target.admin.database === EMBEDDED_DATABASE) markEmbeddedProvisioned(config);
  return { changes, warnings };
}

/**
 * The runtime role may connect only to its own database. On the embedded
 * server the cluster is ours: other databases are closed to PUBLIC. On an
 * external server that is the administrator's call: setup says what to run.
 */
async function confineRuntimeRole(conn: AdminConnection, config: Config, target: DatabaseTarget, changes: string[], warnings: string[]): Promise<void> {
  const open = (await conn.many<{ datname: string }>(q.otherDatabasesOpenTo, [config.appDbUser, target.admin.database])).map((r) => r.datname);
  if (!open.length) return;
  if (target.kind === 'embedded') {
    for (const name of open) await conn.exec({ ...q.closeDatabaseToPublic, text: format(q.closeDatabaseToPublic.text, name) });
    changes.push(`closed databases ${open.join(', ')} to the runtime role`);
  } else {
    warnings.push(`the runtime role ${config.appDbUser} can also connect to ${open.join(', ')}; to confine it, run as an administrator: ${open.map((n) => format(q.closeDatabaseToPublic.text, n)).join(' ')}`);
  }
}

const provisionedMarker = (config: Config) => path.join(config.stateDir, 'postgres', 'provisioned');

/**
 * Whether the embedded database needs setup before the shell can use it: never
 * provisioned, or provisioned by a version with fewer migrations (an upgrade).
 * One small file read, so the shell can check at every start.
 */
export function embeddedNeedsSetup(config: Config): boolean {
  try {
    const marker = JSON.parse(readPrivateFile(provisionedMarker(config)) ?? '{}') as { migrations?: number };
    return marker.migrations !== migrationFiles(migrationsDir).length;
  } catch {
    // Missing, unreadable, or failing the check (not ours, open to others: a
    // marker of an older release was 0644): not trusted, so set up again
    // (idempotent), which writes it anew at 0600.
    return true;
  }
}

function markEmbeddedProvisioned(config: Config): void {
  writePrivateFile(provisionedMarker(config), JSON.stringify({ migrations: migrationFiles(migrationsDir).length }));
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

async function ensureFirstManager(conn: AdminConnection, config: Config, io: SetupIO, warnings: string[]): Promise<string | undefined> {
  const existing = await conn.transaction(async () => (await conn.one<{ n: number }>(q.managementCount))?.n ?? 0, { asOwner: true });
  if (existing > 0) return undefined;

  let email = config.adminEmail;
  let password = config.adminPassword;
  let fullName = 'Administrator';
  if ((!email || !password) && io.terminal) {
    io.log('No management collaborator yet: creating the first one.');
    fullName = (await ask(io.terminal, 'Full name: '))?.trim() || fullName;
    email = email ?? (await ask(io.terminal, 'Email: '))?.trim();
    while (!password) {
      const first = await ask(io.terminal, 'Password (12+ characters): ', { hidden: true });
      if (first === undefined) break;
      const problem = passwordProblem(first);
      if (problem) {
        io.log(`Password ${problem}.`);
        continue;
      }
      const again = await ask(io.terminal, 'Password again: ', { hidden: true });
      if (again === first) password = first;
      else io.log('The two passwords differ.');
    }
  }
  if (!email || !password) {
    warnings.push('no management collaborator exists yet: set ADMIN_EMAIL and ADMIN_PASSWORD (or USER_1_PW) and run setup again');
    return undefined;
  }
  const chosenPassword = password;
  const first = validated((p) => {
    const address = validEmail(email, 'ADMIN_EMAIL', p);
    const problem = passwordProblem(chosenPassword);
    if (problem) p.add('ADMIN_PASSWORD', problem);
    return { email: address as string, password: chosenPassword };
  });
  const hash = await hashPassword(first.password, config.bcryptRounds);
  await conn.transaction(async () => {
    if (await conn.one(uq.findUserIdByEmail, [first.email])) throw new ValidationError([{ field: 'ADMIN_EMAIL', problem: 'is already used by a collaborator of another department' }]);
    await conn.one(uq.createUser, [fullName, first.email, null, 'management', hash, null]);
  }, { asOwner: true });
  return first.email;
}
