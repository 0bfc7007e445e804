/**
 * The API a shell session works with: the four domain objects, each wrapped by
 * the permission guard (the department check from lib/permissions.ts).
 */
import { createClients, type Clients } from './clients.js';
import { createContracts, type Contracts } from './contracts.js';
import type { ApiDeps } from './deps.js';
import { createEvents, type Events } from './events.js';
import { guard } from './guard.js';
import { createHistory, type History } from './history.js';
import { createUsers, type Users } from './users.js';

export interface CrmApi {
  clients: Clients;
  contracts: Contracts;
  events: Events;
  users: Users;
  /** The feed of recent changes (everyone may call it; management sees everyone's). */
  activity: History['activity'];
}

export function createApi(deps: ApiDeps): CrmApi {
  return {
    clients: guard('clients', createClients(deps), deps.actor),
    contracts: guard('contracts', createContracts(deps), deps.actor),
    events: guard('events', createEvents(deps), deps.actor),
    users: guard('users', createUsers(deps), deps.actor),
    activity: (filter) => createHistory(deps).activity(filter),
  };
}
