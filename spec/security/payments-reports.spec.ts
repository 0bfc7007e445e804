/**
 * Payments, reports and the release of a collaborator's records, attacked
 * with raw SQL on the runtime connection under each department's verified
 * session (the TypeScript checks bypassed): PostgreSQL refuses what the
 * department matrix refuses, keeps sales' reports to their own clients, and
 * nothing changes.
 */
import { expect } from 'chai';
import { type Executor } from '../../lib/db/index.js';
import { identityPrelude } from '../../lib/crm/deps.js';
import type { Actor } from '../../lib/domain/actor.js';
import { addContract, buildWorld, type World } from '../support/fixtures.js';
import { ctx, fingerprint, resetData, sessionDb } from '../support/server.js';
import { testQueries } from '../support/test-queries.js';

const t = testQueries([
  'bypassPay', 'bypassPayRow', 'bypassSignRow', 'bypassReadReportSigned', 'bypassReadReportContracts', 'bypassReadReportBalances', 'bypassWriteReportTotals',
  'bypassReadReportTotals', 'bypassRebuildReports', 'bypassDeleteUser', 'bypassMoveUser', 'contractAmountDue',
] as const);

/** Run raw statements as `actor` (the shell's own prelude): the result, or the SQLSTATE it failed with. */
async function as<T>(actor: Actor, run: (tx: Executor) => Promise<T>): Promise<T | string> {
  try {
    return await sessionDb(actor).transaction(run, { prelude: identityPrelude(actor) });
  } catch (err) {
    return (err as { sqlState?: string }).sqlState ?? (err as { code?: string }).code ?? String(err);
  }
}

describe('PostgreSQL enforces payments, report scopes and releases (raw SQL)', () => {
  let w: World;
  let owedA: number;
  let owedB: number;
  beforeEach(async () => {
    await resetData();
    w = await buildWorld();
    owedA = await addContract(w.clientA, '1000.00', '1000.00', true);
    owedB = await addContract(w.clientB, '1000.00', '1000.00', true);
  });

  const refusals: Array<[string, (w: World) => Actor, (w: World, ids: { owedA: number; owedB: number }) => (tx: Executor) => Promise<unknown>, string]> = [
    ["sales pay a colleague's client's contract", (w) => w.alice, (_w, k) => (tx) => tx.one(t.bypassPay, [k.owedB, '10']), '42501'],
    ['support pay a contract', (w) => w.kate, (_w, k) => (tx) => tx.one(t.bypassPay, [k.owedA, '10']), '42501'],
    ['sales pay more than is due', (w) => w.alice, (_w, k) => (tx) => tx.one(t.bypassPay, [k.owedA, '1000.01']), '23514'],
    ['management pay an unsigned contract', (w) => w.manager, (w) => (tx) => tx.one(t.bypassPay, [w.contractA, '10']), '23514'],
    ['management pay a negative amount', (w) => w.manager, (_w, k) => (tx) => tx.one(t.bypassPay, [k.owedA, '-10']), '23514'],
    ['management pay a fraction of a cent', (w) => w.manager, (_w, k) => (tx) => tx.one(t.bypassPay, [k.owedA, '0.001']), '23514'],
    ['support read a report', (w) => w.kate, () => (tx) => tx.many(t.bypassReadReportSigned), '42501'],
    ['support read contracts through a report view', (w) => w.kate, () => (tx) => tx.many(t.bypassReadReportContracts), '42501'],
    ['sales read the report totals directly', (w) => w.alice, () => (tx) => tx.many(t.bypassReadReportTotals), '42501'],
    ['management rewrite the report totals', (w) => w.manager, () => (tx) => tx.exec(t.bypassWriteReportTotals), '42501'],
    ['management rebuild the report totals', (w) => w.manager, () => (tx) => tx.exec(t.bypassRebuildReports), '42501'],
    ['management delete a salesperson who still has clients', (w) => w.manager, (w) => (tx) => tx.exec(t.bypassDeleteUser, [w.bob.id]), '23514'],
    ['management delete a support collaborator who still has events', (w) => w.manager, (w) => (tx) => tx.exec(t.bypassDeleteUser, [w.lou.id]), '23514'],
    ['management move a salesperson with clients to support', (w) => w.manager, (w) => (tx) => tx.exec(t.bypassMoveUser, [w.bob.id, 'support']), '23514'],
    ['management move a support collaborator with events to sales', (w) => w.manager, (w) => (tx) => tx.exec(t.bypassMoveUser, [w.lou.id, 'sales']), '23514'],
  ];

  for (const [what, who, statement, sqlState] of refusals) {
    it(`refuses: ${what} (${sqlState}), changing nothing`, async () => {
      const before = await fingerprint();
      expect(await as(who(w), statement(w, { owedA, owedB }))).to.equal(sqlState);
      expect(await fingerprint()).to.deep.equal(before);
    });
  }

  it('lets sales pay their own client\'s signed contract and management any, exactly', async () => {
    expect(await as(w.alice, (tx) => tx.one(t.bypassPay, [owedA, '0.10']))).to.deep.equal({ due: '999.90' });
    expect(await as(w.manager, (tx) => tx.one(t.bypassPay, [owedB, '1000']))).to.deep.equal({ due: '0.00' });
  });

  it('returns from pay_contract() the contract row the payment wrote (sql/migrations/050): nothing is read again', async () => {
    expect(await as(w.alice, (tx) => tx.one(t.bypassPayRow, [owedA, '250.50']))).to.deep.equal({ id: owedA, clientId: w.clientA, total: '1000.00', due: '749.50' });
    expect(await as(w.manager, (tx) => tx.one(t.contractAmountDue, [owedA]))).to.deep.equal({ due: '749.50' });
  });

  it('returns from sign_contract() the contract row its signature wrote (sql/migrations/075), none when it signed nothing', async () => {
    const signedNow = [{ id: w.contractA, clientId: w.clientA, signedNow: true, updatedNow: true }];
    expect(await as(w.alice, (tx) => tx.many(t.bypassSignRow, [w.contractA]))).to.deep.equal(signedNow);
    const before = await fingerprint();
    expect(await as(w.manager, (tx) => tx.many(t.bypassSignRow, [w.contractA]))).to.deep.equal([]); // already signed
    expect(await as(w.alice, (tx) => tx.many(t.bypassSignRow, [w.contractB]))).to.deep.equal([]); // a colleague's client's
    expect(await fingerprint()).to.deep.equal(before);
  });

  it('never overpays when raw payments arrive at once on several connections', async () => {
    const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) => as(i % 2 ? w.alice : w.manager, (tx) => tx.one(t.bypassPay, [owedA, '300']))));
    expect(outcomes.filter((o) => o === '23514')).to.have.length(5);
    expect(outcomes.filter((o) => typeof o === 'object')).to.have.length(3);
    expect(await as(w.manager, (tx) => tx.one(t.contractAmountDue, [owedA]))).to.deep.equal({ due: '100.00' });
  });

  it("shows sales only their own clients' figures in every report view, whatever the query asks", async () => {
    const salesRows = await as(w.alice, (tx) => tx.many<{ salesContactId: number }>(t.bypassReadReportSigned));
    expect((salesRows as Array<{ salesContactId: number }>).map((r) => r.salesContactId)).to.satisfy((ids: number[]) => ids.length > 0 && ids.every((id) => id === w.alice.id));
    const managementRows = await as(w.manager, (tx) => tx.many<{ salesContactId: number }>(t.bypassReadReportSigned));
    expect(new Set((managementRows as Array<{ salesContactId: number }>).map((r) => r.salesContactId))).to.deep.equal(new Set([w.alice.id, w.bob.id]));
    const contracts = await as(w.alice, (tx) => tx.many<{ clientId: number }>(t.bypassReadReportContracts));
    expect(new Set((contracts as Array<{ clientId: number }>).map((r) => r.clientId))).to.deep.equal(new Set([w.clientA]));
    const balances = await as(w.alice, (tx) => tx.many<{ clientId: number }>(t.bypassReadReportBalances));
    expect((balances as Array<{ clientId: number }>).map((r) => r.clientId)).to.deep.equal([w.clientA]);
  });
});
