import { expect } from 'chai';
import { COLUMN_GAP, MIN_CELL_WIDTH, VIEWS, chooseLayout, columnLabel, fitWidths, resolveColumn, type Layout, type LayoutRequest } from '../../lib/shell/layout.js';

/** A contracts list as the API returns it, with cells of these widths. */
const contractCells: Record<string, number> = {
  id: 3, clientId: 3, clientName: 18, clientEmail: 24, clientPhone: 15, salesContactId: 2, salesContactName: 14,
  totalAmount: 9, amountDue: 9, signed: 3, signedAt: 16, createdAt: 16, updatedAt: 16,
};
const contracts = (width: number | undefined, extra: Partial<LayoutRequest> = {}): Layout =>
  chooseLayout({ object: 'contracts', fields: Object.keys(contractCells), cellWidths: contractCells, width, columns: 'default', expanded: 'auto', ...extra });

/** The width a table layout takes on screen. */
const drawn = (layout: Layout) => (layout.kind === 'table' ? layout.widths.reduce((a, b) => a + b, 0) + COLUMN_GAP * (layout.widths.length - 1) : 0);

describe('list layout (lib/shell/layout.ts)', () => {
  it('shows the short view of contracts at 80 columns: id, client, sales contact, total, due, signed', () => {
    const layout = contracts(80);
    expect(layout.kind).to.equal('table');
    expect(layout.columns).to.deep.equal(['id', 'clientName', 'salesContactName', 'totalAmount', 'amountDue', 'signed']);
    expect(drawn(layout)).to.be.at.most(80);
  });

  it('adds the next most useful columns on a wider terminal, in the view order, while they fit', () => {
    const layout = contracts(140);
    expect(layout.kind).to.equal('table');
    expect(layout.columns).to.include.members(['signedAt', 'clientEmail']).and.not.include('salesContactId');
    expect(layout.columns.indexOf('clientEmail')).to.be.below(layout.columns.indexOf('totalAmount'));
    expect(drawn(layout)).to.be.at.most(140);
    expect(contracts(400).columns).to.have.length(Object.keys(contractCells).length);
  });

  it('never cuts cells at a fixed width on a wide terminal: a 120-character note shows whole at 200 columns', () => {
    const cells = { id: 2, notes: 120 };
    const layout = chooseLayout({ fields: ['id', 'notes'], cellWidths: cells, width: 200, columns: 'default', expanded: 'auto' });
    expect(layout).to.deep.equal({ kind: 'table', columns: ['id', 'notes'], widths: [2, 120] });
  });

  it('cuts only the widest cells, to a common width, when that makes the table fit', () => {
    expect(fitWidths(['id', 'notes', 'name'], { id: 2, notes: 100, name: 30 }, 60)).to.deep.equal([2, 27, 27]);
    expect(fitWidths(['id', 'name'], { id: 2, name: 10 }, 60)).to.deep.equal([2, 10]);
    expect(fitWidths(['a', 'b', 'c'], { a: 50, b: 50, c: 50 }, 3 * MIN_CELL_WIDTH)).to.equal(undefined);
  });

  it('switches to one record after another when even the short view does not fit (expanded auto), never with off', () => {
    expect(contracts(40)).to.deep.include({ kind: 'vertical' });
    expect(contracts(40).columns).to.deep.equal(['id', 'clientName', 'salesContactName', 'totalAmount', 'amountDue', 'signed']);
    expect(contracts(40, { expanded: 'off' }).kind).to.equal('table');
    expect(contracts(200, { expanded: 'on' }).kind).to.equal('vertical');
  });

  it("shows the columns asked for, or every column with 'all', vertically when they do not fit", () => {
    expect(contracts(80, { columns: ['totalAmount', 'id'] }).columns).to.deep.equal(['totalAmount', 'id']);
    expect(contracts(400, { columns: 'all' }).kind).to.equal('table');
    const all = contracts(80, { columns: 'all' });
    expect(all.kind).to.equal('vertical');
    expect(all.columns).to.have.length(Object.keys(contractCells).length);
    // Wide enough to cut every column to a common width, not to show them whole: one record after another.
    expect(fitWidths(Object.keys(contractCells), contractCells, 150)).to.not.equal(undefined);
    expect(contracts(150, { columns: 'all' }).kind).to.equal('vertical');
    expect(contracts(150, { columns: 'all', expanded: 'off' }).kind).to.equal('table');
  });

  it('shows every column, cut at 40 characters, when the width is not known (a file or a pipe)', () => {
    const layout = contracts(undefined);
    expect(layout.columns).to.have.length(Object.keys(contractCells).length);
    const wide = chooseLayout({ fields: ['notes'], cellWidths: { notes: 300 }, width: undefined, columns: 'default', expanded: 'auto' });
    expect(wide).to.deep.equal({ kind: 'table', columns: ['notes'], widths: [40] });
  });

  it('keeps fields a view does not know (a newer query), after the known ones', () => {
    const layout = chooseLayout({ object: 'clients', fields: ['score', 'id', 'fullName'], cellWidths: { score: 3, id: 2, fullName: 10 }, width: 200, columns: 'default', expanded: 'auto' });
    expect(layout.columns).to.deep.equal(['id', 'fullName', 'score']);
  });

  it('fits the short view of every object in 80 columns with typical cells', () => {
    const typical = (f: string) => (/At$/.test(f) ? 16 : /Id$|^id$/.test(f) ? 4 : /Amount|amount|Due/.test(f) ? 10 : /email|Email/.test(f) ? 26 : 18);
    for (const [object, view] of Object.entries(VIEWS)) {
      const cells = Object.fromEntries(view.order.map((f) => [f, typical(f)]));
      const layout = chooseLayout({ object, fields: [...view.order], cellWidths: cells, width: 80, columns: 'default', expanded: 'auto' });
      expect(layout.kind, object).to.equal('table');
      expect(layout.columns, object).to.include.members([...view.core]);
      expect(drawn(layout), object).to.be.at.most(80);
    }
  });

  it('knows a column by its name, its words or its heading', () => {
    const fields = VIEWS.contracts.order;
    expect(resolveColumn('totalAmount', fields)).to.equal('totalAmount');
    expect(resolveColumn('total amount', fields)).to.equal('totalAmount');
    expect(resolveColumn('Total', fields)).to.equal('totalAmount');
    expect(resolveColumn('sales contact', fields)).to.equal('salesContactName');
    expect(resolveColumn('totl', fields)).to.equal(undefined);
    expect(columnLabel('fullName')).to.equal('full name');
  });
});
