/**
 * Hostile strings in every text field: stored and read back literally, or
 * refused with a ValidationError that changes nothing. Never executed.
 */
import { expect } from 'chai';
import { ValidationError } from '../../lib/domain/errors.js';
import { apiAs, buildWorld, rejection } from '../support/fixtures.js';
import { fingerprint, resetData } from '../support/server.js';

const HOSTILE: Array<[string, string]> = [
  ['a DROP TABLE', "'; DROP TABLE clients; --"],
  ['a tautology', "' OR '1'='1"],
  ['a placeholder', '$1'],
  ['backslashes', 'C:\\temp\\new \\\\ \\x00'],
  ['a NUL character', 'abc\u0000def'],
  ['10 kB', 'x'.repeat(10 * 1024)],
  ['emoji', '🎉 Fête 👰‍♀️🤵'],
];

/** Store `value` in one field through the API and read it back (or get the refusal). */
type Probe = (value: string) => Promise<string | null>;

describe('hostile strings in every text field', () => {
  beforeEach(resetData);

  const fields: Array<[string, (w: Awaited<ReturnType<typeof buildWorld>>) => Probe]> = [
    ['clients.fullName', (w) => async (v) => (await apiAs(w.alice).clients.update(w.clientA, { fullName: v })).fullName],
    ['clients.companyName', (w) => async (v) => (await apiAs(w.alice).clients.update(w.clientA, { companyName: v })).companyName],
    ['clients.email', (w) => async (v) => (await apiAs(w.alice).clients.update(w.clientA, { email: v })).email],
    ['clients.phone', (w) => async (v) => (await apiAs(w.alice).clients.update(w.clientA, { phone: v })).phone],
    ['clients.list search', (w) => async (v) => ((await apiAs(w.alice).clients.list({ search: v })).rows.length === 0 ? v : 'matched something')],
    ['events.name', (w) => async (v) => (await apiAs(w.kate).events.update(w.eventK, { name: v })).name],
    ['events.location', (w) => async (v) => (await apiAs(w.kate).events.update(w.eventK, { location: v })).location],
    ['events.notes', (w) => async (v) => (await apiAs(w.kate).events.update(w.eventK, { notes: v })).notes],
    ['contracts.totalAmount', (w) => async (v) => (await apiAs(w.manager).contracts.update(w.contractA, { totalAmount: v })).totalAmount],
  ];

  for (const [field, probeFor] of fields) {
    it(`${field} stores each one literally or refuses it, and the tables survive`, async () => {
      const w = await buildWorld();
      const probe = probeFor(w);
      for (const [label, value] of HOSTILE) {
        const before = await fingerprint();
        let stored: string | null | undefined;
        let refusal: unknown;
        try {
          stored = await probe(value);
        } catch (err) {
          refusal = err;
        }
        if (refusal) {
          expect(refusal, `${label}: ${String(refusal)}`).to.be.instanceOf(ValidationError);
          expect(await fingerprint(), label).to.deep.equal(before);
        } else {
          expect(stored, label).to.equal(value);
        }
      }
      const after = await fingerprint();
      expect(after.clients).to.equal(2);
      expect(after.events).to.equal(2);
    });
  }

  it('a NUL character is refused by name, not passed to the driver', async () => {
    const w = await buildWorld();
    const err = await rejection(apiAs(w.kate).events.update(w.eventK, { notes: 'a\u0000b' }));
    expect((err as ValidationError).problems).to.deep.equal([{ field: 'notes', problem: 'must not contain NUL characters' }]);
  });
});
