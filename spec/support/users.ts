/** Collaborators with a real password, and their clients and events, for the auth and users specs (on spec/support/fixtures.ts). */
import { hashPassword } from '../../lib/auth/passwords.js';
import type { ApiDeps } from '../../lib/crm/deps.js';
import { noopMonitor, type Monitor } from '../../lib/platform/monitoring.js';
import { testQueries } from './test-queries.js';
import type { Department } from '../../lib/domain/departments.js';
import type { Actor } from '../../lib/domain/actor.js';
import { addClient as addFixtureClient, addContract, addEvent as addFixtureEvent, addUser } from './fixtures.js';
import { asOwner } from './owner.js';
import { ctx, sessionDb } from './server.js';

export { recordingMonitor } from './fixtures.js';

const t = testQueries(['authFixtureOwners'] as const);

export const PASSWORD = 'correct horse battery';

export async function addCollaborator(department: Department, email = `${department}-${Math.random().toString(36).slice(2, 8)}@epic.events`, password = PASSWORD): Promise<Actor> {
  return addUser(`${department} person`, email, department, await hashPassword(password, 4));
}

export function addClient(salesContactId: number | null): Promise<number> {
  return addFixtureClient('Kevin Casey', `kevin-${Math.random().toString(36).slice(2, 8)}@startup.io`, salesContactId);
}

/** A client with a signed contract and its event. */
export async function addEvent(salesContactId: number | null, supportContactId: number | null): Promise<number> {
  const contract = await addContract(await addClient(salesContactId), '1000.00', '0.00', true);
  return addFixtureEvent(contract, 'John Ouick Wedding', supportContactId);
}

export function owners(): Promise<Array<{ kind: 'client' | 'event'; id: number; ownerId: number | null }>> {
  return asOwner((c) => c.many(t.authFixtureOwners));
}

/** ApiDeps for a caller on the test pool. */
export function depsFor(actor: Actor, monitor: Monitor = noopMonitor): ApiDeps {
  const { config } = ctx();
  return { db: sessionDb(actor), config, monitor, actor: () => actor };
}
