/**
 * events: list/get for everyone; create for sales (a signed contract of one
 * of their clients, one event per contract); update for support (events
 * assigned to them, never the support contact); assign for management (the
 * target must be in support). Ownership is checked against locked rows in the
 * write's transaction.
 */
import { bind, queries } from '../db/sql.js';
import { Conflict, NotFound, ValidationError } from '../domain/errors.js';
import { lockContractFor } from './contracts.js';
import { EVERYONE, fields, may, method, need, value, type ObjectDescription, type Values, one, pageOf, typed, record } from './describe.js';
import { historyDescription, historyMethod } from './history.js';
import { inSession, missingOrRefused, recordById, type ApiDeps } from './deps.js';
import { assertOwnership } from './ownership.js';
import { trashDescriptions, trashMethods } from './trash.js';
import { formatDate } from '../platform/dates.js';
import { DEFAULT_PAGE_SIZE, type Page } from './page.js';
import { BY_ID, keysetPage, sortField, sortHelp, type Sort } from './sort.js';
import { attendees, flag, name, nullOr, rangeEnd, recordId, text, timestamp, validated, type Problems } from './validate.js';
import { pageLimitField } from './list-filters.js';

const q = queries('events', [
  'getEvent', 'restoreEvent', 'listEvents', 'countEvents', 'eventOfContract', 'createEvent', 'lockEvent', 'peekEvent', 'updateEvent', 'lockSupportCandidate', 'assignEvent',
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

/** An event as methods return it (lib/crm/describe.ts `record`). */
const EVENT = record<Event>('EpicEvent', {
  id: 'number', name: 'string', contractId: 'number', clientName: 'string', clientEmail: 'string', clientPhone: 'string | null',
  startAt: 'Date', endAt: 'Date', supportContactId: 'number | null', supportContactName: 'string | null',
  location: 'string', attendees: 'number', notes: 'string | null', createdAt: 'Date', updatedAt: 'Date',
});

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

const location = (v: unknown, field: string, p: Problems) => name(v, field, p, 500);
const notes = (v: unknown, field: string, p: Problems) => (v === null ? null : text(v, field, p, { max: 10000 }));

const CHANGE_HINTS = {
  supportContactId: 'cannot be changed by update: management assigns the support contact with events.assign(id, supportUserId)',
  contractId: 'cannot be changed: an event stays with its contract',
};

/** What events sort by (each column has an index on (column, id), sql/migrations/001 and 008). */
export const EVENT_SORT = { startAt: 'start_at', endAt: 'end_at', name: 'name', id: 'id' } as const;

/** The filters of events.list and events.count. */
const EVENT_FILTERS = {
  unassigned: may(flag), mine: may(flag), contractId: may(recordId), from: may(timestamp), to: may(rangeEnd),
};

/** from/to of a list: `to` after `from`. */
function checkRange([f]: readonly [{ from?: Date; to?: Date }], p: Problems): void {
  if (f.from && f.to && f.to.getTime() <= f.from.getTime()) p.add('to', `must be after from (${formatDate(f.to)} is not after ${formatDate(f.from)})`);
}

const AGENDA_DAYS = 366;
function days(value: unknown, field: string, p: Problems): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= AGENDA_DAYS) return value;
  p.add(field, `must be a whole number of days from 1 to ${AGENDA_DAYS} (got ${typeof value === 'number' ? String(value) : typeof value})`);
  return undefined;
}

/** The events methods: who may call each, its arguments and its help (lib/crm/describe.ts). */
export const EVENTS = {
  list: method({
    returns: pageOf(EVENT), departments: EVERYONE, writes: false,
    args: [fields('filters', { ...EVENT_FILTERS, sort: may(sortField(EVENT_SORT)), limit: may(pageLimitField) }, { optional: true })],
    check: checkRange,
    description: `events, a page at a time (from/to: starting in that time range, a date alone for to includes that day; mine: support, assigned to you; sales, your clients' events; ${sortHelp(EVENT_SORT)})`,
    example: "events.list({from: 'today', to: '+30d', sort: 'startAt'})",
  }),
  count: method({
    returns: typed('number'), departments: EVERYONE, writes: false,
    args: [fields('filters', EVENT_FILTERS, { optional: true })],
    check: checkRange,
    description: 'how many events events.list lists with these filters',
    example: 'events.count({unassigned: true})',
  }),
  upcoming: method({
    returns: pageOf(EVENT), departments: EVERYONE, writes: false,
    args: [fields('filters', { days: may(days), mine: may(flag), limit: may(pageLimitField) }, { optional: true })],
    description: 'the agenda: events starting from now to the next days (default 7), by start time (mine: support, assigned to you; sales, your clients\' events)',
    example: 'events.upcoming({days: 14, mine: true})',
  }),
  get: method({ returns: one(EVENT), departments: EVERYONE, writes: false, args: [value('id', recordId)], description: 'one event', example: 'events.get(1)' }),
  create: method({
    returns: one(EVENT), departments: ['sales'], ownership: { sales: 'ownClientContract' }, writes: true,
    args: [fields('event', {
      contractId: need(recordId), name: need(name), startAt: need(timestamp), endAt: need(timestamp), location: need(location), attendees: need(attendees), notes: may(notes),
    }, { hints: { supportContactId: 'cannot be given: management assigns the support contact with events.assign' } })],
    check: ([f], p) => checkEndAfterStart(f.startAt, f.endAt, p),
    description: 'the event of a signed contract of one of your clients',
    example: "events.create({contractId: 1, name: 'John Ouick Wedding', startAt: '2026-06-04T13:00', endAt: '2026-06-05T02:00', location: '53 Rue du Château, 41120 Candé-sur-Beuvron, France', attendees: 75})",
  }),
  update: method({
    returns: one(EVENT), departments: ['support'], ownership: { support: 'assignedEvent' }, writes: true,
    args: [value('id', recordId), fields('changes', {
      name: may(name), startAt: may(timestamp), endAt: may(timestamp), location: may(location), attendees: may(attendees), notes: may(notes),
    }, { atLeastOne: true, hints: CHANGE_HINTS })],
    check: ([, f], p) => checkEndAfterStart(f.startAt, f.endAt, p),
    description: 'change an event assigned to you', example: "events.update(1, {notes: 'Band confirmed'})",
  }),
  assign: method({
    returns: one(EVENT), departments: ['management'], writes: true, args: [value('id', recordId), value('supportUserId', nullOr(recordId))],
    description: "set an event's support contact (a support collaborator; null leaves it unassigned)", example: 'events.assign(1, 3)',
  }),
  history: historyDescription('event', EVERYONE),
  ...trashDescriptions('event', ['management', 'support'], EVENT),
} satisfies ObjectDescription;

function checkEndAfterStart(start: Date | undefined, end: Date | undefined, p: Problems): void {
  if (start && end && end.getTime() <= start.getTime()) p.add('endAt', `must be after startAt (${formatDate(end)} is not after ${formatDate(start)})`);
}

export function createEvents(deps: ApiDeps) {
  function get(id: number): Promise<Event> {
    return recordById<Event>(deps, q.getEvent, id, 'event');
  }

  /** The query's filters from the call's (shared by list, count and upcoming; the range checked by checkRange). */
  function filterParams(f: { unassigned?: boolean; mine?: boolean; contractId?: number; from?: Date; to?: Date }) {
    const actor = deps.actor();
    return {
      unassigned: f.unassigned,
      // `mine`: support, the events they run; sales, the events of their clients.
      supportContactId: f.mine && actor.department !== 'sales' ? actor.id : null,
      salesContactId: f.mine && actor.department === 'sales' ? actor.id : null,
      contractId: f.contractId,
      from: f.from,
      to: f.to,
    };
  }

  function pageOf(filters: ReturnType<typeof filterParams>, sort: Sort, limit: number): Promise<Page<Event>> {
    return keysetPage<Event>(deps, 'events', q.listEvents, sort, limit, (k) => bind(q.listEvents, { ...filters, ...k }));
  }

  async function list(f: Values<typeof EVENTS.list>[0]): Promise<Page<Event>> {
    return pageOf(filterParams(f), f.sort ?? BY_ID, f.limit ?? DEFAULT_PAGE_SIZE);
  }

  async function count(f: Values<typeof EVENTS.count>[0]): Promise<number> {
    const row = await inSession(deps, (tx) => tx.one<{ count: number }>(q.countEvents, bind(q.countEvents, filterParams(f))));
    return (row as { count: number }).count;
  }

  /** The agenda: from now to `days` days ahead, by start time. */
  async function upcoming(f: Values<typeof EVENTS.upcoming>[0]): Promise<Page<Event>> {
    const from = new Date();
    const to = new Date(from.getTime() + (f.days ?? 7) * 86_400_000);
    return pageOf(filterParams({ mine: f.mine, from, to }), { key: 'startAt', column: EVENT_SORT.startAt, descending: false }, f.limit ?? DEFAULT_PAGE_SIZE);
  }

  async function create(values: Values<typeof EVENTS.create>[0]): Promise<Event> {
    const actor = deps.actor();
    // The insert returns the event as it left it (sql/events.sql createEvent): no second read.
    return inSession(deps, async (tx) => {
      const contract = await lockContractFor(tx, actor, EVENTS.create, values.contractId, 'add events to');
      if (!contract.signedAt) {
        throw new ValidationError([{ field: 'contractId', problem: `contract ${contract.id} is not signed yet; its event can be created once it is signed` }]);
      }
      const existing = await tx.one<{ id: number }>(q.eventOfContract, bind(q.eventOfContract, { contractId: contract.id }));
      if (existing) throw new Conflict(`contract ${contract.id} already has its event (event ${existing.id})`);
      return (await tx.one<Event>(q.createEvent, bind(q.createEvent, { ...values, contractId: contract.id }))) as Event;
    });
  }

  async function update(eventId: number, given: Values<typeof EVENTS.update>[1]): Promise<Event> {
    const actor = deps.actor();
    const mayChange = (row: LockedEvent) => assertOwnership(EVENTS.update, actor, row, 'update');
    // The update returns the event as it left it (sql/events.sql updateEvent): no second read.
    const updated = await inSession(deps, async (tx) => {
      const current = (await tx.one<LockedEvent>(q.lockEvent, bind(q.lockEvent, { id: eventId })))
        ?? (await missingOrRefused<LockedEvent>(tx, q.peekEvent, eventId, () => new NotFound(`no event has id ${eventId}`), mayChange));
      mayChange(current);
      const startAt = given.startAt ?? current.startAt;
      const endAt = given.endAt ?? current.endAt;
      // One of the two may come from the current row: checked here, under the lock.
      validated((p) => checkEndAfterStart(startAt, endAt, p));
      return tx.one<Event>(q.updateEvent, bind(q.updateEvent, {
        id: eventId, name: given.name ?? current.name, startAt, endAt, location: given.location ?? current.location,
        attendees: given.attendees ?? current.attendees, notes: given.notes === undefined ? current.notes : given.notes,
      }));
    });
    return written(updated, eventId);
  }

  /** Give the event to a support collaborator (null: leave it unassigned). */
  async function assign(eventId: number, userId: number | null): Promise<Event> {
    const assigned = await inSession(deps, async (tx) => {
      const current = await tx.one<LockedEvent>(q.lockEvent, bind(q.lockEvent, { id: eventId }));
      if (!current) throw new NotFound(`no event has id ${eventId}`);
      if (userId !== null) {
        const target = await tx.one<{ id: number; email: string; department: string }>(q.lockSupportCandidate, bind(q.lockSupportCandidate, { id: userId }));
        if (!target) throw new NotFound(`no collaborator has id ${userId}`);
        if (target.department !== 'support') {
          throw new ValidationError([{ field: 'supportUserId', problem: `must be a support collaborator (${target.email} is in ${target.department})` }]);
        }
      }
      return tx.one<Event>(q.assignEvent, bind(q.assignEvent, { id: eventId, supportContactId: userId }));
    });
    return written(assigned, eventId);
  }

  /** The row an update returned, or NotFound as get would say it. */
  function written(row: Event | undefined, eventId: number): Event {
    if (!row) throw new NotFound(`no event has id ${eventId}`);
    return row;
  }

  /** Who changed this event and when (sql/migrations/007_change_log.sql). */
  const history = historyMethod(deps, 'event', get);

  return { list, count, upcoming, get, create, update, assign, history, ...trashMethods<Event>(deps, 'event', EVENTS, q.restoreEvent) };
}

export type Events = ReturnType<typeof createEvents>;
