/**
 * The one transaction shape (lib/db/transaction.ts), as the pool (Database)
 * and the administrator's connection (AdminConnection) both run it: fn gets
 * the transaction's Executor, after BEGIN and the prelude.
 */
import { expect } from 'chai';
import { AdminConnection, Database } from '../../lib/db/index.js';
import { queries } from '../../lib/db/sql.js';
import { PermissionDenied } from '../../lib/domain/errors.js';
import { rejection } from '../support/fixtures.js';
import { ctx, resetData } from '../support/server.js';
import { testQueries } from '../support/test-queries.js';

const t = testQueries(['transactionRole', 'clientCount', 'fixtureClient'] as const);
const sq = queries('session', ['setIdentity'] as const);

interface RoleRow {
  role: string;
  searchPath: string;
  readOnly: string;
}

describe('db: the one transaction shape', function () {
  this.timeout(30_000);
  beforeEach(resetData);

  it('the administrator\'s connection: fn runs on the Executor it is given, as the owner with asOwner, and only inside', async () => {
    const admin = ctx().admin;
    const inside = await admin.transaction((tx) => tx.one<RoleRow>(t.transactionRole), { asOwner: true });
    expect(inside).to.include({ role: 'epic_owner', searchPath: 'epic', readOnly: 'off' });
    expect((await admin.one<RoleRow>(t.transactionRole))?.role).to.not.equal('epic_owner');
  });

  it('what fn wrote is rolled back when fn fails, on the Executor and on the connection alike', async () => {
    const admin = ctx().admin;
    const err = await rejection(admin.transaction(async (tx) => {
      await tx.one(t.fixtureClient, ['Gone', 'gone@client.test', null, null, null]);
      throw new Error('fn failed');
    }, { asOwner: true }));
    expect(err.message).to.equal('fn failed');
    const count = await admin.transaction((tx) => tx.one<{ n: number }>(t.clientCount), { asOwner: true });
    expect(count?.n).to.equal(0);
    // The connection is usable afterwards (the transaction was ended).
    expect((await admin.one<RoleRow>(t.transactionRole))?.readOnly).to.equal('off');
  });

  it('the pool: a read-only transaction begins read only; the connection goes back to the pool clean', async () => {
    const db = new Database(ctx().target.runtime, { max: 1 });
    try {
      expect((await db.transaction((tx) => tx.one<RoleRow>(t.transactionRole), { readOnly: true }))?.readOnly).to.equal('on');
      expect((await db.transaction((tx) => tx.one<RoleRow>(t.transactionRole)))?.readOnly).to.equal('off');
    } finally {
      await db.close();
    }
  });

  it('a prelude that fails is the error reported, not what fn met after it (pool and administrator)', async () => {
    const bogus = { query: sq.setIdentity, params: ['epic_sales', '1.not-a-session'] };
    const db = new Database(ctx().target.runtime, { max: 1 });
    try {
      // The runtime role cannot even become the sales role (sql/migrations/040): the prelude's own error.
      expect(await rejection(db.transaction((tx) => tx.one(t.transactionRole), { prelude: bogus }))).to.be.instanceOf(PermissionDenied);
      // The same connection serves the next transaction.
      expect((await db.transaction((tx) => tx.one<RoleRow>(t.transactionRole)))?.role).to.equal(ctx().target.runtime.user);
    } finally {
      await db.close();
    }
    // The administrator's search_path has no assert_session: the prelude's own error (undefined
    // function), not the one fn's query met after it (in failed transaction, 25P02).
    const admin = await AdminConnection.open(ctx().target.admin);
    try {
      const err = await rejection(admin.transaction((tx) => tx.one(t.transactionRole), { prelude: bogus }));
      expect((err as { code?: string }).code).to.equal('42883');
      expect((await admin.one<RoleRow>(t.transactionRole))?.readOnly, 'rolled back, usable').to.equal('off');
    } finally {
      await admin.close();
    }
  });
});
