import { loadMigrations } from './sql.js';
import { bind, queries } from './sql.js';
import type { AdminConnection } from './admin.js';
import { migrationsDir } from '../platform/paths.js';

const q = queries('migrate', ['lockMigrations', 'createMigrationsTable', 'appliedMigrations', 'recordMigration'] as const);

/**
 * Apply every migration not yet recorded, in order, each in its own transaction
 * together with its record, as the schema owner. Concurrent runs serialise on an
 * advisory lock. Returns the names applied now.
 */
export async function migrate(conn: AdminConnection, dir = migrationsDir): Promise<string[]> {
  const migrations = loadMigrations(dir);
  const applied: string[] = [];
  for (const migration of migrations) {
    const appliedNow = await conn.transaction(async (tx) => {
      // Checked under the lock, inside this migration's transaction: a concurrent setup may have applied it.
      await tx.exec(q.lockMigrations);
      await tx.exec(q.createMigrationsTable);
      const done = new Set((await tx.many<{ version: number }>(q.appliedMigrations)).map((r) => r.version));
      if (done.has(migration.version)) return false;
      await conn.script(migration.text);
      await tx.exec(q.recordMigration, bind(q.recordMigration, { version: migration.version, name: migration.name }));
      return true;
    }, { asOwner: true }).catch((err: Error) => {
      throw new Error(`migration ${migration.version}_${migration.name} failed: ${err.message}`);
    });
    if (appliedNow) applied.push(`${String(migration.version).padStart(3, '0')}_${migration.name}`);
  }
  return applied;
}
