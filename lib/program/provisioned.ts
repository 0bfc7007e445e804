/**
 * The embedded database's "provisioned" marker (postgres/provisioned in the
 * state directory): written by setup, read by every shell start. Apart from
 * provision.ts so that a start reads one small file without loading setup.
 */
import path from 'node:path';
import type { Config } from '../platform/config.js';
import { migrationFiles } from '../db/sql.js';
import { migrationsDir } from '../platform/paths.js';
import { readPrivateFile, writePrivateFile } from '../platform/state.js';

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

export function markEmbeddedProvisioned(config: Config): void {
  writePrivateFile(provisionedMarker(config), JSON.stringify({ migrations: migrationFiles(migrationsDir).length }));
}
