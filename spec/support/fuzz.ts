/**
 * Malformed arguments for the API's create/update/list methods, from a seeded
 * generator (the same seed gives the same inputs: a failure can be replayed).
 * Every input built here is invalid by construction: at least one mutation
 * that no validator may accept.
 */

/** mulberry32: a tiny, well-known 32-bit PRNG. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** What a field holds; each kind has a valid sample and a pool of values no validator of it accepts. */
export type Kind =
  | 'name' | 'location' | 'optionalName' | 'email' | 'phone' | 'id' | 'money' | 'flag' | 'timestamp' | 'attendees' | 'notes' | 'search' | 'limit'
  | 'userName' | 'userEmail' | 'userPhone' | 'userId' | 'department' | 'password' | 'employeeNumber' | 'userSearch';

export interface FieldSpec {
  kind: Kind;
  required?: boolean;
}

export interface MethodSpec {
  object: 'clients' | 'contracts' | 'events' | 'users';
  method: 'create' | 'update' | 'list';
  fields: Record<string, FieldSpec>;
  /** update: the id argument's kind. */
  idKind?: Kind;
}

const VALID: Record<Kind, () => unknown> = {
  name: () => 'Valid Name',
  location: () => 'Salle des fêtes, Paris',
  optionalName: () => 'Valid Company',
  email: () => 'valid@example.com',
  phone: () => '+33 1 23 45 67 89',
  id: () => 1,
  money: () => '100.00',
  flag: () => true,
  timestamp: () => '2026-06-04T13:00',
  attendees: () => 10,
  notes: () => 'Some notes\non two lines',
  search: () => 'abc',
  limit: () => 10,
  userName: () => 'Valid Collaborator',
  userEmail: () => 'collaborator@example.com',
  userPhone: () => '+33 6 12 34 56 78',
  userId: () => 1,
  department: () => 'sales',
  password: () => 'a valid password 123',
  employeeNumber: () => 'EE-0001',
  userSearch: () => 'abc',
};

/** An object nested `depth` levels deep. */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 'x' };
  for (let i = 0; i < depth; i++) value = { child: value, list: [value] };
  return value;
}

function longText(rng: Random, min: number): string {
  return rng.pick(['x', 'é', '😀', 'ab ']).repeat(min + rng.int(1, 3000));
}

/** Values of the wrong type: no field of any kind accepts these. */
function wrongType(rng: Random): unknown {
  return rng.pick<() => unknown>([
    () => ({}), () => [], () => [1, 2], () => nested(rng.int(1, 200)), () => () => 1, () => Symbol('s'), () => BigInt(7),
    () => new Map(), () => ({ toString: () => 'Valid Name' }), () => Object.create(null),
  ])();
}

const NOT_NUMBERS = [0, -1, -0.5, 1.5, 2 ** 31, 1e20, 1e308, -1e308, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MAX_SAFE_INTEGER + 2];

const BAD: Record<Kind, (rng: Random) => unknown> = {
  name: (r) => r.pick<() => unknown>([() => 42, () => null, () => true, () => '', () => '   ', () => longText(r, 200), () => 'a\u0000b', () => 'line\nbreak', () => 'tab\there', () => wrongType(r)])(),
  location: (r) => r.pick<() => unknown>([() => 42, () => null, () => '', () => longText(r, 500), () => 'a\u0000b', () => 'a\rb', () => wrongType(r)])(),
  optionalName: (r) => r.pick<() => unknown>([() => 42, () => false, () => longText(r, 200), () => 'a\u0000b', () => 'a\nb', () => wrongType(r)])(),
  email: (r) => r.pick<() => unknown>([() => 42, () => null, () => '', () => 'plain', () => 'a@b', () => '@example.com', () => 'a b@example.com', () => `${'x'.repeat(250)}@example.com`, () => 'a@\u0000.com', () => wrongType(r)])(),
  phone: (r) => r.pick<() => unknown>([() => 123456789, () => true, () => 'abc', () => '12', () => '1'.repeat(25), () => '+33 1 23\n45 67', () => longText(r, 40), () => wrongType(r)])(),
  id: (r) => r.pick<() => unknown>([() => r.pick(NOT_NUMBERS), () => 'abc', () => '', () => '-3', () => '1.5', () => null, () => true, () => wrongType(r)])(),
  money: (r) => r.pick<() => unknown>([() => -1, () => -0.01, () => '-5', () => '1.234', () => 0.001, () => 1e12, () => '12345678901', () => '1e3', () => '1,50', () => Number.NaN, () => Number.POSITIVE_INFINITY, () => 'abc', () => '', () => null, () => true, () => wrongType(r)])(),
  flag: (r) => r.pick<() => unknown>([() => 'yes', () => 'true', () => 1, () => 0, () => null, () => 'false', () => wrongType(r)])(),
  timestamp: (r) => r.pick<() => unknown>([() => '2026-02-30', () => '2026-13-01', () => 'the day after the party', () => '04/06/2027 13:00', () => '', () => 1_780_000_000_000, () => new Date(Number.NaN), () => '2026-06-04T24:00', () => '99999-01-01', () => null, () => true, () => wrongType(r)])(),
  attendees: (r) => r.pick<() => unknown>([() => -1, () => 1.5, () => '10', () => 2 ** 31, () => 1e20, () => Number.NaN, () => Number.POSITIVE_INFINITY, () => null, () => true, () => wrongType(r)])(),
  notes: (r) => r.pick<() => unknown>([() => 42, () => true, () => longText(r, 10_000), () => 'a\u0000b', () => wrongType(r)])(),
  search: (r) => r.pick<() => unknown>([() => 42, () => true, () => null, () => longText(r, 200), () => 'a\u0000b', () => 'a\nb', () => wrongType(r)])(),
  limit: (r) => r.pick<() => unknown>([() => 0, () => -1, () => 501, () => 1.5, () => 'ten', () => '10', () => 1e9, () => Number.NaN, () => null, () => true, () => wrongType(r)])(),
  userName: (r) => BAD.name(r),
  userEmail: (r) => BAD.email(r),
  userPhone: (r) => r.pick<() => unknown>([() => 123456789, () => true, () => longText(r, 40), () => 'a\u0000b', () => '06\n12', () => wrongType(r)])(),
  userId: (r) => r.pick<() => unknown>([() => r.pick(NOT_NUMBERS), () => 'abc', () => '1', () => null, () => true, () => wrongType(r)])(),
  department: (r) => r.pick<() => unknown>([() => 'hr', () => '', () => 'root', () => 'sales\u0000', () => 42, () => null, () => wrongType(r)])(),
  password: (r) => r.pick<() => unknown>([() => 'short', () => '', () => 'é'.repeat(40), () => 'x'.repeat(73), () => 'x'.repeat(100_000), () => 42, () => null, () => wrongType(r)])(),
  employeeNumber: (r) => r.pick<() => unknown>([() => '', () => 'has space', () => 'x'.repeat(21), () => 'ü-1', () => 42, () => null, () => wrongType(r)])(),
  userSearch: (r) => r.pick<() => unknown>([() => 42, () => true, () => null, () => longText(r, 200), () => 'a\u0000b', () => wrongType(r)])(),
};

/** Keys that are never fields (and the prototype-pollution classics). */
const ALIEN_KEYS = ['constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'isAdmin', 'id', 'version', 'phon', 'fullname', 'EMAIL', ' email', 'email ', ''];

/** Set a key as an own, enumerable property, `__proto__` included (as JSON.parse does). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
}

export interface Malformed {
  args: unknown[];
  /** What was done, for the failure message. */
  what: string[];
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `string(${value.length})` : JSON.stringify(value);
  if (typeof value === 'bigint' || typeof value === 'symbol' || typeof value === 'function') return typeof value;
  if (value instanceof Date) return 'Date';
  if (Array.isArray(value)) return 'array';
  return value !== null && typeof value === 'object' ? 'object' : String(value);
}

/** A valid argument object for the method: its required fields, and some optional ones on a coin toss (update: one or two fields). */
function validBase(spec: MethodSpec, rng: Random): Record<string, unknown> {
  const base: Record<string, unknown> = {};
  const names = Object.keys(spec.fields);
  if (spec.method === 'update') {
    for (let i = rng.int(1, 2); i > 0; i--) {
      const field = rng.pick(names.filter((n) => n !== 'startAt' && n !== 'endAt'));
      base[field] = VALID[spec.fields[field].kind]();
    }
    return base;
  }
  for (const name of names) {
    if (spec.fields[name].required || rng.chance(0.3)) base[name] = VALID[spec.fields[name].kind]();
  }
  if ('endAt' in base) base.endAt = '2026-06-05T02:00';
  return base;
}

type Mutation = (arg: Record<string, unknown>, what: string[]) => unknown;

/** One malformed argument list for the method: at least one invalid mutation, maybe a few. */
export function malformed(spec: MethodSpec, rng: Random): Malformed {
  const what: string[] = [];
  const names = Object.keys(spec.fields);
  const required = names.filter((n) => spec.fields[n].required);

  const badValue: Mutation = (arg) => {
    const field = rng.pick(names);
    const value = BAD[spec.fields[field].kind](rng);
    what.push(`${field}=${describeValue(value)}`);
    arg[field] = value;
    return arg;
  };
  const missing: Mutation = (arg) => {
    const field = rng.pick(required);
    what.push(`without ${field}`);
    delete arg[field];
    return arg;
  };
  const alienKey: Mutation = (arg) => {
    const key = rng.chance(0.3) ? '__proto__' : rng.chance(0.5) ? rng.pick(ALIEN_KEYS) : `field${rng.int(0, 1e6)}`;
    const value = rng.chance(0.5) ? { isAdmin: true, department: 'management', salesContactId: 1 } : BAD.name(rng);
    what.push(`extra key ${JSON.stringify(key)}`);
    setOwn(arg, key, value);
    return arg;
  };
  const crossField: Mutation = (arg) => {
    if (spec.object === 'contracts' && spec.method === 'create') {
      what.push('amountDue above totalAmount');
      arg.totalAmount = '100.00';
      arg.amountDue = '100.01';
    } else if (spec.object === 'events' && spec.method !== 'list') {
      what.push('endAt before startAt');
      arg.startAt = '2026-06-05T13:00';
      arg.endAt = '2026-06-05T12:59';
    } else if (spec.object === 'events') {
      // Not a malformation for list (from after to is simply empty): fall back.
      return badValue(arg, what);
    } else {
      return badValue(arg, what);
    }
    return arg;
  };

  const invalid: Mutation[] = [badValue, badValue, badValue, alienKey, alienKey, crossField];
  if (required.length) invalid.push(missing, missing);
  const extras: Mutation[] = [badValue, alienKey];

  const whole = (): unknown | undefined => {
    // The whole argument replaced, or fields carried by the prototype instead of own keys.
    const roll = rng.int(0, 9);
    if (roll === 0) {
      const value = rng.pick<unknown>([42, 'clients', true, null, [], [validBase(spec, rng)], new Date(), () => ({}), BigInt(1), Symbol('x'), nested(500)]);
      what.push(`argument=${describeValue(value)}`);
      return value;
    }
    if (roll === 1) {
      what.push('fields inherited through the prototype');
      const base = validBase(spec, rng);
      if (Object.keys(base).length === 0) base[names[0]] = VALID[spec.fields[names[0]].kind]();
      return Object.create(base) as unknown;
    }
    return undefined;
  };

  let arg: unknown = whole();
  if (arg === undefined) {
    const base = validBase(spec, rng);
    let result: unknown = rng.pick(invalid)(base, what);
    for (let i = rng.int(0, 2); i > 0; i--) result = rng.pick(extras)(result as Record<string, unknown>, what);
    arg = result;
  }

  if (spec.method !== 'update') return { args: [arg], what };
  // update(id, changes): a bad id with valid changes, or a good id with the bad changes.
  if (rng.chance(0.2)) {
    const id = BAD[spec.idKind ?? 'id'](rng);
    what.unshift(`id=${describeValue(id)}`);
    const good = validBase(spec, rng);
    return { args: [id, good], what: what.slice(0, 1) };
  }
  if (rng.chance(0.05)) return { args: [1, rng.pick<unknown>([{}, undefined])], what: ['no change named'] };
  return { args: [1, arg], what };
}
