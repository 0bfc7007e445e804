/**
 * Revocations pushed by the database (LISTEN epic_session, announced by a
 * trigger on users: sql/migrations/005_session_checks.sql), so the session
 * check before each evaluation need not ask the database every time.
 *
 * The database is still asked whenever the listener is not connected, after
 * any notification (it names no one: who logged out is nobody else's business), when the last check is older than the
 * listener's connection (a revocation before it would have been missed), and
 * at least every `maxAgeMs`. And every transaction asserts the session in the
 * database anyway (assert_session), so a revocation can never slip through
 * to the data in the moment before its notification arrives.
 */
import type { Database, Subscription } from '../db/index.js';
import { queries } from '../db/sql.js';

const q = queries('session', ['listenSessions'] as const);

const RETRY_MS = 2000;

export class SessionWatch {
  private subscription?: Subscription;
  private starting?: Promise<void>;
  private lastAttempt = 0;
  private closed = false;
  private readonly stale = new Set<number>();
  private readonly checkedAt = new Map<number, number>();

  constructor(private readonly db: Pick<Database, 'listen'>, private readonly maxAgeMs = 5000) {}

  /** Whether the database must be asked before the token of `userId` is trusted. */
  needsCheck(userId: number): boolean {
    this.ensureListening();
    const sub = this.subscription;
    if (!sub?.connected || this.stale.has(userId)) return true;
    const at = this.checkedAt.get(userId);
    return at === undefined || at < sub.since || Date.now() - at > this.maxAgeMs;
  }

  /** Call just before asking the database: a notification arriving meanwhile marks it stale again. */
  checking(userId: number): void {
    this.stale.delete(userId);
    this.checkedAt.set(userId, Date.now());
  }

  /** Start listening in the background (idempotent); a failure is retried later, meanwhile the database is asked. */
  ensureListening(): void {
    if (this.closed || this.starting || this.subscription?.connected) return;
    if (Date.now() - this.lastAttempt < RETRY_MS) return;
    this.lastAttempt = Date.now();
    this.starting = this.db
      // The payload names no one (sql/migrations/013): every collaborator this process checks is asked again.
      .listen(q.listenSessions, () => {
        for (const userId of this.checkedAt.keys()) this.stale.add(userId);
      })
      .then(async (sub) => {
        if (this.closed) await sub.close();
        else this.subscription = sub;
      })
      .catch(() => undefined)
      .finally(() => (this.starting = undefined));
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.starting;
    await this.subscription?.close();
  }
}
