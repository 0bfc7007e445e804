/**
 * Each database session works as its own login role (sql/migrations/040):
 * a pool per role, made at the first call and closed when the session is
 * replaced (re-login) or the shell ends. The runtime role's pool only logs in.
 * The role's CONNECTION LIMIT counts this pool's connections and the
 * listeners (LISTEN) opened on it.
 */
import type { ConnectionParams } from '../platform/config.js';
import type { Actor, DbLogin } from '../domain/actor.js';
import { AuthError } from '../domain/errors.js';
import { Database, type PoolOptions } from './pool.js';
import type { Door } from './door.js';

/** Connections a session's pool opens at most (the role's limit adds the listeners). */
export const SESSION_POOL_MAX = 4;

export class SessionPools {
  private readonly open = new Map<string, Database>();

  constructor(private readonly runtime: ConnectionParams, private readonly options: PoolOptions = {}) {}

  /** The pool of this session's role (made at first use). */
  of(login: DbLogin): Database {
    let db = this.open.get(login.role);
    if (!db) {
      db = new Database({ ...this.runtime, user: login.role, password: login.password }, { max: SESSION_POOL_MAX, ...this.options });
      this.open.set(login.role, db);
    }
    return db;
  }

  /** The pool of the actor's session; AuthError when it has no role (a session of the release before). */
  forActor(actor: Pick<Actor, 'dbLogin'>): Database {
    if (!actor.dbLogin) throw new AuthError('this session has no database login of its own; log in again');
    return this.of(actor.dbLogin);
  }

  /** Close every pool but the one of `role` (the session a re-login replaced). */
  async keepOnly(role?: string): Promise<void> {
    const closing = [...this.open].filter(([r]) => r !== role);
    for (const [r] of closing) this.open.delete(r);
    await Promise.all(closing.map(([, db]) => db.close().catch(() => undefined)));
  }

  close(): Promise<void> {
    return this.keepOnly(undefined);
  }
}

/** The door of whoever is logged in now (re-read at each call: a re-login changes the role). */
export function sessionDoor(pools: SessionPools, actor: () => Pick<Actor, 'dbLogin'>): Door {
  return {
    transaction: (fn, options) => pools.forActor(actor()).transaction(fn, options),
    statement: (q, params, options) => pools.forActor(actor()).statement(q, params, options),
  };
}
