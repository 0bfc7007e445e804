/**
 * Each database session works as its own login role (sql/migrations/040):
 * a pool per role, made at the first call and closed when the session is
 * replaced (re-login) or the shell ends. The runtime role's pool only logs in.
 * The role's CONNECTION LIMIT counts this pool's connections and the
 * listeners (LISTEN) opened on it.
 */
import type { ConnectionParams } from '../platform/config.js';
import type { Actor, DbLogin } from '../domain/actor.js';
import { AuthError, DatabaseUnavailable, SessionRevoked } from '../domain/errors.js';
import { openClient } from './driver.js';
import { mapDatabaseError } from './errors.js';
import { Database, type PoolOptions } from './pool.js';
import type { Door, Executor } from './door.js';

/** Connections a session's pool opens at most (the role's limit adds the listeners). */
export const SESSION_POOL_MAX = 4;

/**
 * A session role's pool. Ending a session ends its backends (the owner
 * terminates them) and its role: a connection lost is then the session's
 * end, said as such when the role can no longer log in.
 */
class SessionDatabase extends Database {
  constructor(private readonly login: ConnectionParams, options: PoolOptions) {
    super(login, options);
  }

  protected override async lost(err: unknown): Promise<unknown> {
    if (err instanceof DatabaseUnavailable && err.reason === 'unreachable') {
      const refused = await openClient(this.login, 5000, 'epic-events').then(
        async (c) => void (await c.end().catch(() => undefined)),
        (e: unknown) => mapDatabaseError(e, { sessionLogin: true }),
      ).catch(() => undefined);
      if (refused instanceof SessionRevoked) return refused;
    }
    return super.lost(err);
  }
}

export class SessionPools {
  private readonly open = new Map<string, Database>();
  private readonly passwords = new WeakMap<Database, string>();

  constructor(private readonly runtime: ConnectionParams, private readonly options: PoolOptions = {}) {}

  /** The pool of this session's role (made at first use). */
  of(login: DbLogin): Database {
    const known = this.open.get(login.role);
    if (known && this.passwords.get(known) === login.password) return known;
    // A role name comes back when session ids start again (a demo --reset): its pool is another login's.
    if (known) void known.close().catch(() => undefined);
    const db = new SessionDatabase({ ...this.runtime, user: login.role, password: login.password }, { max: SESSION_POOL_MAX, ...this.options, sessionLogin: true });
    this.open.set(login.role, db);
    this.passwords.set(db, login.password);
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

/**
 * Where the shell checks its session before each evaluation: on the session's
 * own role (the runtime role's few connections are for logging in); once that
 * role can no longer log in (the session ended or expired, its role gone),
 * on the runtime role's, which says why.
 */
export function checkExecutor(pools: SessionPools, actor: () => Pick<Actor, 'dbLogin'>, runtime: Executor): Executor {
  const on = async <T>(call: (ex: Executor) => Promise<T>): Promise<T> => {
    const login = actor().dbLogin;
    if (!login) return call(runtime);
    try {
      return await call(pools.of(login));
    } catch (err) {
      if (err instanceof SessionRevoked) return call(runtime);
      throw err;
    }
  };
  return {
    one: (q, params) => on((ex) => ex.one(q, params)),
    many: (q, params) => on((ex) => ex.many(q, params)),
    exec: (q, params) => on((ex) => ex.exec(q, params)),
    texts: (q, params) => on((ex) => ex.texts(q, params)),
    copyOut: (q, params, each) => on((ex) => ex.copyOut(q, params, each)),
  };
}
