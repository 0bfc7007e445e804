import { expect } from 'chai';
import { cutToWidth, padToWidth, textWidth, wrapToWidth } from '../../lib/platform/width.js';
import { formatRecord, formatTable } from '../../lib/shell/output.js';

const COMBINING = 'Ame\u0301lie Lefe\u0300vre'; // "Amélie Lefèvre" with the accents as separate code points

describe('terminal width (lib/platform/width.ts)', () => {
  it('counts a combining accent as no column and a CJK character as two', () => {
    expect(textWidth(COMBINING)).to.equal(14);
    expect(textWidth('山田太郎')).to.equal(8);
    expect(textWidth('株式会社テスト')).to.equal(14);
    expect(textWidth('plain')).to.equal(5);
  });

  it('cuts to columns with …, never between a letter and its accent nor inside a wide character', () => {
    expect(textWidth(cutToWidth('株式会社テスト', 6))).to.be.at.most(6);
    expect(cutToWidth('株式会社テスト', 6)).to.equal('株式…');
    expect(cutToWidth('Ame\u0301lie', 4)).to.equal('Ame\u0301…');
    expect(cutToWidth('short', 10)).to.equal('short');
  });

  it('pads to columns', () => {
    expect(padToWidth('山田', 6)).to.equal('山田  ');
    expect(padToWidth('1.00', 6, true)).to.equal('  1.00');
  });

  it('wraps between words, cutting only a word longer than the line', () => {
    expect(wrapToWidth('the quick brown fox jumps', 10)).to.deep.equal(['the quick', 'brown fox', 'jumps']);
    expect(wrapToWidth('ab averyveryverylongword cd', 8)).to.deep.equal(['ab', 'averyver', 'yverylon', 'gword cd']);
    for (const line of wrapToWidth('山田太郎 株式会社テスト 山田太郎', 10)) expect(textWidth(line)).to.be.at.most(10);
  });
});

describe('tables and records measure as the terminal draws', () => {
  const rows = [
    { id: 1, fullName: COMBINING, companyName: '株式会社テスト', totalAmount: '1500.00' },
    { id: 2, fullName: '山田太郎', companyName: 'Plain Ltd', totalAmount: '80000.50' },
  ];

  it('lines up columns after combining and wide characters, money right-aligned', () => {
    const lines = formatTable(rows, false).split('\n');
    // Each column starts at the same terminal column on every line.
    const starts = lines.map((l) => {
      const cols: number[] = [];
      let at = 0;
      let prev = ' ';
      let before = ' ';
      for (const ch of l) {
        if (ch !== ' ' && prev === ' ' && before === ' ') cols.push(at);
        before = prev;
        prev = ch;
        at += textWidth(ch);
      }
      return cols;
    });
    expect(starts[1].slice(0, 3)).to.deep.equal(starts[2].slice(0, 3));
    expect(lines.map((l) => textWidth(l))).to.satisfy((ws: number[]) => ws[1] === ws[2]); // amounts end at the same column
    expect(lines[1]).to.match(/ 1500\.00$/);
  });

  it('fits 80 columns with wide names: cut cells are at most their column', () => {
    const wide = Array.from({ length: 5 }, (_, i) => ({ id: i, fullName: '山田太郎'.repeat(6), companyName: '株式会社テスト'.repeat(3), salesContactName: 'Ame\u0301lie'.repeat(5) }));
    for (const line of formatTable(wide, false, { object: 'clients', width: 80 }).split('\n')) expect(textWidth(line)).to.be.at.most(80);
  });

  it('wraps a record at the width in columns', () => {
    const text = formatRecord({ id: 1, notes: '山田太郎 '.repeat(20) }, false, { width: 40 });
    for (const line of text.split('\n')) expect(textWidth(line)).to.be.at.most(40);
  });
});
