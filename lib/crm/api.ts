/**
 * The API: the four domain objects and the reports, each described beside
 * its implementation (CLIENTS and createClients in clients.ts…), plus
 * activity(), find(), trash() and undo(). Every call goes through the one pipeline
 * (lib/crm/invoke.ts) built from this table; nothing reaches an
 * implementation another way.
 */
import { CLIENTS, createClients, type Clients } from './clients.js';
import { createConfirmations } from './confirm.js';
import { CONTRACTS, createContracts, type Contracts } from './contracts.js';
import { readOnlyDeps, type ApiDeps } from './deps.js';
import { OBJECTS, type ObjectDescription, type ObjectName } from './describe.js';
import { EVENTS, createEvents, type Events } from './events.js';
import { FIND, createFind, type Found } from './find.js';
import { ACTIVITY, createHistory, type HistoryEntry } from './history.js';
import { createInvoke, methodTable, objectEntries, type Invoke, type MethodEntry } from './invoke.js';
import type { Page } from './page.js';
import { REPORTS, createReports, type Reports } from './reports.js';
import { USERS, createUsers, type Users } from './users.js';
import { FOLLOW_UPS, createFollowUps, type FollowUps } from './follow-ups.js';
import { TRASH_EMPTY, TRASH_LIST, createTrash, type Trash } from './trash.js';
import { UNDO, createUndo } from './undo.js';
import { resolveReferences } from './references.js';

/** Every method of every object, as described: the table the pipeline, help and completion read. */
export const DESCRIPTIONS: { readonly [O in ObjectName]: ObjectDescription } = {
  clients: CLIENTS,
  contracts: CONTRACTS,
  events: EVENTS,
  users: USERS,
  reports: REPORTS,
  followUps: FOLLOW_UPS,
};

/** The functions of the API itself (not an object's methods), described the same way. */
export const FUNCTIONS: ObjectDescription = { activity: ACTIVITY, find: FIND, trash: TRASH_LIST, 'trash.empty': TRASH_EMPTY, undo: UNDO };

/** A method as its callers see it: any arguments (the pipeline reads them), the implementation's result. */
type Called<F> = F extends (...args: never[]) => Promise<infer R> ? (...args: unknown[]) => Promise<R> : never;
type CalledObject<T> = { readonly [M in keyof T]: Called<T[M]> };

export interface CrmApi {
  clients: CalledObject<Clients>;
  contracts: CalledObject<Contracts>;
  events: CalledObject<Events>;
  users: CalledObject<Users>;
  reports: CalledObject<Reports>;
  /** Open follow-ups (followUps() in the shell is followUps.list()). */
  followUps: CalledObject<FollowUps>;
  /** The feed of recent changes (everyone may call it; management sees everyone's). */
  activity: (filter?: unknown) => Promise<Page<HistoryEntry>>;
  /** Clients, contracts and events matching a text (everyone). */
  find: (text: unknown) => Promise<Found>;
  /** What is in the trash that the caller may see; trash.empty (management) removes it for good. */
  trash: Called<Trash['list']> & { empty: Called<Trash['empty']> };
  /** A history entry's old values written back (everyone, under their own rules). */
  undo: Called<ReturnType<typeof createUndo>['undo']>;
}

function implementations(deps: ApiDeps) {
  const trash = createTrash(deps);
  return {
    clients: createClients(deps),
    contracts: createContracts(deps),
    events: createEvents(deps),
    users: createUsers(deps),
    reports: createReports(deps),
    followUps: createFollowUps(deps),
    functions: { activity: createHistory(deps).activity, find: createFind(deps), trash: trash.list, 'trash.empty': trash.empty, undo: createUndo(deps).undo },
  };
}

export interface ApiOptions {
  /** Each call's run, once it begins: Ctrl+C waits for the calls in flight (lib/program/session.ts). */
  track?: (call: Promise<unknown>) => void;
}

/** The pipeline for `deps`: every method of the table, the implementations of reads on read-only deps. */
export function createInvoker(deps: ApiDeps, options: ApiOptions = {}): Invoke {
  const writing = implementations(deps);
  const reading = implementations(readOnlyDeps(deps));
  const entries: MethodEntry[] = [
    ...OBJECTS.flatMap((o) => objectEntries(o, DESCRIPTIONS[o], writing[o], reading[o])),
    ...objectEntries(null, FUNCTIONS, writing.functions, reading.functions),
  ];
  const questions = createConfirmations(readOnlyDeps(deps), reading.contracts, reading.clients);
  const resolve = (name: string, args: readonly unknown[]) => resolveReferences(deps, name, args);
  return createInvoke({ table: methodTable(entries, questions), actor: deps.actor, questions, track: options.track, resolve });
}

/** The API as objects of methods (clients.list(…)), each call through the pipeline: what tests, the bench and scripts use. */
export function apiOf(invoke: Invoke): CrmApi {
  const api: Record<string, unknown> = {};
  for (const object of OBJECTS) {
    api[object] = Object.fromEntries(Object.keys(DESCRIPTIONS[object]).map((method) => [method, (...args: unknown[]) => invoke(object, method, args)]));
  }
  for (const fn of ['activity', 'find', 'undo']) api[fn] = (...args: unknown[]) => invoke(null, fn, args);
  // trash() lists; trash.empty() is its one method.
  api.trash = Object.assign((...args: unknown[]) => invoke(null, 'trash', args), { empty: (...args: unknown[]) => invoke(null, 'trash.empty', args) });
  return api as unknown as CrmApi;
}

export function createApi(deps: ApiDeps, options: ApiOptions = {}): CrmApi {
  return apiOf(createInvoker(deps, options));
}
