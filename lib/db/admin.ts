/**
 * The administrator's connection (setup, the demo data, the test harness and
 * the bench): one connection of its own, migration scripts, and transactions
 * as the schema owner.
 */
import type { ConnectionParams } from '../platform/config.js';
import { openClient, send, type Connection } from './driver.js';
import type { Executor, TransactionOptions, Transactional } from './door.js';
import { mapDatabaseError } from './errors.js';
import { connectWithWait, DEFAULT_BUSY_WAIT_MS, QueryRunner, run, tq, transact } from './transaction.js';
import { queries } from './sql.js';

const ownerQ = queries('setup', ['actAsOwner'] as const);

export interface AdminTransactionOptions extends TransactionOptions {
  /** As the schema owner (role epic_owner, search_path epic): the prelude. */
  asOwner?: boolean;
}

/**
 * A single connection for provisioning: runs migration scripts (multi-statement,
 * no parameters) and named queries. Used by setup and the test harness only.
 */
export class AdminConnection extends QueryRunner implements Transactional<AdminTransactionOptions> {
  private constructor(private readonly client: Connection & { end(): Promise<void> }) {
    super((q, values, asText) => run(client, q, values, false, undefined, asText));
  }

  /** Connect, waiting up to `busyWaitMs` for a free slot on a full server. */
  static async open(params: ConnectionParams, connectTimeoutMs = 5000, busyWaitMs = DEFAULT_BUSY_WAIT_MS): Promise<AdminConnection> {
    const client = await connectWithWait(() => openClient(params, connectTimeoutMs, 'epic-events setup'), busyWaitMs);
    return new AdminConnection(client);
  }

  /**
   * One transaction on this connection (lib/db/transaction.ts), rolled back
   * when fn fails. With `asOwner`, as the schema owner.
   */
  async transaction<T>(fn: (tx: Executor) => Promise<T>, options: AdminTransactionOptions = {}): Promise<T> {
    const { asOwner, ...rest } = options;
    try {
      return await transact(this.client, fn, asOwner ? { ...rest, prelude: { query: ownerQ.actAsOwner, params: [] } } : rest);
    } catch (err) {
      await run(this.client, tq.rollback).catch(() => undefined);
      throw err;
    }
  }

  /** Run a whole SQL script (a migration file) as one simple-protocol call. */
  async script(text: string): Promise<void> {
    try {
      await send(this.client, { text });
    } catch (err) {
      throw mapDatabaseError(err);
    }
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}
