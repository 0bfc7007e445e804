import { expect } from 'chai';
import { TABLE_CELL_WIDTH, formatDate, formatMoney, formatRecord, formatTable, heading, render, wantsColor } from '../../lib/shell/output.js';

describe('shell output', () => {
  it('shows amounts with two decimals, exactly', () => {
    expect(formatMoney('1500.5')).to.equal('1500.50');
    expect(formatMoney('12')).to.equal('12.00');
    expect(formatMoney('9999999999.99')).to.equal('9999999999.99');
  });

  it('shows dates in local time', () => {
    expect(formatDate(new Date(2026, 5, 4, 13, 0))).to.equal('2026-06-04 13:00');
  });

  it('turns camelCase fields into readable headings', () => {
    expect(heading('salesContactId')).to.equal('sales contact id');
    expect(formatTable([{ id: 1, fullName: 'Kevin Casey' }], false).split('\n')[0]).to.match(/^ID\s+FULL NAME$/);
  });

  it('prints one record a field a line', () => {
    expect(formatRecord({ id: 1, totalAmount: '10' }, false)).to.equal('          id: 1\ntotal amount: 10.00');
  });

  it('cuts long cells to 40 characters with an ellipsis in tables only; records and JSON keep the whole text', () => {
    const notes = `Bring ${'very '.repeat(30)}many flowers.\nAnd a second line.`;
    const table = formatTable([{ id: 1, notes }, { id: 2, notes: 'short' }], false);
    const lines = table.split('\n');
    expect(lines).to.have.length(3);
    const cell = lines[1].replace(/^1\s+/, '');
    expect([...cell]).to.have.length.at.most(TABLE_CELL_WIDTH);
    expect(cell).to.match(/^Bring very very .*…$/);
    expect(lines[2]).to.match(/^2\s+short$/);
    expect(formatRecord({ id: 1, notes }, false)).to.include(notes);
    expect(render({ id: 1, notes }, { json: true, color: false })).to.equal(JSON.stringify({ id: 1, notes }));
  });

  it('prints JSON with amounts as exact strings', () => {
    expect(render({ id: 1, totalAmount: '10.00' }, { json: true, color: false })).to.equal('{"id":1,"totalAmount":"10.00"}');
  });

  it('uses colour only on a TTY without NO_COLOR', () => {
    expect(wantsColor(undefined, { isTTY: true }, {})).to.equal(true);
    expect(wantsColor(undefined, { isTTY: true }, { NO_COLOR: '1' })).to.equal(false);
    expect(wantsColor(undefined, { isTTY: false }, {})).to.equal(false);
    expect(formatTable([{ id: 1 }], false)).to.not.include('\x1b');
  });
});
