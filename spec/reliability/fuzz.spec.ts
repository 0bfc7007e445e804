/**
 * Reliability 5: malformed arguments never crash, never reach the database.
 * A seeded generator (spec/support/fuzz.ts) builds at least 1,000 malformed
 * argument lists per create/update/list method. Each call is made by a
 * department allowed to call the method, so the only honest answer is
 * ValidationError: arguments are validated before any SQL runs. The database
 * fingerprint is taken before, every 250 calls and after each method's run.
 */
import { expect } from 'chai';
import vm from 'node:vm';
import { ValidationError } from '../../lib/domain/errors.js';
import type { Department } from '../../lib/domain/departments.js';
import { apiAs, buildWorld, type World } from '../support/fixtures.js';
import { malformed, Random, type MethodSpec } from '../support/fuzz.js';
import { fingerprint, resetData } from '../support/server.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20260604);
const PER_METHOD = 1000;

const CLIENT_FIELDS = { fullName: { kind: 'name' }, email: { kind: 'email' }, phone: { kind: 'phone' }, companyName: { kind: 'optionalName' } } as const;
const EVENT_DETAILS = {
  name: { kind: 'name' }, startAt: { kind: 'timestamp' }, endAt: { kind: 'timestamp' }, location: { kind: 'location' }, attendees: { kind: 'attendees' }, notes: { kind: 'notes' },
} as const;

const METHODS: Array<MethodSpec & { caller: Department }> = [
  { object: 'clients', method: 'create', caller: 'sales', fields: { ...CLIENT_FIELDS, fullName: { kind: 'name', required: true }, email: { kind: 'email', required: true } } },
  { object: 'clients', method: 'update', caller: 'sales', fields: CLIENT_FIELDS },
  { object: 'clients', method: 'list', caller: 'sales', fields: { mine: { kind: 'flag' }, search: { kind: 'search' }, salesContactId: { kind: 'id' }, unassigned: { kind: 'flag' }, limit: { kind: 'limit' } } },
  {
    object: 'contracts', method: 'create', caller: 'management',
    fields: { clientId: { kind: 'id', required: true }, totalAmount: { kind: 'money', required: true }, amountDue: { kind: 'money' }, signed: { kind: 'flag' } },
  },
  { object: 'contracts', method: 'update', caller: 'management', fields: { totalAmount: { kind: 'money' }, amountDue: { kind: 'money' } } },
  { object: 'contracts', method: 'list', caller: 'management', fields: { signed: { kind: 'flag' }, unpaid: { kind: 'flag' }, mine: { kind: 'flag' }, clientId: { kind: 'id' }, limit: { kind: 'limit' } } },
  {
    object: 'events', method: 'create', caller: 'sales',
    fields: {
      contractId: { kind: 'id', required: true }, name: { kind: 'name', required: true }, startAt: { kind: 'timestamp', required: true }, endAt: { kind: 'timestamp', required: true },
      location: { kind: 'location', required: true }, attendees: { kind: 'attendees', required: true }, notes: { kind: 'notes' },
    },
  },
  { object: 'events', method: 'update', caller: 'support', fields: EVENT_DETAILS },
  {
    object: 'events', method: 'list', caller: 'support',
    fields: { unassigned: { kind: 'flag' }, mine: { kind: 'flag' }, contractId: { kind: 'id' }, from: { kind: 'timestamp' }, to: { kind: 'timestamp' }, limit: { kind: 'limit' } },
  },
  {
    object: 'users', method: 'create', caller: 'management',
    fields: {
      fullName: { kind: 'userName', required: true }, email: { kind: 'userEmail', required: true }, department: { kind: 'department', required: true },
      password: { kind: 'password', required: true }, phone: { kind: 'userPhone' }, employeeNumber: { kind: 'employeeNumber' },
    },
  },
  {
    object: 'users', method: 'update', caller: 'management', idKind: 'userId',
    fields: { fullName: { kind: 'userName' }, email: { kind: 'userEmail' }, phone: { kind: 'userPhone' }, department: { kind: 'department' }, password: { kind: 'password' } },
  },
  { object: 'users', method: 'list', caller: 'management', fields: { department: { kind: 'department' }, search: { kind: 'userSearch' }, limit: { kind: 'limit' } } },
];

describe('reliability: malformed arguments (seeded fuzzing)', function () {
  this.timeout(120_000);
  let world: World;
  let total = 0;

  before(async () => {
    await resetData();
    world = await buildWorld();
  });
  after(() => {
    console.log(`      fuzzing: ${total} malformed argument lists tried (seed ${SEED}), every one refused with ValidationError`);
  });

  for (const [index, spec] of METHODS.entries()) {
    it(`${spec.object}.${spec.method}: ${PER_METHOD} malformed argument lists all end in ValidationError and change nothing`, async () => {
      const caller = spec.caller === 'management' ? world.manager : spec.caller === 'sales' ? world.alice : world.kate;
      const api = apiAs(caller);
      const method = (api[spec.object] as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[spec.method];
      const rng = new Random(SEED + index);
      const before = await fingerprint();
      const unexpected: string[] = [];
      for (let i = 1; i <= PER_METHOD; i++) {
        const input = malformed(spec, rng);
        let outcome: unknown;
        try {
          await method(...input.args);
          outcome = 'accepted';
        } catch (err) {
          outcome = err;
        }
        if (!(outcome instanceof ValidationError)) {
          const name = outcome instanceof Error ? `${outcome.name}: ${outcome.message.slice(0, 200)}` : String(outcome);
          unexpected.push(`#${i} [${input.what.join(', ')}] → ${name}`);
        }
        if (i % 250 === 0) expect(await fingerprint(), `database changed by the first ${i} inputs`).to.deep.equal(before);
        total++;
      }
      expect(unexpected.slice(0, 15), `${unexpected.length} of ${PER_METHOD} inputs did not end in ValidationError`).to.deep.equal([]);
      expect(await fingerprint()).to.deep.equal(before);
      console.log(`      ${PER_METHOD} inputs tried on ${spec.object}.${spec.method}`);
    });
  }

  it('refuses fields carried by a prototype ({__proto__: {...}}), typed in the shell\'s own realm too, and accepts a plain object from that realm', async () => {
    const sales = apiAs(world.alice);
    const before = await fingerprint();
    const shellRealm = vm.createContext({});
    const smuggled = vm.runInContext("({__proto__: {fullName: 'Smuggled', email: 'smuggled@example.com'}})", shellRealm) as object;
    const err = await sales.clients.create(smuggled as never).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(ValidationError);
    expect((err as Error).message).to.match(/plain object/);
    expect(await fingerprint()).to.deep.equal(before);
    const plain = vm.runInContext("({fullName: 'Plain From The Shell', email: 'plain@example.com'})", shellRealm) as object;
    expect((await sales.clients.create(plain as never)).fullName).to.equal('Plain From The Shell');
  });

  it('every create/update/list method of the four objects is fuzzed', () => {
    expect(METHODS.map((m) => `${m.object}.${m.method}`)).to.have.members(
      (['clients', 'contracts', 'events', 'users'] as const).flatMap((o) => ['create', 'update', 'list'].map((m) => `${o}.${m}`)),
    );
  });
});
