/**
 * What a collaborator holds when they leave sales or support, or leave the
 * company: their clients (sales) and events (support) go to another
 * collaborator of that department ({reassignTo}) or, deliberately, to nobody
 * ({unassign: true}); asked neither, the change is refused and nothing moves.
 * PostgreSQL refuses the change too while the records are still held
 * (sql/migrations/009).
 */
import { NotFound, ValidationError } from '../domain/errors.js';
import type { Department } from '../domain/departments.js';
import type { Executor } from '../db/index.js';
import { bind, queries } from '../db/sql.js';

const q = queries('users', ['getUserById', 'lockUserForChange', 'moveClients', 'moveEvents'] as const);

export interface ReassignOptions {
  /** Who receives the collaborator's clients (a sales collaborator) or events (support). */
  reassignTo?: number;
  /** Leave them without a contact, deliberately (management assigns them later). */
  unassign?: boolean;
}

/** What a department change or a deletion moved, and to whom (null: left unassigned). */
export interface Moved {
  clients: number;
  events: number;
  to: { id: number; fullName: string } | null;
}

/** A collaborator as messages and results name one: `Bill Boquet (id 4)`. */
export function collaboratorLabel(user: { id: number; fullName: string }): string {
  return `${user.fullName} (id ${user.id})`;
}

export interface Holdings {
  id: number;
  department: Department;
  clients: number;
  events: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Why moving what `from` holds would be refused (see the rules at the top of
 * this file), thrown as a ValidationError; `target` is reassignTo's
 * collaborator as read (undefined: none has that id). Checked by the call and,
 * before it asks y/N, by its question (lib/crm/confirm.ts).
 */
export function checkRelease(from: Holdings, move: { clients: boolean; events: boolean }, options: ReassignOptions, target?: { department: Department } | null): void {
  const clients = move.clients && from.clients > 0;
  const events = move.events && from.events > 0;
  const { reassignTo, unassign } = options;
  if (reassignTo !== undefined && unassign) {
    throw new ValidationError([{ field: 'unassign', problem: 'contradicts reassignTo: give one or the other' }]);
  }
  if (!clients && !events) return;
  const held = [clients ? plural(from.clients, 'client') : '', events ? plural(from.events, 'event') : ''].filter(Boolean).join(' and ');
  if (reassignTo === undefined) {
    if (unassign) return;
    const wanted = clients ? 'a sales collaborator' : 'a support collaborator';
    throw new ValidationError([{ field: 'reassignTo', problem: `is required: collaborator ${from.id} has ${held} that would be left without a contact; give {reassignTo: <id of ${wanted}>} or {unassign: true}` }]);
  }
  if (reassignTo === from.id) throw new ValidationError([{ field: 'reassignTo', problem: 'must be another collaborator' }]);
  if (!target) throw new ValidationError([{ field: 'reassignTo', problem: `no collaborator has id ${reassignTo}` }]);
  if (clients && events) {
    throw new ValidationError([{ field: 'reassignTo', problem: `collaborator ${from.id} holds both clients and events, which cannot go to one collaborator; leave them unassigned and assign them afterwards` }]);
  }
  if (clients && target.department !== 'sales') {
    throw new ValidationError([{ field: 'reassignTo', problem: `clients go to a sales collaborator; collaborator ${reassignTo} is in ${target.department}` }]);
  }
  if (events && target.department !== 'support') {
    throw new ValidationError([{ field: 'reassignTo', problem: `events go to a support collaborator; collaborator ${reassignTo} is in ${target.department}` }]);
  }
}

/**
 * Move what the collaborator holds and no longer may to reassignTo, or leave
 * it unassigned when asked to ({unassign: true}); asked neither, the call is
 * refused (checkRelease), saying how many records would be left without a
 * contact. PostgreSQL refuses the change too until they are released
 * (sql/migrations/009). Returns what moved.
 */
export async function releaseRecords(tx: Executor, from: Holdings, move: { clients: boolean; events: boolean }, options: ReassignOptions): Promise<Moved> {
  const clients = move.clients && from.clients > 0;
  const events = move.events && from.events > 0;
  const { reassignTo } = options;
  const target = reassignTo === undefined || reassignTo === from.id ? undefined : await tx.one<{ department: Department; fullName: string }>(q.getUserById, bind(q.getUserById, { id: reassignTo }));
  checkRelease(from, move, options, target);
  if (!clients && !events) return { clients: 0, events: 0, to: null };
  const to: Moved['to'] = reassignTo !== undefined && target ? { id: reassignTo, fullName: target.fullName } : null;
  const toId = to?.id ?? null;
  return {
    clients: clients ? await tx.exec(q.moveClients, bind(q.moveClients, { fromId: from.id, toId })) : 0,
    events: events ? await tx.exec(q.moveEvents, bind(q.moveEvents, { fromId: from.id, toId })) : 0,
    to,
  };
}

/** The collaborator, locked for the change, with how many clients and events they hold. */
export async function lockHoldings(tx: Executor, id: number): Promise<Holdings> {
  const held = await tx.one<Holdings>(q.lockUserForChange, bind(q.lockUserForChange, { id }));
  if (!held) throw new NotFound(`no collaborator has id ${id}`);
  return held;
}

