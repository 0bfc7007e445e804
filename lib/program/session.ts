/**
 * The session a shell runs on, composed from its parts: who is logged in
 * and their token, the API through the one call pipeline (lib/crm/invoke.ts)
 * with every call in flight tracked, the check of the token and database
 * session before each evaluation, re-login after expiry, logout, and Ctrl+C
 * (lib/shell/login.ts says what the shell expects of it).
 */
import type { Config } from '../platform/config.js';
import type { Monitor } from '../platform/monitoring.js';
import { visible } from '../platform/text.js';
import { checkExecutor, sessionDoor, type Database, type SessionPools } from '../db/index.js';
import type { Actor } from '../domain/actor.js';
import { checkPassword } from '../auth/login.js';
import { passwordTries } from '../auth/password-tries.js';
import { checkToken, createTokenCheck } from '../auth/token-check.js';
import { changeOwnPassword, checkOwnPassword } from '../auth/own-password.js';
import type { SessionWatch } from '../auth/watch.js';
import { tokenSecret } from '../auth/secret.js';
import { issueToken } from '../auth/tokens.js';
import { removeToken, saveToken } from '../auth/store.js';
import { endSession } from '../auth/sessions.js';
import { createInvoker } from '../crm/api.js';
import { createDigest } from '../crm/digest.js';
import { createCandidates } from '../crm/candidates.js';
import { createNotices } from '../crm/notices.js';
import { queries } from '../db/sql.js';
import type { Login } from '../shell/index.js';

const nq = queries('notices', ['listenChanges'] as const);

export interface Current {
  actor: Actor;
  token: string;
}

export interface LoginParts {
  config: Config;
  /** The runtime role's pool: the login functions only (token checks, re-login, logout). */
  db: Database;
  /** The sessions' own pools: every API call, LISTEN and Ctrl+C (lib/db/session-pools.ts). */
  sessions: SessionPools;
  monitor: Monitor;
  /** Who is logged in and their token; a re-login after expiry replaces both. */
  current: Current;
  /** Revocations pushed by the database; without it every check asks the database. */
  watch?: SessionWatch;
  /** Keep the token in the token store (not for the demo). */
  storeToken: boolean;
  log: (line: string) => void;
}

/** The login the shell runs on: the API's pipeline, the check before each evaluation, re-login, logout, Ctrl+C. */
export function createLogin(parts: LoginParts): Login {
  const { config, db, monitor, current } = parts;
  // The checks run on the session's own role while it can log in (lib/db/session-pools.ts).
  const checks = checkExecutor(parts.sessions, () => current.actor, db);
  const verifier = createTokenCheck({ config, db: checks, token: () => current.token, watch: parts.watch });
  // Every API call in flight, for Ctrl+C to wait on.
  const calls = new Set<Promise<unknown>>();
  const track = (call: Promise<unknown>) => {
    calls.add(call);
    const done = () => void calls.delete(call);
    call.then(done, done);
  };
  const sessionDb = () => parts.sessions.forActor(current.actor);
  const apiDeps = { db: sessionDoor(parts.sessions, () => current.actor), actor: () => current.actor, config, monitor };
  return {
    invoke: createInvoker(apiDeps, { track }),
    // On the session's own role: the session making the change is the one kept (sql/migrations/040).
    changePassword: (oldPassword, newPassword) => changeOwnPassword(sessionDb(), config, monitor, current.actor, oldPassword, newPassword),
    checkPassword: (password) => checkOwnPassword(sessionDb(), monitor, current.actor, password),
    actor: () => current.actor,
    verify: async () => {
      const check = await verifier();
      if (!check.ok) return check;
      current.actor = check.actor;
      return { ok: true };
    },
    relogin: async (askPassword) => {
      const email = current.actor.email;
      const found = await passwordTries(askPassword, visible(`Session expired. Password for ${email}: `), (password) => checkPassword(db, config, monitor, email, password), parts.log);
      if (!found) return false;
      current.actor = found.actor;
      current.token = issueToken(tokenSecret(config), found.actor, found.installation, config.tokenTtlSeconds);
      // The expired session's role is gone (or soon swept): its pool closes.
      await parts.sessions.keepOnly(found.actor.dbLogin?.role);
      if (parts.storeToken) saveToken(config, found.actor.email, current.token);
      return true;
    },
    // After a call failed: whether the session ended under it (the account deleted…), asked of the database directly.
    sessionEnded: async () => {
      const check = await checkToken(config, checks, current.token);
      return check.ok || check.reason === 'expired' ? undefined : check.message;
    },
    listenChanges: (onPayload) => sessionDb().listen(nq.listenChanges, onPayload),
    candidates: createCandidates(apiDeps),
    notices: createNotices(apiDeps),
    logout: async () => {
      // Ended in the database first: a copy of the token opens nothing after this.
      await endSession(db, current.actor.sessionKey);
      await parts.sessions.close();
      if (parts.storeToken) removeToken(config, current.actor.email);
    },
    interrupt: async (waiting) => {
      const running = calls.size;
      const db = sessionDb();
      try {
        // The transactions in flight end (cancelled, rolled back, or committed after all)…
        await db.interrupt();
        // …then the calls themselves: one still hashing a password finds the database closed to it.
        if (calls.size > 0) waiting?.('Interrupting: waiting for the call in progress to stop (it will not write)…');
        while (calls.size > 0) await Promise.allSettled([...calls]);
        const tally = await db.interrupt();
        return { calls: running, ...tally };
      } finally {
        db.resume();
      }
    },
    monitor,
    digest: createDigest(apiDeps),
  };
}
