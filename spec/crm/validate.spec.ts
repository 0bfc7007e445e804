import { expect } from 'chai';
import { ValidationError } from '../../lib/domain/errors.js';
import { money } from '../../lib/crm/money.js';
import { attendees, email, fieldsOf, phone, Problems, recordId, text, timestamp, validated } from '../../lib/crm/validate.js';

function problemsOf(check: (p: Problems) => unknown): string[] {
  const p = new Problems();
  check(p);
  return p.list.map((x) => x.field);
}

describe('validate (shared field validators)', () => {
  describe('money', () => {
    for (const [input, expected] of [['1500.10', '1500.10'], [1500.1, '1500.10'], [1500, '1500.00'], ['0', '0.00'], [0.1, '0.10'], ['007.5', '7.50'], ['9999999999.99', '9999999999.99']] as const) {
      it(`accepts ${JSON.stringify(input)} exactly as '${expected}'`, () => {
        expect(validated((p) => money(input, 'totalAmount', p))).to.equal(expected);
      });
    }
    for (const input of ['12.345', -1, '-1', Number.NaN, 'NaN', '1e3', 1e21, Infinity, '', ' ', '1,5', '10000000000.00', null, true, {}]) {
      it(`refuses ${typeof input === 'number' ? String(input) : JSON.stringify(input)} with a ValidationError`, () => {
        expect(() => validated((p) => money(input, 'totalAmount', p))).to.throw(ValidationError, /totalAmount/);
      });
    }
  });

  it('accepts phones of digits, spaces and + - ( ) . with 6 to 20 digits', () => {
    for (const ok of ['+678 123 456 78', '(01) 23.45.67.89', '123456', '+1-800-555-0199']) expect(validated((p) => phone(ok, 'phone', p))).to.equal(ok);
  });

  it('refuses phones with letters, too few or too many digits', () => {
    for (const bad of ['12345', 'call me', '+33 6 12 34 56 78 ext 2', '1'.repeat(21), '12345\u0000678']) {
      expect(problemsOf((p) => phone(bad, 'phone', p)), bad).to.deep.equal(['phone']);
    }
  });

  it('refuses malformed emails', () => {
    for (const bad of ['kevin', 'kevin@', '@startup.io', 'kev in@startup.io', 'kevin@startup', "'; DROP TABLE clients; --"]) {
      expect(problemsOf((p) => email(bad, 'email', p)), bad).to.deep.equal(['email']);
    }
  });

  it('reads ISO 8601 timestamps and Dates, and refuses impossible or unparseable dates', () => {
    expect(validated((p) => timestamp('2026-06-04T13:00:00Z', 'startAt', p))?.toISOString()).to.equal('2026-06-04T13:00:00.000Z');
    expect(validated((p) => timestamp(new Date(0), 'startAt', p))?.getTime()).to.equal(0);
    for (const bad of ['2026-02-30', '2026-13-01', 'the day after the party', '04/06/2026', '2026-06-04T25:00', new Date('x'), 1717500000000]) {
      expect(problemsOf((p) => timestamp(bad, 'startAt', p)), String(bad)).to.deep.equal(['startAt']);
    }
  });

  it('accepts whole attendee counts from 0 and refuses the rest', () => {
    expect(validated((p) => attendees(0, 'attendees', p))).to.equal(0);
    for (const bad of [-1, 1.5, '75', Number.NaN]) expect(problemsOf((p) => attendees(bad, 'attendees', p))).to.deep.equal(['attendees']);
  });

  it('refuses unknown fields by name (a typo is never ignored)', () => {
    expect(problemsOf((p) => fieldsOf({ phon: '123456' }, 'changes', ['phone'], p))).to.deep.equal(['phon']);
    expect(problemsOf((p) => fieldsOf('phone', 'changes', ['phone'], p))).to.deep.equal(['changes']);
  });

  describe('messages read as sentences and state the limit exceeded (#17)', () => {
    const messageOf = (check: (p: Problems) => unknown): string => {
      try {
        validated(check);
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    };

    it('names what was given with the right article, and "nothing" for a missing value', () => {
      expect(messageOf((p) => fieldsOf(5, 'changes', ['phone'], p))).to.match(/\(got the number 5\)$/);
      expect(messageOf((p) => text({}, 'fullName', p, { max: 10 }))).to.equal('fullName must be text (got an object)');
      expect(messageOf((p) => text(undefined, 'fullName', p, { max: 10 }))).to.equal('fullName must be text (got nothing)');
      expect(messageOf((p) => recordId([1], 'id', p))).to.match(/\(got an array\)$/);
      for (const check of [(p: Problems) => text({}, 'f', p, { max: 1 }), (p: Problems) => text(undefined, 'f', p, { max: 1 }), (p: Problems) => money(undefined, 'f', p)]) {
        expect(messageOf(check)).not.to.match(/got a (object|undefined)/);
      }
    });

    it('says the largest amount when an amount is too large, and which rule an amount breaks', () => {
      expect(messageOf((p) => money('10000000000', 'totalAmount', p))).to.equal('totalAmount must be at most 9999999999.99, the largest amount stored (got "10000000000")');
      expect(messageOf((p) => money(-1, 'totalAmount', p))).to.equal('totalAmount must be at least 0 (got "-1")');
      expect(messageOf((p) => money('1.234', 'totalAmount', p))).to.equal('totalAmount must have at most 2 decimals (cents) (got "1.234")');
      expect(messageOf((p) => money('abc', 'totalAmount', p))).to.match(/from 0 to 9999999999\.99/);
    });

    it('states the range of ids and attendee counts', () => {
      expect(messageOf((p) => recordId(0, 'id', p))).to.equal('id must be a record id, a whole number from 1 to 2147483647 (got the number 0)');
      expect(messageOf((p) => attendees(2 ** 31, 'attendees', p))).to.equal('attendees must be a whole number from 0 to 2147483647 (got the number 2147483648)');
    });
  });
});
