import { expect } from 'chai';
import vm from 'node:vm';
import { endOfDay, formatDate, isDate, readDate } from '../../lib/platform/dates.js';
import { Settings } from '../../lib/shell/settings.js';

/** Monday 30 November 2026, 23:50 local time. */
const NOW = new Date(2026, 10, 30, 23, 50);
const read = (v: unknown) => readDate(v, NOW);
const local = (y: number, mo: number, d: number, h = 0, mi = 0) => new Date(y, mo - 1, d, h, mi).getTime();
const timeOf = (v: unknown) => {
  const r = read(v);
  if ('problem' in r) throw new Error(`${String(v)}: ${r.problem}`);
  return r.date.getTime();
};

describe('dates (lib/platform/dates.ts)', () => {
  it('reads ISO 8601 as local time unless a zone is given, a bare date as local midnight', () => {
    expect(timeOf('2026-06-04T13:00')).to.equal(local(2026, 6, 4, 13));
    expect(timeOf('2026-06-04 13:00')).to.equal(local(2026, 6, 4, 13));
    expect(timeOf('2026-06-04T13:00:00Z')).to.equal(Date.UTC(2026, 5, 4, 13));
    expect(read('2026-12-03')).to.deep.equal({ date: new Date(local(2026, 12, 3)), dateOnly: true });
  });

  it('reads a Date from another realm (the REPL context has its own Date)', () => {
    const foreign = vm.runInNewContext('new Date(Date.UTC(2026, 5, 4, 13))') as unknown;
    expect(foreign instanceof Date).to.equal(false);
    expect(isDate(foreign)).to.equal(true);
    expect(timeOf(foreign)).to.equal(Date.UTC(2026, 5, 4, 13));
    expect(read(vm.runInNewContext("new Date('x')"))).to.deep.equal({ problem: 'is an invalid Date' });
  });

  it("reads English phrases: 'today', 'tomorrow 18:00', 'next friday', '5 June 2026 18:00'", () => {
    expect(read('today')).to.deep.equal({ date: new Date(local(2026, 11, 30)), dateOnly: true });
    expect(read('tomorrow 18:00')).to.deep.equal({ date: new Date(local(2026, 12, 1, 18)), dateOnly: false });
    const friday = read('next friday');
    expect('date' in friday && friday.date.getDay()).to.equal(5);
    expect('date' in friday && friday.dateOnly).to.equal(true);
    expect(timeOf('5 June 2026 18:00')).to.equal(local(2026, 6, 5, 18));
    expect(timeOf('13/06/2027')).to.equal(local(2027, 6, 13));
  });

  it("reads offsets from now: '+7d', '-2h', '+30min', '+1w'", () => {
    expect(timeOf('+7d')).to.equal(NOW.getTime() + 7 * 86_400_000);
    expect(timeOf('-2h')).to.equal(NOW.getTime() - 2 * 3_600_000);
    expect(timeOf('+30min')).to.equal(NOW.getTime() + 30 * 60_000);
    expect(timeOf('+1w')).to.equal(NOW.getTime() + 7 * 86_400_000);
  });

  it('refuses a day/month order only the writer knows, with an example that is not', () => {
    const r = read('04/06/2027 13:00');
    expect(r).to.deep.equal({ problem: "is ambiguous (got \"04/06/2027 13:00\": 4 June or April 6?); write the month as a word or the date as ISO, such as '4 June 2027 13:00' or '2027-06-04 13:00' (or '2027-04-06 13:00' for April 6)" });
  });

  it('refuses what it cannot read, impossible dates and non-dates, saying what it got', () => {
    for (const bad of ['2026-02-30', 'banana', 'tomorrow and friday', 'from monday to friday', '', 42, null, {}]) {
      expect(read(bad), String(bad)).to.have.property('problem');
    }
    expect(read('banana')).to.deep.equal({ problem: "must be a date such as '2026-06-04 13:00', 'tomorrow 18:00', 'next friday' or '+7d', or a Date (got \"banana\")" });
  });

  it('endOfDay is the next local midnight; formatDate prints local time, seconds only when set', () => {
    expect(endOfDay(new Date(local(2026, 12, 3))).getTime()).to.equal(local(2026, 12, 4));
    expect(formatDate(new Date(local(2026, 6, 4, 13)))).to.equal('2026-06-04 13:00');
    expect(formatDate(new Date(local(2026, 6, 4, 13) + 5000))).to.equal('2026-06-04 13:00:05');
    expect(formatDate(vm.runInNewContext('new Date(2026, 5, 4, 13)') as Date)).to.equal('2026-06-04 13:00');
  });

  it('reads a date as the dateFormat setting writes it (DD/MM/YYYY HH:mm: 10/12/2026 is 10 December), until it is reset', () => {
    const settings = new Settings(undefined);
    expect(read('10/12/2026')).to.have.property('problem').that.matches(/is ambiguous/);
    settings.set('dateFormat', 'DD/MM/YYYY HH:mm');
    try {
      expect(read('10/12/2026')).to.deep.equal({ date: new Date(local(2026, 12, 10)), dateOnly: true });
      expect(timeOf('10/12/2026 18:30')).to.equal(local(2026, 12, 10, 18, 30));
      expect(formatDate(new Date(timeOf('04/06/2026 13:00')), 'DD/MM/YYYY HH:mm')).to.equal('04/06/2026 13:00');
      expect(read('31/02/2026')).to.have.property('problem');
      expect(timeOf('2026-06-04 13:00')).to.equal(local(2026, 6, 4, 13)); // ISO still reads
      settings.set('dateFormat', 'MM-DD-YYYY');
      expect(timeOf('12-10-2026')).to.equal(local(2026, 12, 10));
    } finally {
      settings.reset('dateFormat');
    }
    expect(read('10/12/2026')).to.have.property('problem').that.matches(/is ambiguous/);
  });
});
