/**
 * events: list/get for everyone; create for sales (a signed contract of one
 * of their clients, one event per contract); update for support (events
 * assigned to them, never the support contact); assign for management (the
 * target must be in support). Ownership is checked against locked rows in the
 * write's transaction.
 */
import { queries } from '../db/sql.js';
import { Conflict, NotFound, PermissionDenied, ValidationError } from '../errors.js';
import type { Actor } from '../actor.js';
import { lockContractFor } from './contracts.js';
import { historyMethod } from './history.js';
import { inSession, missingOrRefused, recordById, type ApiDeps } from './deps.js';
import { makePage, type Page } from './page.js';
import {
  attendees, fieldsOf, flag, idArgument, name, optional, pageLimit, recordId, required, text, timestamp, validated, type Fields, type Problems,
} from './validate.js';

const q = queries('events', [
  'getEvent', 'listEvents', 'eventOfContract', 'createEvent', 'lockEvent', 'peekEvent', 'updateEvent', 'lockSupportCandidate', 'assignEvent',
] as const);

export interface Event {
  id: number;
  name: string;
  contractId: number;
  clientName: string;
  clientEmail: string;
  clientPhone: string | null;
  startAt: Date;
  endAt: Date;
  supportContactId: number | null;
  supportContactName: string | null;
  location: string;
  attendees: number;
  notes: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface EventFilters {
  unassigned?: boolean;
  /** Support: events assigned to them; sales: events of their clients. */
  mine?: boolean;
  contractId?: number;
  /** Events starting at or after this time. */
  from?: Date | string;
  /** Events starting before this time. */
  to?: Date | string;
  limit?: number;
}

export interface NewEvent {
  contractId: number;
  name: string;
  startAt: Date | string;
  endAt: Date | string;
  location: string;
  attendees: number;
  notes?: string | null;
}

export type EventChanges = Partial<Omit<NewEvent, 'contractId'>>;

interface LockedEvent {
  id: number;
  name: string;
  startAt: Date;
  endAt: Date;
  location: string;
  attendees: number;
  notes: string | null;
  supportContactId: number | null;
  supportContactEmail: string | null;
}

const FILTERS = ['unassigned', 'mine', 'contractId', 'from', 'to', 'limit'] as const;
const DETAIL_FIELDS = ['name', 'startAt', 'endAt', 'location', 'attendees', 'notes'] as const;
const NEW_FIELDS = ['contractId', ...DETAIL_FIELDS] as const;
const CHANGE_HINTS = {
  supportContactId: 'cannot be changed by update: management assigns the support contact with events.assign(id, supportUserId)',
  contractId: 'cannot be changed: an event stays with its contract',
};

const location = (v: unknown, field: string, p: Problems) => name(v, field, p, 500);
const notes = (v: unknown, field: string, p: Problems) => (v === null ? null : text(v, field, p, { max: 10000 }));

function checkEndAfterStart(start: Date | undefined, end: Date | undefined, p: Problems): void {
  if (start && end && end.getTime() <= start.getTime()) p.add('endAt', `must be after startAt (${end.toISOString()} is not after ${start.toISOString()})`);
}

/** The detail fields present in `f`, validated (undefined: not given). */
function details(f: Fields, p: Problems) {
  return {
    name: f.name === undefined ? undefined : name(f.name, 'name', p),
    startAt: f.startAt === undefined ? undefined : timestamp(f.startAt, 'startAt', p),
    endAt: f.endAt === undefined ? undefined : timestamp(f.endAt, 'endAt', p),
    location: f.location === undefined ? undefined : location(f.location, 'location', p),
    attendees: f.attendees === undefined ? undefined : attendees(f.attendees, 'attendees', p),
    notes: f.notes === undefined ? undefined : notes(f.notes, 'notes', p),
  };
}

function assertAssignedToCaller(actor: Actor, event: LockedEvent): void {
  if (actor.department !== 'support' || event.supportContactId === actor.id) return;
  const whose = event.supportContactId === null ? 'is not assigned to anyone' : `is assigned to ${event.supportContactEmail}`;
  throw new PermissionDenied(`support may only update events assigned to them (event ${event.id} ${whose})`);
}

export function createEvents(deps: ApiDeps) {
  function get(id: number): Promise<Event> {
    return recordById<Event>(deps, q.getEvent, id, 'event');
  }

  async function list(filters?: EventFilters): Promise<Page<Event>> {
    const actor = deps.actor();
    const params = validated((p) => {
      const f = fieldsOf(filters, 'filters', FILTERS, p);
      const mine = optional(f, 'mine', p, flag);
      const from = optional(f, 'from', p, timestamp);
      const to = optional(f, 'to', p, timestamp);
      if (from && to && to.getTime() <= from.getTime()) p.add('to', 'must be after from');
      return {
        limit: pageLimit(f.limit, p),
        unassigned: optional(f, 'unassigned', p, flag),
        // `mine`: support, the events they run; sales, the events of their clients.
        supportContactId: mine && actor.department !== 'sales' ? actor.id : null,
        salesContactId: mine && actor.department === 'sales' ? actor.id : null,
        contractId: optional(f, 'contractId', p, recordId),
        from,
        to,
      };
    });
    const fetchAfter = async (afterId: number): Promise<Page<Event>> => {
      const rows = await inSession(deps, (tx) => tx.many<Event>(q.listEvents, [
        afterId, params.limit + 1, params.unassigned, params.supportContactId, params.salesContactId, params.contractId, params.from, params.to,
      ]), { readOnly: true });
      return makePage('events', rows, params.limit, fetchAfter);
    };
    return fetchAfter(0);
  }

  async function create(fields: NewEvent): Promise<Event> {
    const actor = deps.actor();
    const values = validated((p) => {
      const f = fieldsOf(fields, 'event', NEW_FIELDS, p, { supportContactId: 'cannot be given: management assigns the support contact with events.assign' });
      for (const key of ['name', 'startAt', 'endAt', 'location', 'attendees'] as const) if (f[key] === undefined) p.add(key, 'is required');
      const contractId = required(f, 'contractId', p, recordId);
      const d = details(f, p);
      checkEndAfterStart(d.startAt, d.endAt, p);
      return { contractId: contractId as number, ...d };
    });
    const id = await inSession(deps, async (tx) => {
      const contract = await lockContractFor(tx, actor, values.contractId, 'add events to');
      if (!contract.signedAt) {
        throw new ValidationError([{ field: 'contractId', problem: `contract ${contract.id} is not signed yet; its event can be created once it is signed` }]);
      }
      const existing = await tx.one<{ id: number }>(q.eventOfContract, [contract.id]);
      if (existing) throw new Conflict(`contract ${contract.id} already has its event (event ${existing.id})`);
      const row = await tx.one<{ id: number }>(q.createEvent, [
        contract.id, values.name, values.startAt, values.endAt, values.location, values.attendees, values.notes ?? null,
      ]);
      return (row as { id: number }).id;
    });
    return get(id);
  }

  async function update(id: number, changes: EventChanges): Promise<Event> {
    const actor = deps.actor();
    const eventId = idArgument(id, 'id');
    const given = validated((p) => {
      const f = fieldsOf(changes, 'changes', DETAIL_FIELDS, p, CHANGE_HINTS);
      if (Object.keys(f).length === 0) p.add('changes', `must name at least one field to change (${DETAIL_FIELDS.join(', ')})`);
      const d = details(f, p);
      checkEndAfterStart(d.startAt, d.endAt, p);
      return d;
    });
    await inSession(deps, async (tx) => {
      const current = (await tx.one<LockedEvent>(q.lockEvent, [eventId]))
        ?? (await missingOrRefused<LockedEvent>(tx, q.peekEvent, eventId, () => new NotFound(`no event ${eventId}`), (row) => assertAssignedToCaller(actor, row)));
      assertAssignedToCaller(actor, current);
      const startAt = given.startAt ?? current.startAt;
      const endAt = given.endAt ?? current.endAt;
      // One of the two may come from the current row: checked here, under the lock.
      validated((p) => checkEndAfterStart(startAt, endAt, p));
      await tx.exec(q.updateEvent, [
        eventId, given.name ?? current.name, startAt, endAt, given.location ?? current.location,
        given.attendees ?? current.attendees, given.notes === undefined ? current.notes : given.notes,
      ]);
    });
    return get(eventId);
  }

  /** Give the event to a support collaborator (null: leave it unassigned). */
  async function assign(id: number, supportUserId: number | null): Promise<Event> {
    const eventId = idArgument(id, 'id');
    const userId = supportUserId === null ? null : idArgument(supportUserId, 'supportUserId');
    await inSession(deps, async (tx) => {
      const current = await tx.one<LockedEvent>(q.lockEvent, [eventId]);
      if (!current) throw new NotFound(`no event ${eventId}`);
      if (userId !== null) {
        const target = await tx.one<{ id: number; email: string; department: string }>(q.lockSupportCandidate, [userId]);
        if (!target) throw new NotFound(`no collaborator ${userId}`);
        if (target.department !== 'support') {
          throw new ValidationError([{ field: 'supportUserId', problem: `must be a support collaborator (${target.email} is in ${target.department})` }]);
        }
      }
      await tx.exec(q.assignEvent, [eventId, userId]);
    });
    return get(eventId);
  }

  /** Who changed this event and when (sql/migrations/007_change_log.sql). */
  const history = historyMethod(deps, 'event', get);

  return { list, get, create, update, assign, history };
}

export type Events = ReturnType<typeof createEvents>;
