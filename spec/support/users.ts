/** Collaborators, clients and events inserted as the schema owner, for the auth and users specs. */
import { hashPassword } from '../../lib/auth/passwords.js';
import type { ApiDeps } from '../../lib/crm/deps.js';
import { noopMonitor, type Monitor } from '../../lib/crm/deps.js';
import { queries } from '../../lib/db/sql.js';
import type { Department } from '../../lib/permissions.js';
import type { Actor } from '../../lib/session.js';
import { ctx } from './server.js';

const tq = queries('testing', ['authFixtureUser', 'authFixtureClient', 'authFixtureContract', 'authFixtureEvent', 'authFixtureOwners'] as const);
const sq = queries('setup', ['actAsOwner'] as const);
const txq = queries('transaction', ['begin', 'commit', 'rollback'] as const);

export const PASSWORD = 'correct horse battery';

async function asOwner<T>(fn: () => Promise<T>): Promise<T> {
  const { admin } = ctx();
  await admin.exec(txq.begin);
  try {
    await admin.exec(sq.actAsOwner);
    const result = await fn();
    await admin.exec(txq.commit);
    return result;
  } catch (err) {
    await admin.exec(txq.rollback);
    throw err;
  }
}

export async function addCollaborator(department: Department, email = `${department}-${Math.random().toString(36).slice(2, 8)}@epic.events`, password = PASSWORD): Promise<Actor> {
  const hash = await hashPassword(password, 4);
  return asOwner(async () => (await ctx().admin.one<Actor>(tq.authFixtureUser, [`${department} person`, email, department, hash])) as Actor);
}

export async function addClient(salesContactId: number | null): Promise<number> {
  return asOwner(async () => (await ctx().admin.one<{ id: number }>(tq.authFixtureClient, ['Kevin Casey', `kevin-${Math.random().toString(36).slice(2, 8)}@startup.io`, salesContactId]))!.id);
}

/** A client with a signed contract and its event. */
export async function addEvent(salesContactId: number | null, supportContactId: number | null): Promise<number> {
  const clientId = await addClient(salesContactId);
  return asOwner(async () => {
    const contract = (await ctx().admin.one<{ id: number }>(tq.authFixtureContract, [clientId]))!;
    return (await ctx().admin.one<{ id: number }>(tq.authFixtureEvent, [contract.id, 'John Ouick Wedding', supportContactId]))!.id;
  });
}

export async function owners(): Promise<Array<{ kind: 'client' | 'event'; id: number; ownerId: number | null }>> {
  return asOwner(() => ctx().admin.many(tq.authFixtureOwners));
}

/** ApiDeps for a caller on the test pool. */
export function depsFor(actor: Actor, monitor: Monitor = noopMonitor): ApiDeps {
  const { db, config } = ctx();
  return { db, config, monitor, actor: () => actor };
}

/** A monitor that remembers the events it was given. */
export function recordingMonitor(): Monitor & { events: Array<{ name: string; data: Record<string, unknown> }> } {
  const events: Array<{ name: string; data: Record<string, unknown> }> = [];
  return { ...noopMonitor, events, event: (name, data) => void events.push({ name, data }) };
}
