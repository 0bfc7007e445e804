/**
 * The embedded database's provisioned marker (lib/program/provisioned.ts):
 * a start sets up again after an upgrade that brings other migrations or
 * other security files (sql/security), which setup alone applies.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { embeddedNeedsSetup, markEmbeddedProvisioned } from '../../lib/program/provisioned.js';
import { migrationFiles, securityDigest } from '../../lib/db/sql.js';
import { migrationsDir, securityDir } from '../../lib/platform/paths.js';
import { writePrivateFile } from '../../lib/platform/state.js';
import { ctx } from '../support/server.js';

describe('program: the embedded provisioned marker', () => {
  let stateDir: string;
  const config = () => ({ ...ctx().config, stateDir });
  const marker = () => path.join(stateDir, 'postgres', 'provisioned');

  beforeEach(() => {
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-marker-'));
    fs.chmodSync(stateDir, 0o700);
  });
  afterEach(() => fs.rmSync(stateDir, { recursive: true, force: true }));

  it('asks for setup until setup marked this release: its migrations and its security files', () => {
    expect(embeddedNeedsSetup(config())).to.equal(true);
    markEmbeddedProvisioned(config());
    expect(embeddedNeedsSetup(config())).to.equal(false);
    expect(JSON.parse(fs.readFileSync(marker(), 'utf8'))).to.deep.equal({ migrations: migrationFiles(migrationsDir).length, security: securityDigest(securityDir) });
  });

  it('asks again after an upgrade that changed only the security files (or a marker that predates them)', () => {
    const migrations = migrationFiles(migrationsDir).length;
    writePrivateFile(marker(), JSON.stringify({ migrations }));
    expect(embeddedNeedsSetup(config())).to.equal(true);
    writePrivateFile(marker(), JSON.stringify({ migrations, security: '0'.repeat(64) }));
    expect(embeddedNeedsSetup(config())).to.equal(true);
    writePrivateFile(marker(), JSON.stringify({ migrations: migrations - 1, security: securityDigest(securityDir) }));
    expect(embeddedNeedsSetup(config())).to.equal(true);
  });
});
