/**
 * What the notices at the prompt read (lib/shell/notices.ts): the history
 * entries a notification announced that concern the caller, and their
 * follow-ups that fell due — each one statement under the caller's session,
 * so the row policies decide (sql/notices.sql).
 */
import { bind, queries } from '../db/sql.js';
import { inSessionStatement, type ApiDeps } from './deps.js';

const q = queries('notices', ['noticesBetween', 'followUpsFallingDue'] as const);

export interface ChangeNotice {
  id: number;
  at: Date;
  actorName: string;
  object: 'client' | 'contract' | 'event';
  recordId: number;
  action: string;
  changes: Record<string, [unknown, unknown]> | null;
  recordName: string | null;
  totalAmount: string | null;
  amountDue: string | null;
}

export interface DueNotice {
  id: number;
  dueAt: Date;
  note: string;
  clientName: string;
}

/** The widest range of ids read for one notification (an import's thousand entries are read as their first). */
const MAX_RANGE = 10_000;

export function createNotices(deps: ApiDeps) {
  return {
    /** The entries fromId..toId that concern the caller (at most 20). */
    changes(fromId: number, toId: number): Promise<ChangeNotice[]> {
      const to = Math.min(toId, fromId + MAX_RANGE);
      return inSessionStatement<ChangeNotice>(deps, q.noticesBetween, bind(q.noticesBetween, { fromId, toId: to }), { readOnly: true });
    },
    /** The caller's open follow-ups due after `since` and by `until`. */
    fallingDue(since: Date, until: Date): Promise<DueNotice[]> {
      if (deps.actor().department === 'support') return Promise.resolve([]);
      return inSessionStatement<DueNotice>(deps, q.followUpsFallingDue, bind(q.followUpsFallingDue, { since, until }), { readOnly: true });
    },
  };
}

export type Notices = ReturnType<typeof createNotices>;
