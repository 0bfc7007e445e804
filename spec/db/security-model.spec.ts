/**
 * The security model lives in sql/security/*.sql and is applied after the
 * migrations at every setup (lib/db/migrate.ts applySecurity): every function,
 * policy and grant of the migrated schema is defined there (a migration that
 * adds a function, a grant or a policy the files lack fails here); applying it again
 * changes nothing; what a hand changed is undone; a failing file changes
 * nothing; two setups at once take turns on the migrations' lock. Each test
 * leaves the database as sql/schema.snapshot says.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { applySecurity, migrate } from '../../lib/db/migrate.js';
import { AdminConnection } from '../../lib/db/index.js';
import { loadSecurityFiles, namedQueries, queries } from '../../lib/db/sql.js';
import { migrationsDir, packageRoot, securityDir } from '../../lib/platform/paths.js';
import { ctx, scratchDatabase } from '../support/server.js';
import { testQueries } from '../support/test-queries.js';
import { until } from '../support/until.js';

const t = testQueries(['handMadeSecurity', 'functionNames', 'policyNames', 'nonOwnerSecurity', 'migrationsLockWaiters', 'dropSecurityProbe', 'prepareScratchSchema'] as const);
const snap = namedQueries(path.join(packageRoot, 'spec', 'support', 'sql', 'snapshot.sql'), ['schemaSnapshot'] as const);
const mq = queries('migrate', ['lockMigrations'] as const);

const COMMITTED = fs.readFileSync(path.join(packageRoot, 'sql', 'schema.snapshot'), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));

/** The snapshot's lines as the database holds them now (as the owner, as `npm run snapshot` reads them). */
async function snapshot(conn = ctx().admin): Promise<string[]> {
  return conn.transaction(async (tx) => (await tx.many<{ line: string }>(snap.schemaSnapshot, [ctx().config.appDbUser])).map((r) => r.line), { asOwner: true });
}

/** What differs from the committed snapshot, line by line ([] when nothing). */
function drift(lines: string[]): string[] {
  const now = new Set(lines);
  const committed = new Set(COMMITTED);
  return [...COMMITTED.filter((l) => !now.has(l)).map((l) => `- ${l}`), ...lines.filter((l) => !committed.has(l)).map((l) => `+ ${l}`)];
}

/** sql/security copied to a temporary folder (removed by the caller). */
function copyOfSecurity(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-security-'));
  for (const f of fs.readdirSync(securityDir)) fs.copyFileSync(path.join(securityDir, f), path.join(dir, f));
  return dir;
}

async function names(q: typeof t.functionNames): Promise<string[]> {
  const { admin } = ctx();
  return admin.transaction(async (tx) => (await tx.many<{ name: string }>(q)).map((r) => r.name), { asOwner: true });
}

describe('db: the security model (sql/security)', () => {
  afterEach(async () => {
    // Whatever a test did, the model as the files say.
    await applySecurity(ctx().admin);
  });

  it('defines every function and every policy of the migrated schema', async () => {
    const text = loadSecurityFiles(securityDir).map((f) => f.text).join('\n');
    const functions = new Set([...text.matchAll(/^create or replace function (\w+)\s*\(/gim)].map((m) => m[1]));
    const policies = new Set([...text.matchAll(/^create policy (\w+) on (\w+)/gim)].map((m) => `${m[2]}.${m[1]}`));
    const undefinedFunctions = (await names(t.functionNames)).filter((n) => !functions.has(n));
    const undefinedPolicies = (await names(t.policyNames)).filter((n) => !policies.has(n));
    expect(undefinedFunctions, 'functions no file of sql/security defines').to.deep.equal([]);
    expect(undefinedPolicies, 'policies no file of sql/security defines').to.deep.equal([]);
  });

  it('holds every grant and policy: after its reset none is left, after its files the snapshot is whole', async () => {
    const { admin } = ctx();
    const files = loadSecurityFiles(securityDir);
    const reset = files.findIndex((f) => f.name === '70_reset.sql');
    expect(files.slice(reset + 1).map((f) => f.name), 'after the reset').to.deep.equal(['80_policies.sql', '90_grants.sql']);
    let afterReset: { privileges: number; policies: number } | undefined;
    let afterFiles: string[] = [];
    await admin
      .transaction(async (tx) => {
        for (const f of files.slice(0, reset + 1)) await admin.script(f.text);
        afterReset = await tx.one<{ privileges: number; policies: number }>(t.nonOwnerSecurity);
        for (const f of files.slice(reset + 1)) await admin.script(f.text);
        afterFiles = (await tx.many<{ line: string }>(snap.schemaSnapshot, [ctx().config.appDbUser])).map((r) => r.line);
        throw new Error('rollback');
      }, { asOwner: true })
      .catch((err: Error) => {
        if (err.message !== 'rollback') throw err;
      });
    expect(afterReset).to.deep.equal({ privileges: 0, policies: 0 });
    expect(drift(afterFiles)).to.deep.equal([]);
  });

  it('gives a function it creates no privilege but those 90_grants.sql gives (not PUBLIC\'s default)', async () => {
    const { admin } = ctx();
    const dir = copyOfSecurity();
    try {
      fs.writeFileSync(path.join(dir, '65_probe.sql'), 'create or replace function security_probe() returns integer language sql as $$ select 1 $$;\n');
      await applySecurity(admin, dir);
      const added = drift(await snapshot());
      // Its owner's EXECUTE only (the snapshot lists it), none for PUBLIC.
      expect(added.filter((l) => !l.startsWith('+ 5 body '))).to.have.members([
        '+ 4 grant execute on security_probe() to epic_owner',
        '+ 5 function security_probe() returns integer security invoker volatile owner epic_owner',
      ]);
      expect(added.filter((l) => l.startsWith('+ 5 body security_probe()'))).to.have.length(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await admin.transaction(() => admin.exec(t.dropSecurityProbe), { asOwner: true });
    }
  });

  it('is all the grants and policies there are: the migrations alone make none the files do not', async () => {
    const db = await scratchDatabase('epic_security_migrations_only');
    const none = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-no-security-'));
    const conn = await AdminConnection.open(db.admin);
    try {
      await conn.exec(t.prepareScratchSchema);
      await migrate(conn, migrationsDir, none);
      const committed = new Set(COMMITTED);
      const byMigrationsOnly = (await snapshot(conn)).filter((l) => /^[34] /.test(l) && !committed.has(l));
      expect(byMigrationsOnly, 'granted or allowed by a migration, not by sql/security (the next setup would undo it)').to.deep.equal([]);
    } finally {
      await conn.close();
      await db.drop();
      fs.rmSync(none, { recursive: true, force: true });
    }
  });

  it('changes nothing when applied again', async () => {
    expect(drift(await snapshot())).to.deep.equal([]);
    await applySecurity(ctx().admin);
    expect(drift(await snapshot())).to.deep.equal([]);
    await applySecurity(ctx().admin);
    expect(drift(await snapshot())).to.deep.equal([]);
  });

  it('undoes a grant or policy made by hand and brings back one dropped by hand', async () => {
    const { admin } = ctx();
    await admin.transaction(() => admin.exec(t.handMadeSecurity), { asOwner: true });
    expect(drift(await snapshot())).to.have.members([
      '+ 4 grant SELECT on users to epic_support',
      '+ 4 grant SELECT on trash to PUBLIC',
      '+ 4 grant execute on empty_trash(interval) to epic_sales',
      '+ 4 grant UPDATE (signed_at) on contracts to epic_sales',
      '+ 3 policy clients.hand_made PERMISSIVE UPDATE to epic_support using true check true',
      '- 3 policy clients.clients_read PERMISSIVE SELECT to epic_management,epic_sales,epic_support using true',
      '- 2 table events owner epic_owner rls forced',
      '+ 2 table events owner epic_owner rls',
    ]);
    expect(await migrate(admin)).to.deep.equal([]);
    expect(drift(await snapshot())).to.deep.equal([]);
  });

  it('changes nothing when one of its files fails (one transaction)', async () => {
    const { admin } = ctx();
    const dir = copyOfSecurity();
    try {
      fs.writeFileSync(path.join(dir, '95_broken.sql'), 'grant select on no_such_table to epic_sales;\n');
      await admin.transaction(() => admin.exec(t.handMadeSecurity), { asOwner: true });
      const before = await snapshot();
      const err = await applySecurity(admin, dir).then(() => undefined, (e: Error) => e);
      expect(err?.message).to.match(/^sql\/security\/95_broken\.sql failed: .*no_such_table/);
      // The reset and every file before the broken one were rolled back: the hand-made changes are still there.
      expect(await snapshot()).to.deep.equal(before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('waits for the migrations lock: concurrent setups take turns', async () => {
    const { target } = ctx();
    const holder = await AdminConnection.open(target.admin);
    const others = await Promise.all([AdminConnection.open(target.admin), AdminConnection.open(target.admin)]);
    try {
      let locked!: () => void;
      let release!: () => void;
      const isLocked = new Promise<void>((r) => { locked = r; });
      const released = new Promise<void>((r) => { release = r; });
      const holding = holder.transaction(async (tx) => {
        await tx.exec(mq.lockMigrations);
        locked();
        await released;
      }, { asOwner: true });
      await isLocked;
      let finished = 0;
      // A whole setup's migrate, and the security files applied on their own.
      const setups = [migrate(others[0]), applySecurity(others[1]).then(() => [])].map((p) => p.then((applied) => { finished++; return applied; }));
      const waiters = async () => Number((await ctx().admin.one<{ waiting: number }>(t.migrationsLockWaiters))?.waiting ?? 0);
      await until(async () => (await waiters()) === 2, 'both setups waiting for the migrations lock');
      expect(finished, 'no setup got past the lock while it was held').to.equal(0);
      release();
      await holding;
      expect(await Promise.all(setups)).to.deep.equal([[], []]);
      expect(drift(await snapshot())).to.deep.equal([]);
    } finally {
      await Promise.all([holder, ...others].map((c) => c.close()));
    }
  });
});
