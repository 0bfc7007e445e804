/**
 * The hostile corpus (spec/support/hostile.ts, ≥ 200 strings) thrown at every
 * text parameter and filter of every method: nothing executes, nothing
 * crashes; a value is stored literally or refused with one of our errors,
 * and a refusal changes nothing.
 */
import { expect } from 'chai';
import { Conflict, NotFound, ValidationError } from '../../lib/domain/errors.js';
import type { CrmApi } from '../../lib/crm/api.js';
import { HOSTILE_STRINGS } from '../support/hostile.js';
import { addContract, apiAs, buildWorld, type World } from '../support/fixtures.js';
import { fingerprint, resetData } from '../support/server.js';

/** Run the call; `read` returns the stored value to compare, or undefined when there is nothing to compare (filters). */
type Probe = (api: CrmApi, w: World, value: string, n: number, prepared: number[]) => Promise<unknown>;
type Target = {
  name: string;
  as: 'manager' | 'alice' | 'kate';
  probe: Probe;
  caseInsensitive?: boolean;
  /** Amounts come back canonical ('0' → '0.00'): compare as numbers. */
  amount?: boolean;
  /** Records the probe needs, made before the fingerprint is taken (one per value). */
  prepare?: (w: World, count: number) => Promise<number[]>;
};

const uniq = (n: number) => `h${n}-${Math.random().toString(36).slice(2, 7)}`;
const any = (v: string) => v as never;

const TARGETS: Target[] = [
  { name: 'clients.create fullName', as: 'alice', probe: async (a, _w, v, n) => (await a.clients.create({ fullName: any(v), email: `${uniq(n)}@c.test` })).fullName },
  { name: 'clients.create email', as: 'alice', probe: async (a, _w, v) => (await a.clients.create({ fullName: 'X', email: any(v) })).email, caseInsensitive: true },
  { name: 'clients.create phone', as: 'alice', probe: async (a, _w, v, n) => (await a.clients.create({ fullName: 'X', email: `${uniq(n)}@c.test`, phone: any(v) })).phone },
  { name: 'clients.create companyName', as: 'alice', probe: async (a, _w, v, n) => (await a.clients.create({ fullName: 'X', email: `${uniq(n)}@c.test`, companyName: any(v) })).companyName },
  { name: 'clients.update fullName', as: 'alice', probe: async (a, w, v) => (await a.clients.update(w.clientA, { fullName: any(v) })).fullName },
  { name: 'clients.update email', as: 'alice', probe: async (a, w, v) => (await a.clients.update(w.clientA, { email: any(v) })).email, caseInsensitive: true },
  { name: 'clients.update phone', as: 'alice', probe: async (a, w, v) => (await a.clients.update(w.clientA, { phone: any(v) })).phone },
  { name: 'clients.update companyName', as: 'alice', probe: async (a, w, v) => (await a.clients.update(w.clientA, { companyName: any(v) })).companyName },
  { name: 'clients.update id', as: 'alice', probe: async (a, _w, v) => (await a.clients.update(any(v), { fullName: 'X' })).fullName },
  { name: 'clients.get id', as: 'alice', probe: async (a, _w, v) => void (await a.clients.get(any(v))) },
  { name: 'clients.list search', as: 'alice', probe: async (a, _w, v) => void (await a.clients.list({ search: any(v) })) },
  { name: 'clients.list salesContactId', as: 'alice', probe: async (a, _w, v) => void (await a.clients.list({ salesContactId: any(v) })) },
  { name: 'clients.list mine', as: 'alice', probe: async (a, _w, v) => void (await a.clients.list({ mine: any(v) })) },
  { name: 'contracts.create clientId', as: 'manager', probe: async (a, _w, v) => void (await a.contracts.create({ clientId: any(v), totalAmount: '1' })) },
  { name: 'contracts.create totalAmount', as: 'manager', amount: true, probe: async (a, w, v) => (await a.contracts.create({ clientId: w.clientA, totalAmount: any(v) })).totalAmount },
  { name: 'contracts.create amountDue', as: 'manager', amount: true, probe: async (a, w, v) => (await a.contracts.create({ clientId: w.clientA, totalAmount: '9999', amountDue: any(v) })).amountDue },
  { name: 'contracts.update totalAmount', as: 'manager', amount: true, probe: async (a, w, v) => (await a.contracts.update(w.contractA, { totalAmount: any(v) })).totalAmount },
  { name: 'contracts.update amountDue', as: 'manager', amount: true, probe: async (a, w, v) => (await a.contracts.update(w.contractA, { amountDue: any(v) })).amountDue },
  { name: 'contracts.sign id', as: 'manager', probe: async (a, _w, v) => void (await a.contracts.sign(any(v))) },
  { name: 'contracts.get id', as: 'manager', probe: async (a, _w, v) => void (await a.contracts.get(any(v))) },
  { name: 'contracts.list clientId', as: 'manager', probe: async (a, _w, v) => void (await a.contracts.list({ clientId: any(v) })) },
  { name: 'contracts.list signed', as: 'manager', probe: async (a, _w, v) => void (await a.contracts.list({ signed: any(v) })) },
  { name: 'events.create name', as: 'alice', prepare: signedContracts, probe: async (a, _w, v, n, prepared) => (await a.events.create(eventFields(prepared[n], { name: any(v) }))).name },
  { name: 'events.create location', as: 'alice', prepare: signedContracts, probe: async (a, _w, v, n, prepared) => (await a.events.create(eventFields(prepared[n], { location: any(v) }))).location },
  { name: 'events.create notes', as: 'alice', prepare: signedContracts, probe: async (a, _w, v, n, prepared) => (await a.events.create(eventFields(prepared[n], { notes: any(v) }))).notes },
  { name: 'events.create startAt', as: 'alice', prepare: signedContracts, probe: async (a, _w, v, n, prepared) => void (await a.events.create(eventFields(prepared[n], { startAt: any(v) }))) },
  { name: 'events.create contractId', as: 'alice', prepare: signedContracts, probe: async (a, _w, v, n, prepared) => void (await a.events.create(eventFields(prepared[n], { contractId: any(v) }))) },
  { name: 'events.update name', as: 'kate', probe: async (a, w, v) => (await a.events.update(w.eventK, { name: any(v) })).name },
  { name: 'events.update location', as: 'kate', probe: async (a, w, v) => (await a.events.update(w.eventK, { location: any(v) })).location },
  { name: 'events.update notes', as: 'kate', probe: async (a, w, v) => (await a.events.update(w.eventK, { notes: any(v) })).notes },
  { name: 'events.update endAt', as: 'kate', probe: async (a, w, v) => void (await a.events.update(w.eventK, { endAt: any(v) })) },
  { name: 'events.update attendees', as: 'kate', probe: async (a, w, v) => void (await a.events.update(w.eventK, { attendees: any(v) })) },
  { name: 'events.get id', as: 'kate', probe: async (a, _w, v) => void (await a.events.get(any(v))) },
  { name: 'events.list from', as: 'kate', probe: async (a, _w, v) => void (await a.events.list({ from: any(v) })) },
  { name: 'events.list to', as: 'kate', probe: async (a, _w, v) => void (await a.events.list({ to: any(v) })) },
  { name: 'events.list contractId', as: 'kate', probe: async (a, _w, v) => void (await a.events.list({ contractId: any(v) })) },
  { name: 'events.assign supportUserId', as: 'manager', probe: async (a, w, v) => void (await a.events.assign(w.eventK, any(v))) },
  { name: 'users.create fullName', as: 'manager', probe: async (a, _w, v, n) => (await a.users.create({ fullName: any(v), email: `${uniq(n)}@epic.test`, department: 'sales', password: 'a long password 1' })).fullName },
  { name: 'users.create email', as: 'manager', probe: async (a, _w, v) => (await a.users.create({ fullName: 'X', email: any(v), department: 'sales', password: 'a long password 1' })).email, caseInsensitive: true },
  { name: 'users.create phone', as: 'manager', probe: async (a, _w, v, n) => (await a.users.create({ fullName: 'X', email: `${uniq(n)}@epic.test`, department: 'sales', password: 'a long password 1', phone: any(v) })).phone },
  { name: 'users.create employeeNumber', as: 'manager', probe: async (a, _w, v, n) => (await a.users.create({ fullName: 'X', email: `${uniq(n)}@epic.test`, department: 'sales', password: 'a long password 1', employeeNumber: any(v) })).employeeNumber },
  { name: 'users.create department', as: 'manager', probe: async (a, _w, v, n) => void (await a.users.create({ fullName: 'X', email: `${uniq(n)}@epic.test`, department: any(v), password: 'a long password 1' })) },
  { name: 'users.update fullName', as: 'manager', probe: async (a, w, v) => (await a.users.update(w.bob.id, { fullName: any(v) })).fullName },
  { name: 'users.update phone', as: 'manager', probe: async (a, w, v) => (await a.users.update(w.bob.id, { phone: any(v) })).phone },
  { name: 'users.update department', as: 'manager', probe: async (a, w, v) => void (await a.users.update(w.bob.id, { department: any(v) })) },
  { name: 'users.get idOrEmail', as: 'manager', probe: async (a, _w, v) => void (await a.users.get(any(v))) },
  { name: 'users.list search', as: 'manager', probe: async (a, _w, v) => void (await a.users.list({ search: any(v) })) },
  { name: 'users.list department', as: 'manager', probe: async (a, _w, v) => void (await a.users.list({ department: any(v) })) },
  { name: 'users.delete reassignTo', as: 'manager', probe: async (a, w, v) => void (await a.users.delete(w.bob.id, { reassignTo: any(v) })) },
];

function eventFields(contractId: number, override: Record<string, unknown>) {
  return { contractId, name: 'Party', startAt: '2026-06-04T13:00:00Z', endAt: '2026-06-05T02:00:00Z', location: 'Hall', attendees: 10, ...override } as never;
}

/** Each created event needs a signed contract of its own (one event per contract). */
async function signedContracts(w: World, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) ids.push(await addContract(w.clientA, '100.00', '0.00', true));
  return ids;
}

const OUR_REFUSALS = [ValidationError, NotFound, Conflict];

describe(`a corpus of ${HOSTILE_STRINGS.length} hostile strings in every text parameter and filter`, function () {
  this.timeout(120_000);
  before(() => expect(HOSTILE_STRINGS.length).to.be.at.least(200));
  beforeEach(resetData);

  for (const target of TARGETS) {
    it(`${target.name}: stored literally or refused, never executed`, async () => {
      const w = await buildWorld();
      const api = apiAs(w[target.as]);
      const prepared = target.prepare ? await target.prepare(w, HOSTILE_STRINGS.length) : [];
      let stored = 0;
      let refused = 0;
      for (const [n, value] of HOSTILE_STRINGS.entries()) {
        const before = await fingerprint();
        let result: unknown;
        let error: unknown;
        try {
          result = await target.probe(api, w, value, n, prepared);
        } catch (err) {
          error = err;
        }
        if (error) {
          refused++;
          expect(OUR_REFUSALS.some((kind) => error instanceof kind), `${JSON.stringify(value).slice(0, 80)}: ${String(error)}`).to.equal(true);
          expect(await fingerprint(), JSON.stringify(value).slice(0, 80)).to.deep.equal(before);
        } else {
          stored++;
          if (result !== undefined && target.amount) {
            expect(Number(result), JSON.stringify(value)).to.equal(Number(value.trim()));
          } else if (result !== undefined) {
            const expected = target.caseInsensitive ? value.trim().toLowerCase() : value;
            const actual = target.caseInsensitive && typeof result === 'string' ? result.toLowerCase() : result;
            // Names and other text are trimmed on the way in; what is kept is the value itself, not its effect.
            expect([expected, typeof value === 'string' ? value.trim() : value], JSON.stringify(value).slice(0, 80)).to.deep.include(actual);
          }
        }
      }
      expect(stored + refused).to.equal(HOSTILE_STRINGS.length);
      const after = await fingerprint();
      expect(after.users).to.be.at.least(5);
      expect(after.clients).to.be.at.least(2);
    });
  }
});
