/**
 * The shell's pool of connections as the runtime role: transactions, calls of
 * one statement under a standing identity, Ctrl+C (cancel what runs, let
 * nothing new begin or commit), a lost server handed to whoever can restart
 * it, and LISTEN.
 */
import type { ConnectionParams } from '../platform/config.js';
import { DatabaseUnavailable, PermissionDenied, QueryCancelled } from '../domain/errors.js';
import { cancelBackend, createPool, listen, takeFromPool, type Outcome, type Pool, type PooledConnection, type Subscription } from './driver.js';
import type { Door, Executor, Row, StandingIdentity, StatementOptions, TransactionOptions } from './door.js';
import { mapDatabaseError, type ErrorContext } from './errors.js';
import { CommitInDoubt, connectWithWait, DEFAULT_BUSY_WAIT_MS, QueryRunner, run, tq, transact, type ContextOf, type RowsAs } from './transaction.js';
import { commitFate } from './commit-fate.js';
import type { NamedQuery } from './sql.js';

export interface PoolOptions {
  max?: number;
  connectTimeoutMs?: number;
  statementTimeoutMs?: number;
  applicationName?: string;
  /** How long to wait for a free connection slot on a full server (default 20 s). */
  busyWaitMs?: number;
  /** The embedded server's data directory (named when its disk is full). */
  dataDir?: string;
  /** It logs in as a session's own role: a refused login is the session's end (lib/db/session-pools.ts). */
  sessionLogin?: boolean;
  /**
   * The server could not be reached: called before the failure is reported
   * (the embedded server restarts itself here); its line replaces the error's.
   */
  onConnectionLost?: () => Promise<string>;
}

/** What became of the writes in flight when Ctrl+C came (Database.interrupt). */
export interface InterruptTally {
  /** Writes that committed all the same (their COMMIT had gone through). */
  committed: number;
  /** Writes rolled back, or refused before they began. */
  rolledBack: number;
}

export class Database extends QueryRunner implements Door {
  private readonly pool: Pool;
  private readonly params: ConnectionParams;
  private readonly connectTimeoutMs: number;
  private readonly options: PoolOptions;
  private readonly context: ErrorContext;
  private closed = false;
  /** Connections currently running a query on behalf of the caller (for cancel). */
  private readonly busy = new Set<PooledConnection>();
  /** Connections this process asked the server to cancel (a 57014 on them is Ctrl+C, not a timeout). */
  private readonly cancelled = new WeakSet<PooledConnection>();
  /** Every transaction in flight, for Ctrl+C to wait on. */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Between interrupt() and resume(): no transaction begins, none that has not sent its COMMIT commits. */
  private halted?: InterruptTally;
  /** The standing identity each pooled connection holds (Database.statement). */
  private readonly held = new WeakMap<PooledConnection, string>();

  constructor(params: ConnectionParams, options: PoolOptions = {}) {
    // Outside a transaction too, a query takes its connection the same way
    // (waits, recovery); as before Ctrl+C's halt, it is neither refused nor waited for.
    super((q, values, asText) => this.onClient((client) => this.run(client, q, values, asText), false));
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.pool = createPool(params, {
      max: options.max ?? 4,
      connectTimeoutMs: this.connectTimeoutMs,
      statementTimeoutMs: options.statementTimeoutMs,
      applicationName: options.applicationName ?? 'epic-events',
    });
    this.params = params;
    this.options = options;
    this.context = { dataDir: options.dataDir, sessionLogin: options.sessionLogin };
  }

  /** What the error mapping knows of a query on `client`. */
  private contextOf(client: PooledConnection): ContextOf {
    return () => ({ ...this.context, cancelRequested: this.cancelled.has(client) });
  }

  private run(client: PooledConnection, q: NamedQuery, params: readonly unknown[], asText: RowsAs = false): Promise<Outcome> {
    return run(client, q, params, true, this.contextOf(client), asText);
  }

  /** One transaction (lib/db/transaction.ts); not begun, or not committed, once Ctrl+C has come. */
  transaction<T>(fn: (tx: Executor) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    return this.withClient(!options.readOnly, (client) =>
      transact(client, fn, {
        ...options,
        prepare: true,
        commitInDoubt: true,
        context: this.contextOf(client),
        // Ctrl+C came while it ran: it does not commit (withClient rolls it back).
        beforeCommit: () => {
          if (this.halted) throw new QueryCancelled('interrupted (Ctrl+C) before it committed');
        },
      }));
  }

  /**
   * A call of one statement in one message: the connection holds the caller's
   * identity for its life (set once per connection and identity, at session
   * level), so the statement needs no BEGIN, identity statement or COMMIT —
   * what a hand-written script on a bare connection would send. One statement
   * is its own transaction: it commits whole or not at all. PostgreSQL still
   * verifies the session in every statement (the policies); a read that finds
   * nothing, or a write the policies refuse, asks `check` why, so an ended or
   * expired session says so. A connection serving another identity next is
   * set again first.
   */
  statement<R = Row>(q: NamedQuery, params: readonly unknown[], options: StatementOptions): Promise<R[]> {
    return this.standingStatement<R>(q, params, options.standing, !options.readOnly);
  }

  private standingStatement<R>(q: NamedQuery, params: readonly unknown[], standing: StandingIdentity, write: boolean): Promise<R[]> {
    return this.withClient(write, async (client) => {
      if (this.held.get(client) !== standing.key) {
        this.held.delete(client);
        await this.run(client, standing.set.query, standing.set.params);
        this.held.set(client, standing.key);
      }
      let result: Outcome;
      try {
        result = await this.run(client, q, params);
      } catch (err) {
        if (err instanceof PermissionDenied) await this.run(client, standing.check.query, standing.check.params);
        throw err;
      }
      if (!write && result.rows.length === 0) await this.run(client, standing.check.query, standing.check.params);
      return result.rows as R[];
    });
  }

  /**
   * A pooled connection for one transaction: tracked for Ctrl+C, rolled back
   * when `work` fails (a no-op when its COMMIT already ended it), released —
   * and dropped from the pool when it could not even roll back.
   */
  private withClient<T>(write: boolean, work: (client: PooledConnection) => Promise<T>): Promise<T> {
    if (this.halted) {
      if (write) this.halted.rolledBack++;
      return Promise.reject(new QueryCancelled('interrupted (Ctrl+C): not started'));
    }
    const op = this.onClient(work);
    this.inFlight.add(op);
    const settled = (committed: boolean) => {
      this.inFlight.delete(op);
      if (write && this.halted) this.halted[committed ? 'committed' : 'rolledBack']++;
    };
    op.then(() => settled(true), () => settled(false));
    return op;
  }

  /**
   * The connection itself: taken with the wait for a free slot on a full
   * server (DB_BUSY_TIMEOUT), tracked for cancel, rolled back when `rollback`
   * (a transaction) and `work` failed; a lost server is handed to
   * onConnectionLost (restarted) before the failure is reported.
   */
  private async onClient<T>(work: (client: PooledConnection) => Promise<T>, rollback = true): Promise<T> {
    let client: PooledConnection;
    try {
      client = await connectWithWait(() => takeFromPool(this.pool), this.options.busyWaitMs ?? DEFAULT_BUSY_WAIT_MS, this.context);
    } catch (err) {
      throw await this.lost(err);
    }
    this.busy.add(client);
    let broken = false;
    let doubt: CommitInDoubt | undefined;
    try {
      return await work(client);
    } catch (err) {
      if (rollback) {
        try {
          await run(client, tq.rollback, [], true);
        } catch {
          broken = true;
        }
      }
      if (!(err instanceof CommitInDoubt)) throw await this.lost(mapDatabaseError(err, this.contextOf(client)()));
      doubt = err;
      broken = true;
    } finally {
      this.busy.delete(client);
      this.cancelled.delete(client);
      client.release(broken);
    }
    // The connection was lost around COMMIT: the server says what became of it (lib/db/commit-fate.ts).
    return (await commitFate(doubt as CommitInDoubt, { ask: (q, params) => this.onClient((c) => this.run(c, q, params), false) })) as T;
  }

  /** A lost server: let onConnectionLost act (restart it) and say what it did. */
  protected async lost(err: unknown): Promise<unknown> {
    if (!(err instanceof DatabaseUnavailable) || err.reason !== 'unreachable' || !this.options.onConnectionLost || this.closed) return err;
    const line = await this.options.onConnectionLost();
    const replaced = new DatabaseUnavailable(line, 'unreachable');
    replaced.sqlState = err.sqlState;
    return replaced;
  }

  /**
   * LISTEN on a dedicated connection (outside the pool: it stays open and idle).
   * `q` is the LISTEN statement; each notification's payload goes to `onPayload`.
   */
  async listen(q: NamedQuery, onPayload: (payload: string) => void): Promise<Subscription> {
    try {
      return await listen(this.params, this.connectTimeoutMs, q.text, onPayload);
    } catch (err) {
      throw mapDatabaseError(err, this.context);
    }
  }

  /**
   * Ctrl+C: from now until resume(), no transaction begins and none commits
   * unless its COMMIT was already sent; what runs on the server is
   * cancelled. Resolves once every transaction in flight has ended, with
   * what became of the writes among them (and of those refused since).
   */
  async interrupt(): Promise<InterruptTally> {
    const tally = (this.halted ??= { committed: 0, rolledBack: 0 });
    await this.cancelRunning();
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    return { ...tally };
  }

  /** After an interrupt, once the interrupted calls have ended: transactions may run again. */
  resume(): void {
    this.halted = undefined;
  }

  /** Ask the server to cancel whatever this process is running (Ctrl+C). */
  async cancelRunning(): Promise<number> {
    const clients = [...this.busy];
    for (const c of clients) this.cancelled.add(c);
    await Promise.all(clients.map((c) => cancelBackend(c)));
    return clients.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
