import { loadMigrations } from './sql.js';
import { queries } from './sql.js';
import type { AdminConnection } from './index.js';
import { migrationsDir } from '../paths.js';

const q = queries('migrate', ['lockMigrations', 'createMigrationsTable', 'appliedMigrations', 'recordMigration'] as const);
const tq = queries('transaction', ['begin', 'commit', 'rollback'] as const);
const sq = queries('setup', ['actAsOwner'] as const);

/**
 * Apply every migration not yet recorded, in order, each in its own transaction
 * together with its record, as the schema owner. Concurrent runs serialise on an
 * advisory lock. Returns the names applied now.
 */
export async function migrate(conn: AdminConnection, dir = migrationsDir): Promise<string[]> {
  const migrations = loadMigrations(dir);
  const applied: string[] = [];
  for (const migration of migrations) {
    await conn.exec(tq.begin);
    try {
      await conn.exec(sq.actAsOwner);
      await conn.exec(q.lockMigrations);
      await conn.exec(q.createMigrationsTable);
      const done = new Set((await conn.many<{ version: number }>(q.appliedMigrations)).map((r) => r.version));
      if (done.has(migration.version)) {
        await conn.exec(tq.commit);
        continue;
      }
      await conn.script(migration.text);
      await conn.exec(q.recordMigration, [migration.version, migration.name]);
      await conn.exec(tq.commit);
      applied.push(`${String(migration.version).padStart(3, '0')}_${migration.name}`);
    } catch (err) {
      await conn.exec(tq.rollback).catch(() => undefined);
      throw new Error(`migration ${migration.version}_${migration.name} failed: ${(err as Error).message}`);
    }
  }
  return applied;
}
