import { expect } from 'chai';
import { testQueries } from '../support/test-queries.js';
import type { AdminConnection } from '../../lib/db/index.js';
import { resetData } from '../support/server.js';
import { asOwner, failureOf } from '../support/owner.js';

const t = testQueries([
  'rawInsertUser', 'rawInsertClient', 'rawInsertContract', 'rawInsertEvent', 'rawDeleteUser', 'rawReleaseHoldings', 'rawDeleteClient',
  'rawDeleteContract', 'rawClientSalesContact', 'rawEventSupportContact', 'rawIndexes', 'rawColumnTypes', 'trashedRecords',
] as const);

type Id = { id: number };
const start = '2026-06-04T13:00:00Z';
const end = '2026-06-05T02:00:00Z';

async function world(c: AdminConnection) {
  const sales = (await c.one<Id>(t.rawInsertUser, ['Bob Sales', 'bob@epic.events', null, 'sales', null]))!.id;
  const support = (await c.one<Id>(t.rawInsertUser, ['Kate Support', 'kate@epic.events', null, 'support', null]))!.id;
  const client = (await c.one<Id>(t.rawInsertClient, ['Kevin Casey', 'kevin@startup.io', null, 'Cool Startup LLC', sales]))!.id;
  const contract = (await c.one<Id>(t.rawInsertContract, [client, '1500.00', '500.00', new Date()]))!.id;
  const event = (await c.one<Id>(t.rawInsertEvent, [contract, 'Wedding', start, end, support, 'Candé', 75, null]))!.id;
  return { sales, support, client, contract, event };
}

describe('schema constraints', () => {
  beforeEach(resetData);

  const refused: Array<[string, (c: AdminConnection, w: Awaited<ReturnType<typeof world>>) => Promise<unknown>, string]> = [
    ['a client without a name', (c, w) => c.one(t.rawInsertClient, [null, 'x@y.z', null, null, w.sales]), '23502'],
    ['a client with a blank name', (c, w) => c.one(t.rawInsertClient, ['   ', 'x@y.z', null, null, w.sales]), '23514'],
    ['a client email that differs only by case', (c, w) => c.one(t.rawInsertClient, ['Other', 'KEVIN@Startup.IO', null, null, w.sales]), '23505'],
    ['a collaborator email that differs only by case', (c) => c.one(t.rawInsertUser, ['Other', 'Bob@EPIC.events', null, 'sales', null]), '23505'],
    ['a duplicate employee number', (c) => c.one(t.rawInsertUser, ['A', 'a@epic.events', null, 'sales', 'EE1']).then(() => c.one(t.rawInsertUser, ['B', 'b@epic.events', null, 'sales', 'EE1'])), '23505'],
    ['a collaborator in an unknown department', (c) => c.one(t.rawInsertUser, ['A', 'a@epic.events', null, 'accounting', null]), '23502'],
    ['a negative amount due', (c, w) => c.one(t.rawInsertContract, [w.client, '100', '-1', null]), '23514'],
    ['an amount due above the total', (c, w) => c.one(t.rawInsertContract, [w.client, '100', '100.01', null]), '23514'],
    ['a negative total', (c, w) => c.one(t.rawInsertContract, [w.client, '-5', '0', null]), '23514'],
    ['an amount with more than 10 integer digits', (c, w) => c.one(t.rawInsertContract, [w.client, '12345678901', '0', null]), '22003'],
    ['a contract without a client', (c) => c.one(t.rawInsertContract, [null, '100', '0', null]), '23502'],
    ['a contract of a missing client', (c) => c.one(t.rawInsertContract, [999999, '100', '0', null]), '23503'],
    ['an event ending before it starts', (c, w) => c.one(t.rawInsertContract, [w.client, '1', '0', null]).then((r) => c.one(t.rawInsertEvent, [(r as Id).id, 'E', end, start, null, 'L', 1, null])), '23514'],
    ['an event ending when it starts', (c, w) => c.one(t.rawInsertContract, [w.client, '1', '0', null]).then((r) => c.one(t.rawInsertEvent, [(r as Id).id, 'E', start, start, null, 'L', 1, null])), '23514'],
    ['negative attendees', (c, w) => c.one(t.rawInsertContract, [w.client, '1', '0', null]).then((r) => c.one(t.rawInsertEvent, [(r as Id).id, 'E', start, end, null, 'L', -1, null])), '23514'],
    ['an event without a location', (c, w) => c.one(t.rawInsertContract, [w.client, '1', '0', null]).then((r) => c.one(t.rawInsertEvent, [(r as Id).id, 'E', start, end, null, null, 1, null])), '23502'],
    ['a second event for the same contract', (c, w) => c.one(t.rawInsertEvent, [w.contract, 'Again', start, end, null, 'L', 1, null]), '23505'],
  ];
  for (const [what, attempt, sqlstate] of refused) {
    it(`refuses ${what} (${sqlstate})`, async () => {
      const w = await asOwner(world);
      const code = await failureOf(() => asOwner((c) => attempt(c, w)));
      expect(code).to.equal(sqlstate);
    });
  }

  // A DELETE is a move to the trash (migration 026), the owner's too: what depends
  // on the record goes with it, so nothing is ever left pointing at a missing row.
  it('a raw DELETE of a client moves it to the trash with its contract and event; of a contract, with its event', async () => {
    const w = await asOwner(world);
    await asOwner((c) => c.exec(t.rawDeleteContract, [w.contract]));
    expect(await asOwner((c) => c.many(t.trashedRecords))).to.deep.equal([
      { object: 'contract', recordId: w.contract, wentWith: false },
      { object: 'event', recordId: w.event, wentWith: true },
    ]);
    await resetData();
    const v = await asOwner(world);
    await asOwner((c) => c.exec(t.rawDeleteClient, [v.client]));
    const trashed = await asOwner((c) => c.many<{ object: string; recordId: number }>(t.trashedRecords));
    expect(trashed.map((r) => `${r.object} ${r.recordId}`)).to.deep.equal([`client ${v.client}`, `contract ${v.contract}`, `event ${v.event}`]);
  });

  it('refuses to delete a collaborator who still holds clients or events (migration 009), and once released keeps them unassigned', async () => {
    const w = await asOwner(world);
    expect(await failureOf(() => asOwner((c) => c.exec(t.rawDeleteUser, [w.sales])))).to.equal('23514');
    expect(await failureOf(() => asOwner((c) => c.exec(t.rawDeleteUser, [w.support])))).to.equal('23514');
    await asOwner(async (c) => {
      await c.exec(t.rawReleaseHoldings, [w.sales]);
      await c.exec(t.rawDeleteUser, [w.sales]);
      await c.exec(t.rawReleaseHoldings, [w.support]);
      await c.exec(t.rawDeleteUser, [w.support]);
    });
    const [client, event] = await asOwner(async (c) => [await c.one(t.rawClientSalesContact, [w.client]), await c.one(t.rawEventSupportContact, [w.event])]);
    expect(client).to.deep.equal({ sales_contact_id: null });
    expect(event).to.deep.equal({ support_contact_id: null });
  });

  it('stores money as numeric(12,2) and times as timestamptz', async () => {
    const cols = await asOwner((c) => c.many<Record<string, unknown>>(t.rawColumnTypes));
    const col = (table: string, column: string) => cols.find((r) => r.table_name === table && r.column_name === column) as Record<string, unknown>;
    for (const name of ['total_amount', 'amount_due']) {
      expect(col('contracts', name)).to.include({ data_type: 'numeric', numeric_precision: 12, numeric_scale: 2, is_nullable: 'NO' });
    }
    for (const [table, column] of [['events', 'start_at'], ['events', 'end_at'], ['clients', 'created_at'], ['clients', 'updated_at'], ['contracts', 'signed_at']]) {
      expect(col(table, column).data_type).to.equal('timestamp with time zone');
    }
  });

  it('has an index for every filter of the design', async () => {
    const defs = (await asOwner((c) => c.many<{ indexdef: string }>(t.rawIndexes))).map((r) => r.indexdef).join('\n');
    expect(defs).to.match(/ON epic\.clients .*\(sales_contact_id/);
    expect(defs).to.match(/ON epic\.events .*\(support_contact_id/);
    expect(defs).to.match(/ON epic\.contracts .*WHERE \(signed_at IS NULL\)/);
    expect(defs).to.match(/ON epic\.contracts .*WHERE \(amount_due > /);
    expect(defs).to.match(/ON epic\.events .*WHERE \(support_contact_id IS NULL\)/);
  });
});
