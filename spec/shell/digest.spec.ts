import { expect } from 'chai';
import type { Digest } from '../../lib/crm/digest.js';
import { digestLines, loginDigest } from '../../lib/shell/digest.js';
import { fakeLogin } from '../support/fake-api.js';

const at = new Date(2026, 11, 3, 15, 30);
const full: Digest = {
  days: 7,
  events: { count: 2, nextName: 'John Ouick Wedding', nextAt: at },
  contracts: { unsigned: 3, unsignedValue: '9000.5', unpaid: 1, due: '1500.00' },
  unassigned: { count: 4, nextAt: at },
};

describe('shell/digest', () => {
  it('words each department its own way, in at most five lines', () => {
    expect(digestLines(full, 'management')).to.deep.equal([
      'Events in the next 7 days: 2 (next: John Ouick Wedding, 2026-12-03 15:30)',
      'Contracts: 3 unsigned (9000.50), 1 signed contract with 1500.00 still due',
      'Events without a support contact: 4 (first starts 2026-12-03 15:30): events.list({unassigned: true})',
      'Details: reports.unpaid(), reports.pipeline()',
    ]);
    expect(digestLines({ ...full, unassigned: undefined }, 'sales')[1]).to.equal("Your clients' contracts: 3 unsigned (9000.50), 1 signed contract with 1500.00 still due");
    expect(digestLines({ days: 7, events: { count: 0, nextName: null, nextAt: null } }, 'support')).to.deep.equal(['Your events in the next 7 days: none']);
    const due = { ...full, followUps: { count: 2, firstClient: 'Kevin Casey', firstNote: 'call about the budget' } };
    expect(digestLines(due, 'management')).to.have.length(5);
    expect(digestLines(due, 'sales')[2]).to.equal('Follow-ups due: 2 (first: Kevin Casey, call about the budget): followUps({due: true})');
    expect(digestLines({ ...full, followUps: { count: 0, firstClient: null, firstNote: null } }, 'management')).to.have.length(4);
  });

  it('says when there is nothing to do, without the details hint', () => {
    const calm: Digest = { days: 7, events: { count: 0, nextName: null, nextAt: null }, contracts: { unsigned: 0, unsignedValue: '0', unpaid: 0, due: '0' }, unassigned: { count: 0, nextAt: null } };
    expect(digestLines(calm, 'management')).to.deep.equal([
      'Events in the next 7 days: none', 'Contracts: none unsigned, nothing due', 'Events without a support contact: none',
    ]);
  });

  it('never lets an event name drive the terminal', () => {
    const [line] = digestLines({ ...full, events: { ...full.events, nextName: 'Party\x1b[2J\u202e' } }, 'support');
    expect(line).to.include('Party\\x1b[2J\\u202e').and.not.include('\x1b');
  });

  it('opens the shell all the same when the digest cannot be read', async () => {
    const login = fakeLogin('sales');
    expect(await loginDigest({ ...login, digest: async () => { throw new Error('database gone'); } })).to.deep.equal([]);
    expect(await loginDigest({ ...login, digest: undefined })).to.deep.equal([]);
  });
});
