/**
 * reports (issue 15): revenue by sales contact, client or month, unpaid,
 * pipeline; exact sums; management sees everything, sales their own clients
 * (the database's scope: spec/security/payments-reports.spec.ts reads the views raw),
 * support nothing. The totals the triggers keep match a rebuild from the contracts.
 */
import { expect } from 'chai';
import { PermissionDenied, ValidationError } from '../../lib/domain/errors.js';
import { isPage } from '../../lib/crm/page.js';
import { addClient, addContract, apiAs, buildWorld, expectRefused, rejection, type World } from '../support/fixtures.js';
import { asOwner } from '../support/owner.js';
import { fingerprint, resetData } from '../support/server.js';
import { testQueries } from '../support/test-queries.js';

const t = testQueries(['setSignedAt', 'reportTotals', 'rebuildReportTotals'] as const);

async function signedAt(id: number, at: string): Promise<void> {
  await asOwner((c) => c.exec(t.setSignedAt, [id, at]));
}

const totals = () => asOwner((c) => c.one(t.reportTotals));

describe('reports', () => {
  let w: World;
  let clientC: number;
  beforeEach(async () => {
    await resetData();
    w = await buildWorld();
    // Alice: signedA 2000/0 and the event's 3000/0 (fixtures), plus 1500.50 with 1000.25 due; Bob: 2000/0, 3000/0.
    await addContract(w.clientA, '1500.50', '1000.25', true);
    clientC = await addClient('Carol Client', 'carol@client.test', w.alice.id);
  });

  describe('revenue', () => {
    it('by salesContact: contracts, total signed, collected and still due per sales contact, with an exact total', async () => {
      expect(await apiAs(w.manager).reports.revenue({ by: 'salesContact' })).to.deep.equal([
        { salesContactId: w.alice.id, salesContact: 'Alice Sales', contracts: 3, signed: '6500.50', collected: '5500.25', due: '1000.25' },
        { salesContactId: w.bob.id, salesContact: 'Bob Sales', contracts: 2, signed: '5000.00', collected: '5000.00', due: '0.00' },
        { salesContactId: null, salesContact: '(total)', contracts: 5, signed: '11500.50', collected: '10500.25', due: '1000.25' },
      ]);
    });

    it('gives sales their own clients only', async () => {
      expect(await apiAs(w.alice).reports.revenue({ by: 'salesContact' })).to.deep.equal([
        { salesContactId: w.alice.id, salesContact: 'Alice Sales', contracts: 3, signed: '6500.50', collected: '5500.25', due: '1000.25' },
        { salesContactId: null, salesContact: '(total)', contracts: 3, signed: '6500.50', collected: '5500.25', due: '1000.25' },
      ]);
    });

    describe('by month, and between from and to', () => {
      const zone = process.env.TZ;
      afterEach(() => {
        if (zone === undefined) delete process.env.TZ;
        else process.env.TZ = zone;
      });

      // Signed on both sides of midnight in Auckland (UTC+13 in summer), where a month starts in the middle of a UTC day.
      async function signings() {
        const at = async (clientId: number, total: string, due: string, when: string) => {
          const id = await addContract(clientId, total, due, true);
          await signedAt(id, when);
          return id;
        };
        await at(w.clientA, '100.00', '40.00', '2026-01-31T10:00:00Z'); // 23:00 on 31 January in Auckland
        await at(w.clientA, '200.00', '0.00', '2026-01-31T12:00:00Z'); // 01:00 on 1 February
        await at(w.clientB, '300.00', '300.00', '2026-02-10T12:00:00Z');
        await at(w.clientB, '50.00', '50.00', '2026-02-28T10:00:00Z'); // 23:00 on 28 February
        await at(w.clientB, '400.00', '100.00', '2026-02-28T12:00:00Z'); // 01:00 on 1 March: after `to`
      }

      it('counts months in the local time zone and cuts exactly at from and to', async () => {
        await signings();
        process.env.TZ = 'Pacific/Auckland';
        expect(await apiAs(w.manager).reports.revenue({ by: 'month', from: '2026-01-01', to: '2026-03-01' })).to.deep.equal([
          { month: '2026-01', contracts: 1, signed: '100.00', collected: '60.00', due: '40.00' },
          { month: '2026-02', contracts: 3, signed: '550.00', collected: '200.00', due: '350.00' },
          { month: '(total)', contracts: 4, signed: '650.00', collected: '260.00', due: '390.00' },
        ]);
      });

      it('cuts inside a day: from and to at any time', async () => {
        await signings();
        process.env.TZ = 'UTC';
        expect(await apiAs(w.manager).reports.revenue({ by: 'salesContact', from: '2026-02-10T11:00:00Z', to: '2026-02-28T11:00:00Z' })).to.deep.equal([
          { salesContactId: w.bob.id, salesContact: 'Bob Sales', contracts: 2, signed: '350.00', collected: '0.00', due: '350.00' },
          { salesContactId: null, salesContact: '(total)', contracts: 2, signed: '350.00', collected: '0.00', due: '350.00' },
        ]);
        expect(await apiAs(w.alice).reports.revenue({ by: 'month', from: '2026-01-01T00:00:00Z', to: '2026-02-01T00:00:00Z' })).to.deep.equal([
          { month: '2026-01', contracts: 2, signed: '300.00', collected: '260.00', due: '40.00' },
          { month: '(total)', contracts: 2, signed: '300.00', collected: '260.00', due: '40.00' },
        ]);
      });
    });

    it('by client: a page at a time in client order, it for more', async () => {
      await addContract(clientC, '10.00', '5.00', true);
      const page = await apiAs(w.manager).reports.revenue({ by: 'client', limit: 2 });
      if (!isPage(page)) throw new Error('by client should be a page');
      expect(page.rows).to.deep.equal([
        { id: w.clientA, client: 'Client of Alice', salesContactId: w.alice.id, salesContact: 'Alice Sales', contracts: 3, signed: '6500.50', collected: '5500.25', due: '1000.25' },
        { id: w.clientB, client: 'Client of Bob', salesContactId: w.bob.id, salesContact: 'Bob Sales', contracts: 2, signed: '5000.00', collected: '5000.00', due: '0.00' },
      ]);
      expect(page.hasMore).to.equal(true);
      const next = await page.next();
      expect(next.rows.map((r) => [r.id, r.signed, r.due])).to.deep.equal([[clientC, '10.00', '5.00']]);
      const mine = await apiAs(w.alice).reports.revenue({ by: 'client' });
      if (!isPage(mine)) throw new Error('by client should be a page');
      expect(mine.rows.map((r) => r.id)).to.deep.equal([w.clientA, clientC]);
    });

    it('follows payments, signatures and reassignments as they happen', async () => {
      const owed = await addContract(clientC, '700.00', '700.00', false);
      await apiAs(w.alice).contracts.sign(owed);
      await apiAs(w.alice).contracts.pay(owed, '200.00');
      await apiAs(w.manager).clients.assign(clientC, w.bob.id);
      const rows = await apiAs(w.manager).reports.revenue({ by: 'salesContact' });
      expect(rows).to.deep.include({ salesContactId: w.bob.id, salesContact: 'Bob Sales', contracts: 3, signed: '5700.00', collected: '5200.00', due: '500.00' });
      expect(await apiAs(w.manager).reports.pipeline()).to.deep.equal([
        { salesContactId: w.alice.id, salesContact: 'Alice Sales', contracts: 1, value: '1000.00' },
        { salesContactId: w.bob.id, salesContact: 'Bob Sales', contracts: 1, value: '1000.00' },
        { salesContactId: null, salesContact: '(total)', contracts: 2, value: '2000.00' },
      ]);
    });

    for (const [label, options, field] of [
      ['no by', {}, 'by'],
      ["by: 'week'", { by: 'week' }, 'by'],
      ['a from that is no date', { by: 'month', from: 12345 }, 'from'],
      ['a to before from', { by: 'month', from: '2026-03-01', to: '2026-02-01' }, 'to'],
      ['a limit on a short report', { by: 'month', limit: 5 }, 'limit'],
      ['an unknown key', { by: 'month', form: '2026-01-01' }, 'form'],
    ] as const) {
      it(`refuses ${label} with a ValidationError naming ${field}, and changes nothing`, async () => {
        const err = await expectRefused(() => apiAs(w.manager).reports.revenue(options as never));
        expect(err).to.be.instanceOf(ValidationError);
        expect((err as ValidationError).problems.map((p) => p.field)).to.deep.equal([field]);
      });
    }
  });

  describe('unpaid', () => {
    it('says who owes what on signed contracts, largest first, a page at a time; sales see their own clients', async () => {
      await addContract(clientC, '900.00', '500.00', true);
      await addContract(clientC, '700.00', '700.00', true);
      await addContract(w.clientB, '800.00', '300.00', true);
      await addContract(w.clientB, '800.00', '800.00', false); // unsigned: not owed yet
      const page = await apiAs(w.manager).reports.unpaid({ limit: 2 });
      expect(page.rows.map((r) => [r.client, r.contracts, r.due, r.salesContact])).to.deep.equal([
        ['Carol Client', 2, '1200.00', 'Alice Sales'], ['Client of Alice', 1, '1000.25', 'Alice Sales'],
      ]);
      expect((await page.next()).rows.map((r) => [r.client, r.due])).to.deep.equal([['Client of Bob', '300.00']]);
      expect((await apiAs(w.alice).reports.unpaid()).rows.map((r) => r.client)).to.deep.equal(['Carol Client', 'Client of Alice']);
    });
  });

  describe('pipeline', () => {
    it('gives the unsigned contracts and their value per sales contact, exactly; sales their own', async () => {
      await addContract(clientC, '0.10', '0.10', false);
      await addContract(clientC, '0.20', '0.20', false);
      expect(await apiAs(w.alice).reports.pipeline()).to.deep.equal([
        { salesContactId: w.alice.id, salesContact: 'Alice Sales', contracts: 3, value: '1000.30' },
        { salesContactId: null, salesContact: '(total)', contracts: 3, value: '1000.30' },
      ]);
    });
  });

  it('is refused to support, and changes nothing', async () => {
    const before = await fingerprint();
    for (const call of [() => apiAs(w.kate).reports.revenue({ by: 'month' }), () => apiAs(w.kate).reports.unpaid(), () => apiAs(w.kate).reports.pipeline()]) {
      expect(await rejection(call())).to.be.instanceOf(PermissionDenied);
    }
    expect(await fingerprint()).to.deep.equal(before);
  });

  it('keeps totals that match a rebuild from the contracts after every kind of change', async () => {
    const k = await addContract(clientC, '1234.56', '1234.56', false);
    await apiAs(w.manager).contracts.update(k, { totalAmount: '2000.00' });
    await apiAs(w.alice).contracts.sign(k);
    await apiAs(w.alice).contracts.pay(k, '34.56');
    await apiAs(w.manager).clients.assign(clientC, w.bob.id);
    await apiAs(w.manager).clients.assign(w.clientA, null);
    await apiAs(w.manager).users.delete(w.bob.id, { unassign: true });
    const kept = await totals();
    await asOwner((c) => c.exec(t.rebuildReportTotals));
    expect(kept).to.deep.equal(await totals());
  });

  it('a revenue call without arguments, or without by, says what by may be, once', async () => {
    const reports = apiAs(w.manager).reports;
    const bare = await rejection(reports.revenue());
    expect(bare).to.be.instanceOf(ValidationError);
    expect(bare.message).to.match(/by is required: one of 'salesContact', 'client', 'month' \(reports\.revenue\(\{by: 'month'\}\)\)$/);
    const empty = await rejection(reports.revenue({ from: '2026-01-01' }));
    expect(empty.message).to.equal("by is required: one of 'salesContact', 'client', 'month' (reports.revenue({by: 'month'}))");
    expect((await rejection(reports.revenue({ by: 'year' }))).message).to.match(/^by must be one of 'salesContact', 'client', 'month'$/);
  });
});
