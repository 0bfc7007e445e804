import { loadMigrations, loadSecurityFiles, type Migration } from './sql.js';
import { bind, queries } from './sql.js';
import type { AdminConnection } from './admin.js';
import { sha256 } from './sql-compiled.js';
import { migrationsDir, securityDir } from '../platform/paths.js';
import { ConfigError } from '../domain/errors.js';

const q = queries('migrate', ['lockMigrations', 'createMigrationsTable', 'addMigrationChecksums', 'appliedMigrations', 'recordMigration', 'recordChecksum'] as const);

interface Applied { version: number; name: string; checksum: string | null }

const label = (m: { version: number; name: string }) => `${String(m.version).padStart(3, '0')}_${m.name}`;

/** The SHA-256 (hex) of a migration's text, as recorded when it is applied. */
export function migrationChecksum(text: string): string {
  return sha256(text);
}

/**
 * Why this code must not migrate this database, or undefined: a migration it
 * applied is missing here or was edited since (its checksum differs), or the
 * database was migrated by a newer release. A migration recorded without a
 * checksum (an older release) is taken as it is now.
 */
export function migrationDrift(code: Migration[], applied: Applied[]): string | undefined {
  const byVersion = new Map(code.map((m) => [m.version, m]));
  const newest = Math.max(0, ...code.map((m) => m.version));
  const newer = applied.filter((a) => a.version > newest);
  if (newer.length) {
    return `the database was migrated by a newer release (${newer.map(label).join(', ')}; this one knows up to ${String(newest).padStart(3, '0')}): run that release, or upgrade this one`;
  }
  for (const a of applied) {
    const m = byVersion.get(a.version);
    if (!m || m.name !== a.name) return `migration ${label(a)} was applied to this database but is missing from sql/migrations: restore it (a migration is never removed or renamed)`;
    if (a.checksum !== null && a.checksum !== migrationChecksum(m.text)) {
      return `migration ${label(a)} was edited after it was applied (its checksum differs): restore the applied text and put the change in a new migration`;
    }
  }
  return undefined;
}

/**
 * Apply every migration not yet recorded, in order, each in its own transaction
 * together with its record and checksum, as the schema owner, after checking
 * that what was applied is still what the code holds; then the security model
 * (applySecurity). Concurrent runs serialise on a lock of schema_migrations
 * (only the owner may take it). Returns the names of the migrations applied now.
 */
export async function migrate(conn: AdminConnection, dir = migrationsDir, security = securityDir): Promise<string[]> {
  const migrations = loadMigrations(dir);
  await conn.transaction(async (tx) => {
    await tx.exec(q.createMigrationsTable);
    await tx.exec(q.lockMigrations);
    await tx.exec(q.addMigrationChecksums);
    const drift = migrationDrift(migrations, await tx.many<Applied>(q.appliedMigrations));
    if (drift) throw new ConfigError(drift);
    for (const m of migrations) await tx.exec(q.recordChecksum, bind(q.recordChecksum, { version: m.version, checksum: migrationChecksum(m.text) }));
  }, { asOwner: true });
  const applied: string[] = [];
  for (const migration of migrations) {
    const appliedNow = await conn.transaction(async (tx) => {
      // Checked under the lock, inside this migration's transaction: a concurrent setup may have applied it.
      await tx.exec(q.lockMigrations);
      const done = new Set((await tx.many<Applied>(q.appliedMigrations)).map((r) => r.version));
      if (done.has(migration.version)) return false;
      await conn.script(migration.text);
      await tx.exec(q.recordMigration, bind(q.recordMigration, { version: migration.version, name: migration.name, checksum: migrationChecksum(migration.text) }));
      return true;
    }, { asOwner: true }).catch((err: Error) => {
      throw new Error(`migration ${label(migration)} failed: ${err.message}`);
    });
    if (appliedNow) applied.push(label(migration));
  }
  await applySecurity(conn, security);
  return applied;
}

/**
 * The security model (sql/security/*.sql: every function defined, then
 * 70_reset.sql drops every policy and revokes every privilege of schema epic
 * but the owner's, then the policies and grants again), in name order, in one
 * transaction as the schema owner under the migrations' lock: at every setup,
 * so that what the files say is what the database holds. A failing file
 * leaves everything as it was.
 */
export async function applySecurity(conn: AdminConnection, dir = securityDir): Promise<void> {
  const files = loadSecurityFiles(dir);
  await conn.transaction(async (tx) => {
    await tx.exec(q.lockMigrations);
    for (const file of files) {
      await conn.script(file.text).catch((err: Error) => {
        throw new Error(`sql/security/${file.name} failed: ${err.message}`);
      });
    }
  }, { asOwner: true });
}
