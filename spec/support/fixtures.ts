/**
 * Test worlds: collaborators of each department, clients, contracts and events
 * inserted directly (spec/support/sql/testing.sql), and the API as any collaborator.
 */
import { createApi, type CrmApi } from '../../lib/crm/api.js';
import type { ApiDeps } from '../../lib/crm/deps.js';
import type { Monitor } from '../../lib/platform/monitoring.js';
import { testQueries } from './test-queries.js';
import type { Department } from '../../lib/domain/departments.js';
import type { Actor } from '../../lib/domain/actor.js';
import { openSessionFor } from '../../lib/auth/sessions.js';
import { ctx, fingerprint, sessionDb } from './server.js';
import { asOwner } from './owner.js';

const t = testQueries(['fixtureUser', 'fixtureClient', 'fixtureContract', 'fixtureEvent', 'fixtureBulk'] as const);

/** The password of every fixture collaborator (addUser without a hash of its own). */
export const FIXTURE_PASSWORD = 'fixture-password-123';
/** bcrypt (4 rounds) of FIXTURE_PASSWORD: fixtures never hash at run time. */
export const FIXTURE_PASSWORD_HASH = '$2b$04$ejHBtpv5mkoYU3qqaU66/OMZJB8vD9.ymuQZeToTLufbZ0WTU2J0K';

async function insertId(query: (typeof t)[keyof typeof t], params: unknown[]): Promise<number> {
  // As the owner: the runtime role can do nothing outside a collaborator's transaction.
  const row = await asOwner((c) => c.one<{ id: number }>(query, params));
  if (!row) throw new Error(`fixture ${query.name} inserted nothing`);
  return row.id;
}

/** A collaborator, with a database session open for them (as a login would). */
export async function addUser(fullName: string, email: string, department: Department, passwordHash = FIXTURE_PASSWORD_HASH): Promise<Actor> {
  const id = await insertId(t.fixtureUser, [fullName, email, department, passwordHash]);
  return (await sessionFor(id)).actor;
}

/** A new database session for collaborator `id`, opened as the owner. */
export function sessionFor(id: number, ttlSeconds = 3600): Promise<{ actor: Actor; installation: string }> {
  return openSessionFor(ctx().admin, id, ttlSeconds);
}

export function addClient(fullName: string, email: string, salesContactId: number | null, extra: { phone?: string; companyName?: string } = {}): Promise<number> {
  return insertId(t.fixtureClient, [fullName, email, extra.phone ?? null, extra.companyName ?? null, salesContactId]);
}

export function addContract(clientId: number, totalAmount: string, amountDue: string, signed: boolean): Promise<number> {
  return insertId(t.fixtureContract, [clientId, totalAmount, amountDue, signed]);
}

export function addEvent(contractId: number, name: string, supportContactId: number | null, startAt = new Date('2026-06-04T13:00:00Z'), endAt = new Date('2026-06-05T02:00:00Z')): Promise<number> {
  return insertId(t.fixtureEvent, [contractId, name, startAt, endAt, 'Somewhere', 10, supportContactId]);
}

export async function addBulk(count: number, salesContactId: number, supportContactId: number): Promise<void> {
  await asOwner((c) => c.exec(t.fixtureBulk, [count, salesContactId, supportContactId]));
}

/** Collects monitor events so a test can assert what would reach Sentry. */
export interface RecordingMonitor extends Monitor {
  events: Array<{ name: string; data: Record<string, string | number | boolean | null> }>;
}

export function recordingMonitor(): RecordingMonitor {
  const events: RecordingMonitor['events'] = [];
  return { events, event: (name, data) => void events.push({ name, data }), exception: () => undefined, flush: async () => undefined };
}

/** The guarded API as `actor` sees it in a shell. */
export function apiAs(actor: Actor, monitor: Monitor = recordingMonitor()): CrmApi {
  const { config } = ctx();
  // As in the shell: on the session's own role (sql/migrations/040).
  const deps: ApiDeps = { db: sessionDb(actor), actor: () => actor, config, monitor };
  return createApi(deps);
}

/**
 * The usual cast: one collaborator per department who acts (manager, alice in
 * sales, kate in support) and a colleague of each working on the "other" records.
 */
export interface World {
  manager: Actor;
  alice: Actor;
  bob: Actor;
  kate: Actor;
  lou: Actor;
  /** Alice's client and Bob's client. */
  clientA: number;
  clientB: number;
  /** Unsigned contracts of clientA / clientB. */
  contractA: number;
  contractB: number;
  /** Signed contracts without an event yet. */
  signedA: number;
  signedB: number;
  /** Events assigned to Kate / to Lou. */
  eventK: number;
  eventL: number;
}

export async function buildWorld(): Promise<World> {
  const manager = await addUser('Maud Manager', 'maud@epic.events', 'management');
  const alice = await addUser('Alice Sales', 'alice@epic.events', 'sales');
  const bob = await addUser('Bob Sales', 'bob@epic.events', 'sales');
  const kate = await addUser('Kate Support', 'kate@epic.events', 'support');
  const lou = await addUser('Lou Support', 'lou@epic.events', 'support');
  const clientA = await addClient('Client of Alice', 'a@client.test', alice.id);
  const clientB = await addClient('Client of Bob', 'b@client.test', bob.id);
  const contractA = await addContract(clientA, '1000.00', '1000.00', false);
  const contractB = await addContract(clientB, '1000.00', '1000.00', false);
  const signedA = await addContract(clientA, '2000.00', '0.00', true);
  const signedB = await addContract(clientB, '2000.00', '0.00', true);
  const eventK = await addEvent(await addContract(clientA, '3000.00', '0.00', true), 'Kate event', kate.id);
  const eventL = await addEvent(await addContract(clientB, '3000.00', '0.00', true), 'Lou event', lou.id);
  return { manager, alice, bob, kate, lou, clientA, clientB, contractA, contractB, signedA, signedB, eventK, eventL };
}

/** The acting collaborator of each department in a World. */
export function actorOf(world: World, department: Department): Actor {
  return department === 'management' ? world.manager : department === 'sales' ? world.alice : world.kate;
}

/** The error a promise rejects with (fails when it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to be refused, but it succeeded');
}

/**
 * The call is refused and changes nothing: the whole data fingerprint (every
 * row of every table, spec/support/sql/testing.sql) is the same after as
 * before. Returns the refusal, for the test to check what it says.
 */
export async function expectRefused(call: () => Promise<unknown>): Promise<Error> {
  const before = await fingerprint();
  const err = await rejection(call());
  const after = await fingerprint();
  if (JSON.stringify(after) !== JSON.stringify(before)) {
    throw new Error(`the refused call changed the data: ${JSON.stringify(before)} became ${JSON.stringify(after)} (${err.message})`);
  }
  return err;
}
