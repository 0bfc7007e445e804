import { expect } from 'chai';
import { TABLE_CELL_WIDTH, ShellText, formatDate, formatMoney, formatRecord, formatTable, heading, printed, render, wantsColor } from '../../lib/shell/output.js';
import { describeError } from '../../lib/shell/errors.js';
import { noopMonitor } from '../../lib/platform/monitoring.js';
import { ValidationError } from '../../lib/domain/errors.js';
import { ESCAPE_CORPUS, HOSTILE_TEXT, RAW_UNSAFE } from '../support/escapes.js';

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

  describe('text from data never drives the terminal', () => {
    const plain = { json: false, color: false };
    const coloured = { json: false, color: true };
    for (const [what, seq] of ESCAPE_CORPUS) {
      it(`shows ${what} as escapes in tables, records, values, errors and print`, () => {
        const record = { id: 1, fullName: `Kevin ${seq}`, notes: `line one\n${seq}\nline three` };
        const outputs = [
          formatTable([record], false),
          formatRecord(record, false),
          render(record, coloured),
          render([record, { id: 2, fullName: 'x' }], coloured),
          render({ id: 1, nested: { text: seq } }, coloured),
          render(new Error(seq), coloured),
          render(Symbol(seq), coloured),
          render({ [seq]: 1 }, plain),
          render(new ShellText(`help ${seq}`), plain),
          describeError(new ValidationError(`fullName ${seq}`), noopMonitor),
          describeError(seq, noopMonitor),
          describeError({ name: 'Error', message: seq }, noopMonitor),
          printed([seq, { id: 1, fullName: seq }], plain),
        ];
        for (const out of outputs) {
          // Colour codes of our own (SGR) aside, no raw control or bidi character is left.
          expect(out.replace(/\x1b\[[0-9;]*m/g, ''), JSON.stringify(out)).not.to.match(RAW_UNSAFE);
          expect(out).not.to.include(seq);
        }
        expect(formatRecord(record, false)).to.match(/\\(x[0-9a-f]{2}|u[0-9a-f]{4}|[trn])/);
      });
    }

    it('keeps the line breaks of a record\'s notes only; a table joins them, a name shows \\n', () => {
      const out = formatRecord({ fullName: 'a\nb', notes: 'one\r\ntwo\nthree' }, false);
      expect(out).to.include('full name: a\\nb');
      expect(out).to.include('notes: one\ntwo\nthree');
      expect(formatTable([{ id: 1, notes: 'one\ntwo' }], false)).to.include('one two');
    });

    it('prints the exact text with --json', () => {
      const record = { id: 1, notes: HOSTILE_TEXT };
      expect(JSON.parse(render(record, { json: true, color: false }))).to.deep.equal(record);
      expect(printed([HOSTILE_TEXT], { json: true, color: false })).to.equal(HOSTILE_TEXT);
    });

    it('describes any thrown value as one line, even one whose name, message or text throws when read', () => {
      const hostile = [
        { get name() { throw new Error('evil name'); }, message: 'm' },
        { name: 'Error', get message() { throw new Error('evil message'); } },
        { toString() { throw new Error('evil text'); } },
        new Proxy({}, { get() { throw new Error('evil proxy'); } }),
      ];
      for (const value of hostile) {
        const line = describeError(value, noopMonitor);
        expect(line).to.match(/^Uncaught: a thrown value that cannot be read/);
        expect(line).not.to.include('\n');
      }
    });

    it('keeps inspect\'s own colours when the value carries nothing unsafe', () => {
      expect(render(42, { json: false, color: true })).to.equal('\x1b[33m42\x1b[39m');
    });
  });
});

describe('records and lists print as such', () => {
  it('prints a record holding a record (users.update with moved) as one field a line, never a raw object', () => {
    const text = render({ id: 4, fullName: 'Ana Vente', moved: { clients: 3, events: 0, to: { id: 7, fullName: 'Bill Boquet' } } }, { json: false, color: false, width: 80 });
    expect(text).to.equal(['           id: 4', '    full name: Ana Vente', 'moved clients: 3', ' moved events: 0', '     moved to: Bill Boquet (id 7)'].join('\n'));
  });

  it('gives every list of records its row-count footer', () => {
    expect(render([{ salesContact: 'Bill', value: '10.00' }, { salesContact: 'Ana', value: '5.00' }], { json: false, color: false, width: 80 })).to.match(/\n\(2 rows\)$/);
  });
});
