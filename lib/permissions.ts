/**
 * The department matrix, one table. The API wrapper (who may call), help()
 * (what to show) and Tab completion (what to offer) all read this table, so
 * they cannot disagree. Ownership rules (own clients, assigned events) are
 * checked against the current row inside the write's transaction.
 */
import { DEPARTMENTS, type Department } from './departments.js';

export const OBJECTS = ['clients', 'contracts', 'events', 'users'] as const;
export type ObjectName = (typeof OBJECTS)[number];

/** Extra rule on top of the department, by department. */
export type Ownership =
  | 'ownClient' // sales: the client's sales contact is the caller
  | 'ownClientContract' // sales: the contract's client's sales contact is the caller
  | 'assignedEvent'; // support: the event's support contact is the caller

export interface MethodSpec {
  readonly departments: readonly Department[];
  /** Ownership rule applying to a department (absent: any record). */
  readonly ownership?: Partial<Record<Department, Ownership>>;
  readonly writes: boolean;
  readonly args: string;
  readonly description: string;
  readonly example: string;
  /** Keys of the filter object (list methods), offered by completion inside `list({`. */
  readonly filters?: readonly string[];
}

const ALL = DEPARTMENTS;

export const API: { readonly [O in ObjectName]: { readonly [method: string]: MethodSpec } } = {
  clients: {
    list: {
      departments: ALL, writes: false, args: '{mine?, search?, salesContactId?, unassigned?, limit?}',
      description: 'clients, a page at a time (search matches name, email and company)',
      example: "clients.list({search: 'startup'})",
      filters: ['mine', 'search', 'salesContactId', 'unassigned', 'limit'],
    },
    get: { departments: ALL, writes: false, args: 'id', description: 'one client', example: 'clients.get(1)' },
    create: {
      departments: ['sales'], writes: true, args: '{fullName, email, phone?, companyName?}',
      description: 'a new client; you become its sales contact',
      example: "clients.create({fullName: 'Kevin Casey', email: 'kevin@startup.io', phone: '+678 123 456 78', companyName: 'Cool Startup LLC'})",
    },
    update: {
      departments: ['sales'], ownership: { sales: 'ownClient' }, writes: true, args: 'id, {fullName?, email?, phone?, companyName?}',
      description: 'change one of your clients (stamps the last contact)',
      example: "clients.update(1, {phone: '+678 123 456 79'})",
    },
    history: {
      departments: ALL, writes: false, args: 'id',
      description: 'who changed this client and when, newest first', example: 'clients.history(1)',
    },
  },
  contracts: {
    list: {
      departments: ALL, writes: false, args: '{signed?, unpaid?, mine?, clientId?, limit?}',
      description: 'contracts, a page at a time', example: 'contracts.list({signed: false})',
      filters: ['signed', 'unpaid', 'mine', 'clientId', 'limit'],
    },
    get: { departments: ALL, writes: false, args: 'id', description: 'one contract', example: 'contracts.get(1)' },
    create: {
      departments: ['management'], writes: true, args: '{clientId, totalAmount, amountDue?, signed?}',
      description: 'a new contract for a client', example: "contracts.create({clientId: 1, totalAmount: '1500.00', amountDue: '500.00'})",
    },
    update: {
      departments: ['management', 'sales'], ownership: { sales: 'ownClientContract' }, writes: true, args: 'id, {totalAmount?, amountDue?}',
      description: 'change the amounts of a contract', example: "contracts.update(1, {amountDue: '0'})",
    },
    sign: {
      departments: ['management', 'sales'], ownership: { sales: 'ownClientContract' }, writes: true, args: 'id',
      description: 'record that the client signed the contract', example: 'contracts.sign(1)',
    },
    history: {
      departments: ALL, writes: false, args: 'id',
      description: 'who changed this contract and when, newest first', example: 'contracts.history(1)',
    },
  },
  events: {
    list: {
      departments: ALL, writes: false, args: '{unassigned?, mine?, contractId?, from?, to?, limit?}',
      description: 'events, a page at a time (from/to: starting in that time range; mine: support, assigned to you; sales, your clients\' events)',
      example: 'events.list({unassigned: true})',
      filters: ['unassigned', 'mine', 'contractId', 'from', 'to', 'limit'],
    },
    get: { departments: ALL, writes: false, args: 'id', description: 'one event', example: 'events.get(1)' },
    create: {
      departments: ['sales'], ownership: { sales: 'ownClientContract' }, writes: true,
      args: '{contractId, name, startAt, endAt, location, attendees, notes?}',
      description: 'the event of a signed contract of one of your clients',
      example: "events.create({contractId: 1, name: 'John Ouick Wedding', startAt: '2026-06-04T13:00', endAt: '2026-06-05T02:00', location: '53 Rue du Château, 41120 Candé-sur-Beuvron, France', attendees: 75})",
    },
    update: {
      departments: ['support'], ownership: { support: 'assignedEvent' }, writes: true,
      args: 'id, {name?, startAt?, endAt?, location?, attendees?, notes?}',
      description: 'change an event assigned to you', example: "events.update(1, {notes: 'Band confirmed'})",
    },
    assign: {
      departments: ['management'], writes: true, args: 'id, supportUserId',
      description: "set an event's support contact (a support collaborator; null leaves it unassigned)", example: 'events.assign(1, 3)',
    },
    history: {
      departments: ALL, writes: false, args: 'id',
      description: 'who changed this event and when, newest first', example: 'events.history(1)',
    },
  },
  users: {
    list: {
      departments: ['management'], writes: false, args: '{department?, search?, limit?}',
      description: 'collaborators, a page at a time', example: "users.list({department: 'support'})",
      filters: ['department', 'search', 'limit'],
    },
    get: { departments: ['management'], writes: false, args: 'idOrEmail', description: 'one collaborator', example: "users.get('kate@epic.events')" },
    create: {
      departments: ['management'], writes: true, args: '{fullName, email, department, password, phone?, employeeNumber?}',
      description: 'a new collaborator', example: "users.create({fullName: 'Kate Hastroff', email: 'kate@epic.events', department: 'support', password: '…'})",
    },
    update: {
      departments: ['management'], writes: true, args: 'id, {fullName?, email?, phone?, department?, password?}',
      description: 'change a collaborator (a new password or department ends their sessions)', example: "users.update(3, {phone: '+33 6 12 34 56 78'})",
    },
    delete: {
      departments: ['management'], writes: true, args: 'id, {reassignTo?}',
      description: 'remove a collaborator; their clients and events are reassigned or left unassigned', example: 'users.delete(3, {reassignTo: 4})',
    },
    sessions: {
      departments: ['management'], writes: false, args: 'id',
      description: "a collaborator's open sessions (when each began and ends)", example: 'users.sessions(3)',
    },
    endSessions: {
      departments: ['management'], writes: true, args: 'id',
      description: 'end every session of a collaborator now (they must log in again)', example: 'users.endSessions(3)',
    },
    unlock: {
      departments: ['management'], writes: true, args: 'email',
      description: 'lift the lockout that failed logins put on an email', example: "users.unlock('kate@epic.events')",
    },
    history: {
      departments: ['management'], writes: false, args: 'id',
      description: 'who changed this collaborator and when, newest first', example: 'users.history(3)',
    },
  },
};

export function methodSpec(object: ObjectName, method: string): MethodSpec | undefined {
  return Object.prototype.hasOwnProperty.call(API[object], method) ? API[object][method] : undefined;
}

export function mayCall(department: Department, object: ObjectName, method: string): boolean {
  return methodSpec(object, method)?.departments.includes(department) ?? false;
}

/** The methods of an object a department may call, in table order. */
export function permittedMethods(department: Department, object: ObjectName): string[] {
  return Object.keys(API[object]).filter((m) => mayCall(department, object, m));
}
