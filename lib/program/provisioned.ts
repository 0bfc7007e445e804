/**
 * The embedded database's "provisioned" marker (postgres/provisioned in the
 * state directory): written by setup, read by every shell start. Apart from
 * provision.ts so that a start reads one small file without loading setup.
 */
import path from 'node:path';
import type { Config } from '../platform/config.js';
import { migrationFiles, securityDigest } from '../db/sql.js';
import { migrationsDir, securityDir } from '../platform/paths.js';
import { readPrivateFile, writePrivateFile } from '../platform/state.js';

const provisionedMarker = (config: Config) => path.join(config.stateDir, 'postgres', 'provisioned');

/** What the marker says setup applied: how many migrations, and the security files' digest. */
function provisionedState() {
  return { migrations: migrationFiles(migrationsDir).length, security: securityDigest(securityDir) };
}

/**
 * Whether the embedded database needs setup before the shell can use it: never
 * provisioned, or provisioned by a version with other migrations or other
 * security files (sql/security, applied by setup: an upgrade). One small file
 * read and sql/security hashed, so the shell can check at every start.
 */
export function embeddedNeedsSetup(config: Config): boolean {
  try {
    const marker = JSON.parse(readPrivateFile(provisionedMarker(config)) ?? '{}') as { migrations?: number; security?: string };
    const now = provisionedState();
    return marker.migrations !== now.migrations || marker.security !== now.security;
  } catch {
    // Missing, unreadable, or failing the check (not ours, open to others: a
    // marker of an older release was 0644): not trusted, so set up again
    // (idempotent), which writes it anew at 0600.
    return true;
  }
}

export function markEmbeddedProvisioned(config: Config): void {
  writePrivateFile(provisionedMarker(config), JSON.stringify(provisionedState()));
}
