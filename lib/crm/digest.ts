/**
 * What the interactive shell tells a collaborator at login (issue 15): their
 * events in the next days, their unsigned and unpaid contracts (sales: their
 * clients'; management: all) and, for management, events without a support
 * contact; for sales and management, their follow-ups due (issue 34). Read in one transaction under the caller's session, like any call;
 * what a department may not read (support: the report views) is not asked.
 */
import { bind, queries } from '../db/sql.js';
import { inSession, type ApiDeps } from './deps.js';

const q = queries('digest', ['digestEvents', 'digestContracts', 'digestUnassigned', 'digestFollowUps', 'digestStart'] as const);

export const DIGEST_DAYS = 7;

export interface Digest {
  days: number;
  events: { count: number; nextName: string | null; nextAt: Date | null };
  /** Sales and management. */
  contracts?: { unsigned: number; unsignedValue: string; unpaid: number; due: string };
  /** Sales and management: open follow-ups due now, set by them or on their clients. */
  followUps?: { count: number; firstClient: string | null; firstNote: string | null };
  /** Management. */
  unassigned?: { count: number; nextAt: Date | null };
  /** Management: whether anyone else and any client is there yet (an empty database gets the first steps). */
  start?: { colleagues: boolean; clients: boolean };
}

export function createDigest(deps: ApiDeps): (now?: Date) => Promise<Digest> {
  return (now = new Date()) => {
    const actor = deps.actor();
    const to = new Date(now.getTime() + DIGEST_DAYS * 86_400_000);
    return inSession(deps, async (tx) => {
      const events = (await tx.one<Digest['events']>(q.digestEvents, bind(q.digestEvents, {
        supportContactId: actor.department === 'support' ? actor.id : null,
        salesContactId: actor.department === 'sales' ? actor.id : null,
        from: now,
        to,
      }))) as Digest['events'];
      const digest: Digest = { days: DIGEST_DAYS, events };
      if (actor.department !== 'support') digest.contracts = await tx.one<NonNullable<Digest['contracts']>>(q.digestContracts);
      if (actor.department !== 'support') digest.followUps = await tx.one<NonNullable<Digest['followUps']>>(q.digestFollowUps, bind(q.digestFollowUps, { userId: actor.id, now }));
      if (actor.department === 'management') digest.unassigned = await tx.one<NonNullable<Digest['unassigned']>>(q.digestUnassigned, bind(q.digestUnassigned, { now }));
      if (actor.department === 'management') digest.start = await tx.one<NonNullable<Digest['start']>>(q.digestStart, [actor.id]);
      return digest;
    }, { readOnly: true });
  };
}
