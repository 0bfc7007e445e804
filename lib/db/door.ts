/**
 * What code outside lib/db sees of the database: named queries run on an
 * Executor, in a transaction or as a call of one statement. No pool, no
 * connection, no driver type crosses this line.
 */
import type { NamedQuery } from './sql.js';

export type Row = Record<string, unknown>;

/** How a column's text reads (the type PostgreSQL gave it). */
export type TextKind = 'text' | 'number' | 'boolean' | 'timestamp' | 'json';

/** Rows as PostgreSQL printed them, one array of cells a row (null: NULL), nothing parsed. */
export interface TextRows {
  columns: Array<{ name: string; kind: TextKind }>;
  rows: Array<Array<string | null>>;
}

/**
 * What a COPY … TO STDOUT gives, one CopyData message (a row, in text format)
 * at a time: a view of the driver's buffer, valid until it returns. A promise
 * returned holds the reading until it settles.
 */
export type CopyEach = (chunk: Buffer) => void | Promise<void>;

/** What domain code runs queries on: the pool or a transaction, it does not care which. */
export interface Executor {
  /** At most one row (undefined when none). */
  one<R = Row>(q: NamedQuery, params?: readonly unknown[]): Promise<R | undefined>;
  many<R = Row>(q: NamedQuery, params?: readonly unknown[]): Promise<R[]>;
  /** Affected row count. */
  exec(q: NamedQuery, params?: readonly unknown[]): Promise<number>;
  /** The rows as text, in arrays (an export reads a million of them without an object each). */
  texts(q: NamedQuery, params?: readonly unknown[]): Promise<TextRows>;
  /** A COPY … TO STDOUT, its data handed to `each` as they arrive; the row count. */
  copyOut(q: NamedQuery, params: readonly unknown[], each: CopyEach): Promise<number>;
}

/** A named query and its values. */
export interface Prelude {
  query: NamedQuery;
  params: readonly unknown[];
}

/** How a transaction begins (see sql/session.sql for the identity prelude). */
export interface TransactionOptions {
  /** A query run with these params right after BEGIN (e.g. the session identity). */
  prelude?: Prelude;
  readOnly?: boolean;
}

/** An identity a pooled connection may hold between calls (see Door.statement). */
export interface StandingIdentity {
  key: string;
  set: Prelude;
  check: Prelude;
}

/** A call of one statement (Door.statement): who runs it, and whether it only reads. */
export interface StatementOptions {
  /** The caller's identity, held by the connection between calls. */
  standing: StandingIdentity;
  readOnly?: boolean;
}

/** Anything that runs transactions: the one shape, `fn` always gets the transaction's Executor. */
export interface Transactional<O extends TransactionOptions = TransactionOptions> {
  /** BEGIN, the optional prelude, fn, COMMIT; ROLLBACK when anything fails. */
  transaction<T>(fn: (tx: Executor) => Promise<T>, options?: O): Promise<T>;
}

/** What the domain (lib/crm) is given: transactions, and calls of one statement. */
export interface Door extends Transactional {
  /** One statement, its own transaction, under the caller's standing identity. */
  statement<R = Row>(q: NamedQuery, params: readonly unknown[], options: StatementOptions): Promise<R[]>;
}
