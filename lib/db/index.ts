/**
 * The database door's public surface. Each job has its own module:
 *
 *   door.ts         what the domain sees (Executor, Door, transaction and statement options)
 *   pool.ts         the shell's pool (Database): transactions, one-statement calls, Ctrl+C, LISTEN
 *   admin.ts        the administrator's connection (AdminConnection): setup, scripts, as the owner
 *   transaction.ts  the one transaction shape, queries on one connection, the wait on a full server
 *   errors.ts       the database's errors to ours, by SQLSTATE
 *   driver.ts       the only module that imports `pg` or touches its internals
 */
export type { CopyEach, Door, Executor, Prelude, Row, StandingIdentity, TextKind, TextRows, StatementOptions, Transactional, TransactionOptions } from './door.js';
export { Database, type InterruptTally, type PoolOptions } from './pool.js';
export { AdminConnection, type AdminTransactionOptions } from './admin.js';
export { SessionPools, sessionDoor, checkExecutor, SESSION_POOL_MAX } from './session-pools.js';
export { connectWithWait, DEFAULT_BUSY_WAIT_MS } from './transaction.js';
export { mapDatabaseError, type ErrorContext } from './errors.js';
export { readTimestamp, type Subscription } from './driver.js';
export { isoFromTimestampText } from './timestamp.js';
export { QueryCancelled } from '../domain/errors.js';
