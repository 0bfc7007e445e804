/**
 * Follow-ups: `clients.followUp(id, when, note)` sets a dated reminder about a
 * client, `followUps({mine?, due?, clientId?, limit?})` lists the open ones by
 * due time, `followUps.done(id)` marks one done. Sales on their own clients,
 * management on all; PostgreSQL enforces the same (sql/migrations/031_follow_ups.sql),
 * and writes both into the client's history.
 */
import { bind, queries } from '../db/sql.js';
import { Conflict, NotFound, PermissionDenied } from '../domain/errors.js';
import { fields, may, method, value, type ObjectDescription, type Values, one, pageOf, record } from './describe.js';
import { inSession, type ApiDeps } from './deps.js';
import { assertOwnership, type OwnedRow } from './ownership.js';
import { DEFAULT_PAGE_SIZE, makePage, type Page } from './page.js';
import { flag, rangeEnd, recordId, text, timestamp, type Problems } from './validate.js';
import { pageLimitField } from './list-filters.js';

const q = queries('followups', [
  'followUpClient', 'createFollowUp', 'listFollowUps', 'lockFollowUp', 'peekFollowUp', 'followUpClientOf', 'doneFollowUp',
] as const);

export interface FollowUp {
  id: number;
  clientId: number;
  clientName: string;
  dueAt: Date;
  note: string;
  setById: number | null;
  setByName: string | null;
  createdAt: Date;
  doneAt: Date | null;
  doneByName: string | null;
}

const FOLLOW_UP_RECORD = record<FollowUp>('FollowUp', {
  id: 'number', clientId: 'number', clientName: 'string', dueAt: 'Date', note: 'string', setById: 'number | null',
  setByName: 'string | null', createdAt: 'Date', doneAt: 'Date | null', doneByName: 'string | null',
});

export interface FollowUpFilters {
  mine?: boolean;
  /** true: due now; a date: due by then ('tomorrow' includes the whole day). */
  due?: boolean | string | Date;
  clientId?: number;
  limit?: number;
}

export const MAX_NOTE = 500;

/** A follow-up's note: one line of text, 1 to 500 characters. */
function note(v: unknown, field: string, p: Problems): string | undefined {
  const t = text(v, field, p, { max: MAX_NOTE, singleLine: true });
  if (t === '') p.add(field, 'must say what to follow up (got an empty text)');
  return t === '' ? undefined : t;
}

/** `due: true` (due now) or a date (due by then). */
function dueBy(v: unknown, field: string, p: Problems): Date | undefined {
  if (v === true) return new Date();
  if (v === false) {
    p.add(field, 'must be true (due now) or a date such as \'tomorrow\' (due by then)');
    return undefined;
  }
  return rangeEnd(v, field, p);
}

/** The description of clients.followUp (in CLIENTS, lib/crm/clients.ts). */
export const FOLLOW_UP = method({
  returns: one(FOLLOW_UP_RECORD), departments: ['sales', 'management'], ownership: { sales: 'ownClient' }, writes: true,
  args: [value('id', recordId), value('when', timestamp), value('note', note)],
  description: 'a dated reminder about this client (followUps() lists them; due ones are in the login digest and arrive as notices)',
  example: "clients.followUp(1, 'next tuesday 10:00', 'call about the budget')",
});

/** The followUps object: followUps(filters) is followUps.list(filters). */
export const FOLLOW_UPS = {
  list: method({
    returns: pageOf(FOLLOW_UP_RECORD), departments: ['sales', 'management'], writes: false,
    args: [fields('filters', { mine: may(flag), due: may(dueBy), clientId: may(recordId), limit: may(pageLimitField) }, { optional: true })],
    description: 'open follow-ups, soonest first (sales: your clients\'; mine: set by you or on your clients; due: true or a date)',
    example: 'followUps({due: true})',
  }),
  done: method({
    returns: one(FOLLOW_UP_RECORD), departments: ['sales', 'management'], ownership: { sales: 'ownClient' }, writes: true,
    args: [value('id', recordId)],
    description: 'mark a follow-up done (it leaves the list; the client\'s history keeps it)',
    example: 'followUps.done(3)',
  }),
} satisfies ObjectDescription;

/** clients.followUp: given to createClients. */
export function followUpMethod(deps: ApiDeps) {
  return async (clientId: number, dueAt: Date, n: string): Promise<FollowUp> => {
    const actor = deps.actor();
    // The insert returns the follow-up as it left it (sql/followups.sql createFollowUp): no second read.
    return inSession(deps, async (tx) => {
      const client = await tx.one<OwnedRow>(q.followUpClient, bind(q.followUpClient, { id: clientId }));
      if (!client) throw new NotFound(`no client has id ${clientId}`);
      assertOwnership(FOLLOW_UP, actor, client, 'follow up');
      return (await tx.one<FollowUp>(q.createFollowUp, bind(q.createFollowUp, { clientId, dueAt, note: n }))) as FollowUp;
    });
  };
}

export function createFollowUps(deps: ApiDeps) {
  type Query = { mine: number | null; dueBy: Date | null; clientId: number | null; limit: number };
  const page = (f: Query, after: FollowUp | null, listed = 0): Promise<Page<FollowUp>> =>
    inSession(deps, async (tx) => {
      const rows = await tx.many<FollowUp>(q.listFollowUps, bind(q.listFollowUps, {
        mine: f.mine, dueBy: f.dueBy, clientId: f.clientId, afterDue: after?.dueAt ?? null, afterId: after?.id ?? null, limit: f.limit + 1,
      }));
      return makePage('followUps', rows, f.limit, (last, so, size = f.limit) => page({ ...f, limit: size }, last, so), listed);
    });

  async function list(f: Values<typeof FOLLOW_UPS.list>[0]): Promise<Page<FollowUp>> {
    return page({ mine: f.mine ? deps.actor().id : null, dueBy: f.due ?? null, clientId: f.clientId ?? null, limit: f.limit ?? DEFAULT_PAGE_SIZE }, null);
  }

  async function done(followUpId: number): Promise<FollowUp> {
    const actor = deps.actor();
    // The update returns the follow-up as it left it (sql/followups.sql doneFollowUp): no second read.
    const marked = await inSession(deps, async (tx) => {
      const locked = await tx.one<OwnedRow & { clientId: number }>(q.lockFollowUp, bind(q.lockFollowUp, { id: followUpId }));
      if (!locked) {
        const seen = await tx.one<{ doneAt: Date | null }>(q.peekFollowUp, bind(q.peekFollowUp, { id: followUpId }));
        if (seen?.doneAt) throw new Conflict(`follow-up ${followUpId} is already done`);
        const of = await tx.one<{ clientId: number | null }>(q.followUpClientOf, bind(q.followUpClientOf, { id: followUpId }));
        if (!of?.clientId) throw new NotFound(`no follow-up has id ${followUpId}`);
        const client = await tx.one<OwnedRow>(q.followUpClient, bind(q.followUpClient, { id: of.clientId }));
        if (client) assertOwnership(FOLLOW_UPS.done, actor, client, 'follow up');
        throw new PermissionDenied(`the database refused this change for your department (follow-up ${followUpId})`);
      }
      assertOwnership(FOLLOW_UPS.done, actor, { ...locked, id: locked.clientId }, 'follow up');
      return tx.one<FollowUp>(q.doneFollowUp, bind(q.doneFollowUp, { id: followUpId }));
    });
    if (!marked) throw new NotFound(`no follow-up has id ${followUpId}`);
    return marked;
  }

  return { list, done };
}

export type FollowUps = ReturnType<typeof createFollowUps>;
