/**
 * A stand-in for the domain objects and the login (lib/shell/login.ts): the
 * whole Login, its calls through the real pipeline (lib/crm/invoke.ts:
 * department, arguments, confirmation) down to canned implementations built
 * from the method descriptions, which answer records or pages and count
 * calls. Lets the shell be tested before (and independently of) the real API.
 */
import { DESCRIPTIONS, FUNCTIONS } from '../../lib/crm/api.js';
import { PassThrough } from 'node:stream';
import type { Monitor } from '../../lib/platform/monitoring.js';
import { createInvoke, methodTable, objectEntries, type Invoke, type MethodEntry, type Questions } from '../../lib/crm/invoke.js';
import { emptyPage, makePage, pageSize, type Page } from '../../lib/crm/page.js';
import type { Digest } from '../../lib/crm/digest.js';
import { API, OBJECTS, type ObjectName } from '../../lib/crm/permissions.js';
import { type Department } from '../../lib/domain/departments.js';
import type { Actor } from '../../lib/domain/actor.js';
import type { AskPassword, ShellIO, Login, Verdict } from '../../lib/shell/index.js';

export type Row = { id: number } & Record<string, unknown>;
type Method = (...args: never[]) => Promise<unknown>;

/** A session key the database never issued (the fake API never reaches it). */
const FAKE_SESSION = `1.${'0'.repeat(64)}`;

export const DEMO_ACTORS: Record<Department, Actor> = {
  management: { id: 1, email: 'maria@epic.events', fullName: 'Maria Manager', department: 'management', sessionKey: FAKE_SESSION, sessionExpiresAt: new Date(2099, 0, 1) },
  sales: { id: 2, email: 'alice@epic.events', fullName: 'Alice Sales', department: 'sales', sessionKey: FAKE_SESSION, sessionExpiresAt: new Date(2099, 0, 1) },
  support: { id: 3, email: 'kate@epic.events', fullName: 'Kate Hastroff', department: 'support', sessionKey: FAKE_SESSION, sessionExpiresAt: new Date(2099, 0, 1) },
};

export function cannedRows(object: ObjectName, count: number): Row[] {
  return Array.from({ length: count }, (_, i) => {
    const id = i + 1;
    switch (object) {
      case 'clients': return { id, fullName: `Client ${id}`, email: `client${id}@example.com`, phone: null, companyName: 'Cool Startup LLC', salesContactId: 2 };
      case 'contracts': return { id, clientId: id, totalAmount: '1500.5', amountDue: '500.00', signed: id % 2 === 0, createdAt: new Date(2026, 0, 2, 9, 30) };
      case 'events': return { id, contractId: id, name: `Event ${id}`, startAt: new Date(2026, 5, 4, 13, 0), endAt: new Date(2026, 5, 5, 2, 0), attendees: 75 };
      case 'users': return { id, fullName: `User ${id}`, email: `user${id}@epic.events`, department: 'support' };
      case 'reports': return { id, client: `Client ${id}`, contracts: 1, due: '500.00' };
      case 'followUps': return { id, clientId: id, clientName: `Client ${id}`, dueAt: new Date(2026, 5, 4, 10, 0), note: 'call back' };
    }
  });
}

export interface FakeApi {
  /** The pipeline over the canned implementations. */
  invoke: Invoke;
  /** `object.method` of every call that reached an implementation (after the pipeline's checks). */
  calls: string[];
  /** Replace one implementation: `override('clients.create', async () => { throw … })`. */
  override(name: string, impl: Method): void;
}

/** The fields given, without the ones left out (the pipeline reads every field of a schema, undefined when absent). */
function given(value: unknown): object {
  return typeof value === 'object' && value !== null ? Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) : {};
}

/** What the canned confirmations ask. */
const QUESTIONS: Questions = new Map([
  ['users.delete', async ([id]: readonly unknown[]) => `Delete collaborator ${String(id)}?`],
  ['contracts.sign', async ([id]: readonly unknown[]) => `Sign contract ${String(id)}?`],
  ['clients.erase', async ([id]: readonly unknown[]) => `Erase client ${String(id)}?`],
  ['clients.undoImport', async ([id]: readonly unknown[]) => `Undo import ${String(id)}?`],
  ['undo', async ([id]: readonly unknown[]) => `Undo history entry ${String(id)}?`],
  ['trash.empty', async () => 'Empty the trash?'],
]);

export function fakeApi(actor: () => Actor, rowsPerObject = 45): FakeApi {
  const calls: string[] = [];
  const overrides = new Map<string, Method>();
  const entries: MethodEntry[] = [];
  const canned = (name: string, answer: (values: unknown[]) => Promise<unknown> | unknown) => (async (...values: unknown[]) => {
    calls.push(name);
    const custom = overrides.get(name);
    if (custom) return (custom as (...a: unknown[]) => Promise<unknown>)(...values);
    return answer(values);
  }) as Method;
  for (const object of OBJECTS) {
    const rows = cannedRows(object, rowsPerObject);
    const listFrom = (afterId: number, limit: number, listed = 0): Page<Row> => {
      const fetched = rows.filter((r) => r.id > afterId).slice(0, limit + 1);
      return makePage(object, fetched, limit, async (last, listedSoFar) => {
        calls.push(`${object}.list:next`);
        return listFrom(last.id, limit, listedSoFar);
      }, listed);
    };
    const impl: Record<string, Method> = {};
    for (const method of Object.keys(API[object])) {
      impl[method] = canned(`${object}.${method}`, (values) => {
        if (method === 'list') return listFrom(0, pageSize((values[0] as { limit?: unknown } | undefined)?.limit));
        if (method === 'get') return rows.find((r) => r.id === values[0]) ?? null;
        if (method === 'create') return { id: rows.length + calls.length, ...given(values[0]) };
        return { id: values[0], ...given(values[1]) };
      });
    }
    entries.push(...objectEntries(object, DESCRIPTIONS[object], impl, impl));
  }
  const functions = {
    activity: canned('activity', () => emptyPage('history')),
    find: canned('find', () => Object.defineProperty({ clients: [], contracts: [], events: [], more: [] }, 'kind', { value: 'found', enumerable: false })),
    trash: canned('trash', () => emptyPage('trash')),
    'trash.empty': canned('trash.empty', () => ({ purged: 0 })),
    undo: canned('undo', (values) => ({ undone: values[0] })),
  };
  entries.push(...objectEntries(null, FUNCTIONS, functions, functions));
  return {
    invoke: createInvoke({ table: methodTable(entries, QUESTIONS), actor, questions: QUESTIONS }),
    calls,
    override: (name, impl) => void overrides.set(name, impl),
  };
}

/** A digest with nothing to say (the shell prints it only on an interactive, not quiet, start). */
const CALM: Digest = { days: 7, events: { count: 0, nextName: null, nextAt: null } };

export interface FakeLogin extends Login {
  fake: FakeApi;
  verifyCalls: number;
  reloginCalls: number;
  /** Ctrl+C while a call ran. */
  interruptCalls: number;
  loggedOut: boolean;
  /** Verdicts verify() returns next, in order (then ok). */
  verdicts: Verdict[];
  /** Passwords relogin accepts. */
  reloginPassword: string;
  /** passwd(): the current password, and the new one once changed. */
  password: string;
  exceptions: unknown[];
}

export function fakeLogin(department: Department): FakeLogin {
  const actor = () => DEMO_ACTORS[department];
  const exceptions: unknown[] = [];
  const monitor: Monitor = {
    event: () => undefined,
    exception: (err) => {
      exceptions.push(err);
      return `ref-${exceptions.length}`;
    },
    flush: async () => undefined,
  };
  const fake = fakeApi(actor);
  const login: FakeLogin = {
    fake,
    invoke: fake.invoke,
    actor,
    verifyCalls: 0,
    reloginCalls: 0,
    interruptCalls: 0,
    loggedOut: false,
    verdicts: [],
    reloginPassword: 'correct horse battery',
    password: 'correct horse battery',
    exceptions,
    monitor,
    verify: async () => {
      login.verifyCalls++;
      return login.verdicts.shift() ?? { ok: true };
    },
    relogin: async (ask: AskPassword) => {
      login.reloginCalls++;
      for (let tries = 0; tries < 3; tries++) {
        const answer = await ask('Password (session expired): ');
        if (answer === undefined) return false;
        if (answer === login.reloginPassword) return true;
      }
      return false;
    },
    logout: async () => {
      login.loggedOut = true;
    },
    interrupt: async () => {
      login.interruptCalls++;
      return { calls: 0, committed: 0, rolledBack: 0 };
    },
    changePassword: async (oldPassword, newPassword) => {
      if (oldPassword !== login.password) return false;
      login.password = newPassword;
      return true;
    },
    digest: async () => CALM,
  };
  return login;
}

/** Streams for the shell, with what it wrote collected. */
export class FakeTerminal {
  readonly input = new PassThrough();
  readonly output = new PassThrough();
  readonly errorOutput = new PassThrough();
  out = '';
  err = '';
  private waiters: Array<() => void> = [];

  constructor() {
    this.output.on('data', (d: Buffer) => this.collect(() => (this.out += d.toString())));
    this.errorOutput.on('data', (d: Buffer) => this.collect(() => (this.err += d.toString())));
  }

  io(extra: Partial<ShellIO> = {}): ShellIO {
    return { input: this.input, output: this.output, errorOutput: this.errorOutput, json: false, quiet: true, terminal: false, color: false, ...extra };
  }

  send(line: string): void {
    this.input.write(`${line}\n`);
  }

  /**
   * How long waitFor waits for its pattern: a bound on a hang, not a timing
   * claim (a shared, loaded machine can take seconds to restart a server).
   */
  waitMs = 20_000;

  /** Wait until everything written (out + err) matches. */
  async waitFor(pattern: RegExp, what: () => string = () => this.out + this.err): Promise<void> {
    while (!pattern.test(what())) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; got:\n${this.out}\n--- stderr:\n${this.err}`)), this.waitMs);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Send a line and wait for the prompt after its result. */
  async run(line: string, prompt = /> $/): Promise<void> {
    this.out = '';
    this.err = '';
    this.send(line);
    await this.waitFor(prompt, () => this.out);
  }

  private collect(append: () => void): void {
    append();
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
