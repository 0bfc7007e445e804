/**
 * The committed schema snapshot (sql/schema.snapshot) is what the migrations
 * produce: a change of a table, grant, policy, function or trigger shows in
 * review as a change of that file, and the suite fails until it is
 * committed. `npm run snapshot` writes it again from a freshly migrated
 * database.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { namedQueries } from '../../lib/db/sql.js';
import { packageRoot } from '../../lib/platform/paths.js';
import type { Executor } from '../../lib/db/door.js';
import { ctx } from '../support/server.js';

const SNAPSHOT = path.join(packageRoot, 'sql', 'schema.snapshot');
const q = namedQueries(path.join(packageRoot, 'spec', 'support', 'sql', 'snapshot.sql'), ['schemaSnapshot', 'strayGrant'] as const);

const HEADER = [
  '# The schema the migrations produce (generated: npm run snapshot; compared by spec/db/schema-snapshot.spec.ts).',
  '# 1 roles and memberships, 2 tables/views/columns/constraints/indexes, 3 policies, 4 grants, 5 functions, 6 triggers.',
];

/** The snapshot's lines, read as the owner (search_path epic: expressions print as the migrations wrote them). */
async function snapshotLines(): Promise<string[]> {
  const { admin } = ctx();
  return admin.transaction(() => linesIn(admin), { asOwner: true });
}

async function linesIn(tx: Executor): Promise<string[]> {
  const rows = await tx.many<{ line: string }>(q.schemaSnapshot, [ctx().config.appDbUser]);
  return rows.map((r) => r.line);
}

/** Lines only in `a`, prefixed. */
function missingFrom(a: string[], b: string[], mark: string): string[] {
  const other = new Set(b);
  return a.filter((l) => !other.has(l)).map((l) => `${mark} ${l}`);
}

describe('schema snapshot (sql/schema.snapshot)', () => {
  it('is what the migrations produce', async function () {
    const lines = await snapshotLines();
    if (process.env.UPDATE_SNAPSHOT === '1') {
      fs.writeFileSync(SNAPSHOT, `${[...HEADER, ...lines].join('\n')}\n`);
      this.skip();
    }
    const committed = fs.readFileSync(SNAPSHOT, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    const diff = [...missingFrom(committed, lines, '- committed, not produced:'), ...missingFrom(lines, committed, '+ produced, not committed:')];
    expect(diff, `the schema differs from sql/schema.snapshot (run npm run snapshot and review the change):\n${diff.join('\n')}`).to.deep.equal([]);
  });

  it('shows a grant no migration made', async () => {
    const { admin } = ctx();
    const before = new Set(await snapshotLines());
    let added: string[] = [];
    await admin
      .transaction(async () => {
        await admin.exec(q.strayGrant);
        added = (await linesIn(admin)).filter((l) => !before.has(l));
        throw new Error('rollback');
      }, { asOwner: true })
      .catch((err: Error) => {
        if (err.message !== 'rollback') throw err;
      });
    expect(added).to.deep.equal(['4 grant SELECT on users to epic_support']);
    expect(new Set(await snapshotLines()), 'rolled back').to.deep.equal(before);
  });
});
