/**
 * A stand-in for the domain objects and the login (lib/shell/login.ts), built from the
 * permission table: every method is guarded (lib/crm/guard.ts) and answers
 * canned records or pages, counting calls. Lets the shell be tested before
 * (and independently of) the real API.
 */
import { DESCRIPTIONS } from '../../lib/crm/api.js';
import { PassThrough } from 'node:stream';
import type { Monitor } from '../../lib/platform/monitoring.js';
import { guard } from '../../lib/crm/guard.js';
import { makePage, pageSize, type Page } from '../../lib/crm/page.js';
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
  api: Login['api'];
  /** `object.method` of every call that reached an implementation (after the guard). */
  calls: string[];
  /** Replace one implementation: `override('clients.create', async () => { throw … })`. */
  override(name: string, impl: Method): void;
}

export function fakeApi(actor: () => Actor, rowsPerObject = 45): FakeApi {
  const calls: string[] = [];
  const overrides = new Map<string, Method>();
  const api: Record<string, object> = {};
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
      impl[method] = (async (...args: unknown[]) => {
        const name = `${object}.${method}`;
        calls.push(name);
        const custom = overrides.get(name);
        if (custom) return (custom as (...a: unknown[]) => Promise<unknown>)(...args);
        if (method === 'list') return listFrom(0, pageSize((args[0] as { limit?: unknown } | undefined)?.limit));
        if (method === 'get') return rows.find((r) => r.id === args[0]) ?? null;
        if (method === 'create') return { id: rows.length + calls.length, ...(args[0] as object) };
        return { id: args[0], ...(typeof args[1] === 'object' ? (args[1] as object) : {}) };
      }) as Method;
    }
    api[object] = guard(object, DESCRIPTIONS[object], impl, actor);
  }
  return {
    api: api as unknown as Login['api'],
    calls,
    override: (name, impl) => void overrides.set(name, impl),
  };
}

export interface FakeLogin extends Login {
  fake: FakeApi;
  verifyCalls: number;
  reloginCalls: number;
  cancelCalls: number;
  loggedOut: boolean;
  /** Verdicts verify() returns next, in order (then ok). */
  verdicts: Verdict[];
  /** Passwords relogin accepts. */
  reloginPassword: string;
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
  const login: FakeLogin = {
    fake: fakeApi(actor),
    api: undefined as unknown as Login['api'],
    actor,
    verifyCalls: 0,
    reloginCalls: 0,
    cancelCalls: 0,
    loggedOut: false,
    verdicts: [],
    reloginPassword: 'correct horse battery',
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
    cancelRunning: async () => {
      login.cancelCalls++;
      return 0;
    },
  };
  login.api = login.fake.api;
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

  /** Wait until everything written (out + err) matches. */
  async waitFor(pattern: RegExp, what: () => string = () => this.out + this.err): Promise<void> {
    while (!pattern.test(what())) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; got:\n${this.out}\n--- stderr:\n${this.err}`)), 5000);
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
