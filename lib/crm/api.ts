/**
 * The API a shell works with: the four domain objects and the reports, each described beside
 * its implementation (CLIENTS in clients.ts…) and wrapped by the permission
 * guard built from that description.
 */
import { CLIENTS, createClients, type Clients } from './clients.js';
import { CONTRACTS, createContracts, type Contracts } from './contracts.js';
import type { ApiDeps } from './deps.js';
import type { ObjectDescription, ObjectName } from './describe.js';
import { EVENTS, createEvents, type Events } from './events.js';
import { createFind, type Found } from './find.js';
import { guard } from './guard.js';
import { createCandidates, type Candidates } from './candidates.js';
import { createNotices, type Notices } from './notices.js';
import { createHistory, type History } from './history.js';
import { REPORTS, createReports, type Reports } from './reports.js';
import { USERS, createUsers, type Users } from './users.js';
import { FOLLOW_UPS, createFollowUps, type FollowUps } from './follow-ups.js';
import { createTrash, type Trash } from './trash.js';
import { createUndo } from './undo.js';

/** Every method of every object, as described: the table help, completion and the guard read. */
export const DESCRIPTIONS: { readonly [O in ObjectName]: ObjectDescription } = {
  clients: CLIENTS,
  contracts: CONTRACTS,
  events: EVENTS,
  users: USERS,
  reports: REPORTS,
  followUps: FOLLOW_UPS,
};

export interface CrmApi {
  clients: Clients;
  contracts: Contracts;
  events: Events;
  users: Users;
  reports: Reports;
  /** Open follow-ups (followUps() in the shell is followUps.list()). */
  followUps: FollowUps;
  /** The feed of recent changes (everyone may call it; management sees everyone's). */
  activity: History['activity'];
  /** Clients, contracts and events matching a text (everyone). */
  find: (text: string) => Promise<Found>;
  /** What is in the trash that the caller may see; trash.empty (management) removes it for good. */
  trash: Trash['list'] & { empty: Trash['empty'] };
  /** A history entry's old values written back (everyone, under their own rules). */
  undo: ReturnType<typeof createUndo>['undo'];
  /** Names for Tab completion (never a method of the context). */
  candidates: Candidates;
  /** What the notices at the prompt read (never a method of the context). */
  notices: Notices;
}

export function createApi(deps: ApiDeps): CrmApi {
  return {
    clients: guard('clients', CLIENTS, createClients(deps), deps.actor),
    contracts: guard('contracts', CONTRACTS, createContracts(deps), deps.actor),
    events: guard('events', EVENTS, createEvents(deps), deps.actor),
    users: guard('users', USERS, createUsers(deps), deps.actor),
    reports: guard('reports', REPORTS, createReports(deps), deps.actor),
    followUps: guard('followUps', FOLLOW_UPS, createFollowUps(deps), deps.actor),
    activity: (filter) => createHistory(deps).activity(filter),
    find: createFind(deps),
    trash: trashCall(createTrash(deps)),
    undo: createUndo(deps).undo,
    candidates: createCandidates(deps),
    notices: createNotices(deps),
  };
}

/** trash() lists; trash.empty() is its one method. */
function trashCall(trash: Trash): CrmApi['trash'] {
  return Object.assign((options?: Parameters<Trash['list']>[0]) => trash.list(options), { empty: trash.empty });
}
