/** What the domain objects (clients, contracts, events, users) are built from. */
import type { Config } from '../platform/config.js';
import type { Monitor } from '../platform/monitoring.js';
import type { Door, Executor, StandingIdentity } from '../db/index.js';
import { bind, queries, type NamedQuery } from '../db/sql.js';
import { NotFound, PermissionDenied } from '../domain/errors.js';
import type { Actor } from '../domain/actor.js';
import { departmentRole } from '../domain/departments.js';

export interface ApiDeps {
  db: Door;
  /** The current caller (re-read after a re-login, hence a function). */
  actor: () => Actor;
  config: Config;
  monitor: Monitor;
  /**
   * Every transaction READ ONLY: the deps the call pipeline gives the
   * implementation of a method whose description says `writes: false`
   * (lib/crm/invoke.ts); its later pages (`it`) keep them.
   */
  readOnly?: boolean;
}

/** The same deps for the methods that only read (lib/crm/invoke.ts). */
export function readOnlyDeps(deps: ApiDeps): ApiDeps {
  return { ...deps, readOnly: true };
}

const sq = queries('session', ['setIdentity', 'setStandingIdentity', 'checkSession'] as const);

/**
 * Run fn in one transaction carrying the caller's identity. Every domain call
 * goes through here, reads included. READ ONLY when the deps say so (a
 * method that does not write), or `readOnly` (a read by nature, such as a
 * record read again after its write).
 */
export function inSession<T>(deps: ApiDeps, fn: (tx: Executor) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
  return deps.db.transaction(fn, { readOnly: options.readOnly || deps.readOnly, prelude: identityOf(deps) });
}

function identityOf(deps: ApiDeps) {
  return identityPrelude(deps.actor());
}

/**
 * The first statement of a collaborator's transaction: the department role
 * and the database session (sql/session.sql). PostgreSQL takes the
 * collaborator from the session, never from the shell.
 */
export function identityPrelude(actor: Pick<Actor, 'department' | 'sessionKey'>): { query: NamedQuery; params: unknown[] } {
  return { query: sq.setIdentity, params: bind(sq.setIdentity, { role: departmentRole(actor.department), sessionKey: actor.sessionKey }) };
}

/**
 * A call that is one statement: the same transaction with the caller's
 * identity as inSession, sent in one round trip (Database.statement).
 */
export function inSessionStatement<R>(deps: ApiDeps, q: NamedQuery, params: readonly unknown[], options: { readOnly?: boolean } = {}): Promise<R[]> {
  // One statement needs no transaction around it: the connection keeps the caller's session between calls.
  return deps.db.statement<R>(q, params, { readOnly: options.readOnly || deps.readOnly, standing: standingIdentity(deps.actor()) });
}

/** The caller's identity as a pooled connection holds it for read-only statements (Database.statement). */
export function standingIdentity(actor: Pick<Actor, 'department' | 'sessionKey'>): StandingIdentity {
  const role = departmentRole(actor.department);
  return {
    key: `${role} ${actor.sessionKey}`,
    set: { query: sq.setStandingIdentity, params: bind(sq.setStandingIdentity, { role, sessionKey: actor.sessionKey }) },
    check: { query: sq.checkSession, params: [role] },
  };
}

/** One record by its id, read in one round trip, or NotFound naming it (`no client has id 12`). */
export async function recordById<R>(deps: ApiDeps, q: NamedQuery, id: number, what: string): Promise<R> {
  const [row] = await inSessionStatement<R>(deps, q, [id], { readOnly: true });
  if (!row) throw new NotFound(`no ${what} has id ${id}`);
  return row;
}

/**
 * After a locking read found nothing: either the row does not exist (NotFound),
 * or row-level security hid it from FOR UPDATE because the caller's department
 * may not change it. `explain` throws the domain's own PermissionDenied for the
 * visible row; should it not (the two layers disagree), the database's refusal stands.
 */
export async function missingOrRefused<R>(tx: Executor, peek: NamedQuery, id: number, notFound: () => Error, explain: (row: R) => void): Promise<never> {
  const row = await tx.one<R>(peek, [id]);
  if (!row) throw notFound();
  explain(row);
  throw new PermissionDenied(`the database refused this change for your department (record ${id})`);
}
