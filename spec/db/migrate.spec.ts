/**
 * migrate refuses a database whose applied migrations are not the code's: one
 * edited after it was applied, one missing, one from a newer release. It
 * refuses before applying anything, and the migrated test database is left
 * as it was.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { migrate } from '../../lib/db/migrate.js';
import { ConfigError } from '../../lib/domain/errors.js';
import { migrationsDir } from '../../lib/platform/paths.js';
import { ctx } from '../support/server.js';
import { testQueries } from '../support/test-queries.js';

const t = testQueries(['appliedMigrationChecksums'] as const);

describe('db: migrate checks what was applied', () => {
  let dir: string;
  const files = fs.readdirSync(migrationsDir).filter((f) => f.endsWith('.sql')).sort();
  const applied = () => ctx().admin.many<{ version: number; checksum: string | null }>(t.appliedMigrationChecksums);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-migrations-'));
    for (const f of files) fs.copyFileSync(path.join(migrationsDir, f), path.join(dir, f));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function refusal(): Promise<string> {
    const before = await applied();
    const err = await migrate(ctx().admin, dir).then(() => undefined, (e: Error) => e);
    expect(err).to.be.instanceOf(ConfigError);
    expect(await applied()).to.deep.equal(before);
    return (err as Error).message;
  }

  it('records a checksum for every applied migration and applies nothing when the code is unchanged', async () => {
    expect(await migrate(ctx().admin, dir)).to.deep.equal([]);
    const rows = await applied();
    expect(rows.map((r) => r.version)).to.deep.equal(files.map((f) => Number(f.slice(0, 3))));
    for (const r of rows) expect(r.checksum).to.match(/^[0-9a-f]{64}$/);
  });

  it('refuses a migration edited after it was applied', async () => {
    fs.appendFileSync(path.join(dir, files[5]), '\n-- a harmless-looking edit\n');
    expect(await refusal()).to.contain(`migration ${files[5].replace(/\.sql$/, '')} was edited after it was applied`);
  });

  it('refuses when an applied migration is missing or renamed', async () => {
    fs.rmSync(path.join(dir, files[3]));
    expect(await refusal()).to.contain(`migration ${files[3].replace(/\.sql$/, '')} was applied to this database but is missing`);
    fs.copyFileSync(path.join(migrationsDir, files[3]), path.join(dir, files[3].replace('_', '_renamed_')));
    expect(await refusal()).to.contain('is missing');
  });

  it('refuses a database migrated by a newer release', async () => {
    const last = files[files.length - 1];
    fs.rmSync(path.join(dir, last));
    expect(await refusal()).to.match(new RegExp(`migrated by a newer release \\(${last.replace(/\.sql$/, '')}; this one knows up to \\d{3}\\)`));
  });
});
