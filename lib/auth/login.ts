/**
 * The login flow. The user names an email (--email, a prompt, or the last one
 * used). A stored token for it is verified: valid opens the shell on the
 * database session it carries, expired or ended asks for the password,
 * tampered, foreign or stored under another email is refused (exit 3).
 * Without a token, or with --password-stdin (always checked), the password
 * is asked (three tries on a terminal) or read from standard input.
 *
 * PostgreSQL decides (auth_login, sql/migrations/006_verified_sessions.sql):
 * it compares the password with the stored hash, counts failures and locks
 * the email under one row lock, and opens the session. The shell never sees a
 * hash; unknown emails and wrong passwords cost the same compare there.
 */
import type { Config } from '../platform/config.js';
import type { Executor } from '../db/index.js';
import { bind, queries } from '../db/sql.js';
import type { Monitor } from '../platform/monitoring.js';
import { AuthError, ValidationError } from '../domain/errors.js';
import type { Department } from '../domain/departments.js';
import { ask, type Terminal } from '../platform/prompt.js';
import type { Actor, DbLogin } from '../domain/actor.js';
import { tokenSecret } from './secret.js';
import { actorForClaims } from './token-check.js';
import { lastEmail, readToken, removeToken, saveToken } from './store.js';
import { issueToken, verifyToken } from './tokens.js';
import { changeOwnPassword, chooseNewPassword, passwordChangeDue, WRONG_CURRENT_PASSWORD } from './own-password.js';
import { endSession, newSessionPassword } from './sessions.js';
import { lockedError } from './passwords.js';
import { BAD_CREDENTIALS, capitalise, PASSWORD_TRIES, passwordTries } from './password-tries.js';

const q = queries('auth', ['login'] as const);


export interface LoginOptions {
  config: Config;
  /** The runtime role's connections: the login functions. */
  db: Executor;
  /** Where a session's own calls run (its role's pool, lib/db/session-pools.ts): replacing a password management set. */
  sessionDb: (actor: Actor) => Executor;
  /**
   * Where a stored token's session is checked: its own role's connection, which the
   * shell's calls use next (the runtime role's once that role cannot log in); default `db`.
   */
  tokenDb?: (login: DbLogin) => Executor;
  /** Where to ask for the email and the password (hidden). */
  terminal?: Terminal;
  email?: string;
  /** The password already given — read from standard input (--password-stdin), or chosen at the first start just now: one try, no prompt, always checked. */
  passwordFromStdin?: string;
  interactive: boolean;
  monitor: Monitor;
  /** One-line notices for the user (expired token, wrong password, …). */
  log: (line: string) => void;
}

export interface LoginResult {
  actor: Actor;
  token: string;
}

/** A collaborator logged in by password: their session and the installation that opened it. */
export interface PasswordLogin {
  actor: Actor;
  installation: string;
}

interface LoginRow {
  status: 'ok' | 'wrong' | 'locked' | 'lockedNow';
  sessionKey: string | null;
  id: number | null;
  email: string | null;
  fullName: string | null;
  department: Department | null;
  expiresAt: Date | null;
  lockedUntil: Date | null;
  installation: string | null;
  role: string | null;
}

/**
 * One login attempt, decided by the database. Refused with AuthError while the
 * email is locked out; undefined on a wrong password; a new session when right.
 */
export async function checkPassword(db: Executor, config: Config, monitor: Monitor, email: string, password: string): Promise<PasswordLogin | undefined> {
  // The session's database role gets a password drawn here; only its verifier is sent.
  const role = newSessionPassword();
  const row = await db.one<LoginRow>(q.login, bind(q.login, { email, password, ttlSeconds: config.tokenTtlSeconds, verifier: role.verifier }));
  if (!row) throw new Error('auth_login returned no row');
  if (row.status === 'ok') {
    return {
      actor: {
        id: row.id as number, email: row.email as string, fullName: row.fullName as string, department: row.department as Department,
        sessionKey: row.sessionKey as string, sessionExpiresAt: row.expiresAt as Date, dbLogin: { role: row.role as string, password: role.password },
      },
      installation: row.installation as string,
    };
  }
  if (row.status === 'lockedNow') {
    monitor.event('login.lockout', { email: email.toLowerCase(), lockedUntil: (row.lockedUntil as Date).toISOString() });
  }
  if (row.status === 'locked' || row.status === 'lockedNow') throw lockedError(row.lockedUntil as Date);
  return undefined;
}

async function chooseEmail(opts: LoginOptions): Promise<string> {
  const given = opts.email?.trim();
  if (given) return given.toLowerCase();
  const previous = lastEmail(opts.config);
  if (opts.interactive && opts.terminal) {
    const answer = (await ask(opts.terminal, previous ? `Email [${previous}]: ` : 'Email: '))?.trim();
    if (answer) return answer.toLowerCase();
    if (previous) return previous;
    throw new AuthError('no email given');
  }
  if (previous) return previous;
  throw new AuthError('no email to log in with: give --email ADDRESS (and --password-stdin), or log in interactively once');
}

export async function login(opts: LoginOptions): Promise<LoginResult> {
  const { config, db } = opts;
  const secret = tokenSecret(config);
  const email = await chooseEmail(opts);

  const stored = opts.passwordFromStdin === undefined ? readToken(config, email) : undefined;
  if (stored) {
    const verdict = verifyToken(secret, stored, config.tokenTtlSeconds);
    if (verdict.ok && verdict.claims.email !== email) {
      throw new AuthError(`the stored token for ${email} was issued to someone else; remove it with: epic-events logout --email ${email}`);
    }
    if (!verdict.ok && verdict.reason === 'invalid') {
      throw new AuthError(`the stored token for ${email} is not valid (tampered with or issued by another installation); remove it with: epic-events logout --email ${email}`);
    }
    if (verdict.ok && !verdict.claims.dbLogin) { // a token of the release before session roles: no role to work as
      opts.log('Your session has expired; please log in again.');
    } else if (verdict.ok) {
      const tokenDb = opts.tokenDb && verdict.claims.dbLogin ? opts.tokenDb(verdict.claims.dbLogin) : db;
      const check = await actorForClaims(tokenDb, verdict.claims);
      if (check.ok) {
        await replaceManagementPassword(opts, check.actor, undefined, tokenDb);
        return { actor: check.actor, token: stored };
      }
      removeToken(config, email);
      if (check.reason === 'expired') sessionExpired(opts, email);
      else opts.log(`Session ended: ${check.message}.`);
    } else {
      sessionExpired(opts, email);
    }
  }
  const { actor, installation, password } = await passwordLogin(opts, email);
  await replaceManagementPassword(opts, actor, password).catch(async (err) => {
    await endSession(db, actor.sessionKey).catch(() => undefined); // no token kept: the session opened for nothing
    throw err;
  });
  const token = issueToken(secret, actor, installation, config.tokenTtlSeconds);
  await endReplacedSession(db, secret, config.tokenTtlSeconds, saveToken(config, email, token));
  return { actor, token };
}

/**
 * The stored token a new login replaced: its session ends in the database
 * (else every login on this machine would leave one open, up to the cap).
 * A token that no longer verifies has nothing to end; a failure to end it is
 * not the new login's failure (the session still expires).
 */
async function endReplacedSession(db: Executor, secret: string, ttlSeconds: number, replaced: string | undefined): Promise<void> {
  if (!replaced) return;
  const verdict = verifyToken(secret, replaced, ttlSeconds);
  if (verdict.ok) await endSession(db, verdict.claims.sessionKey).catch(() => undefined);
}

/** An expired stored token: said before the password is asked, or (nobody to ask) the one line of the refusal. */
function sessionExpired(opts: LoginOptions, email: string): void {
  if (opts.passwordFromStdin !== undefined || (opts.interactive && opts.terminal)) return opts.log('Your session has expired; please log in again.');
  throw new AuthError(`the session of ${email} has expired: log in again (epic-events on a terminal, or --email ${email} --password-stdin)`);
}

async function passwordLogin(opts: LoginOptions, email: string): Promise<PasswordLogin & { password: string }> {
  const { config, db, monitor } = opts;
  if (opts.passwordFromStdin !== undefined) {
    const actor = await checkPassword(db, config, monitor, email, opts.passwordFromStdin);
    if (!actor) throw new AuthError(BAD_CREDENTIALS);
    return { ...actor, password: opts.passwordFromStdin };
  }
  if (!opts.interactive || !opts.terminal) {
    throw new AuthError(`no valid stored token for ${email}: log in interactively, or pass the password with --password-stdin`);
  }
  let typed = '', unanswered = false; // unanswered: Ctrl+C or end of input at the question (cancelled, not a wrong password)
  const actor = await passwordTries(
    async (question) => { const answer = await ask(opts.terminal as Terminal, question, { hidden: true }); unanswered = answer === undefined; return answer; },
    `Password for ${email}: `,
    (password) => {
      typed = password;
      return checkPassword(db, config, monitor, email, password);
    },
    opts.log,
  );
  if (!actor) throw new AuthError(unanswered ? `login cancelled: no password given for ${email}` : `${BAD_CREDENTIALS} (${PASSWORD_TRIES} tries)`);
  return { ...actor, password: typed };
}

/**
 * A password management set (users.create, users.update) must be replaced
 * before the shell opens: on a terminal the collaborator chooses one now;
 * anything else (a script, --eval, --password-stdin) is refused, exit code 3.
 * `current`: the password just typed at login (else it is asked).
 */
async function replaceManagementPassword(opts: LoginOptions, actor: Actor, current?: string, db: Executor = opts.db): Promise<void> {
  const { config, monitor } = opts;
  if (!(await passwordChangeDue(db, actor.sessionKey))) return;
  if (!opts.interactive || !opts.terminal) {
    throw new AuthError(`the password of ${actor.email} was set by management and must be replaced before anything else runs: start epic-events on a terminal, log in and choose your own`);
  }
  const askHidden = (question: string) => ask(opts.terminal as Terminal, question, { hidden: true });
  opts.log('Your password was set by management: choose your own before the shell opens.');
  const noAnswer = () => new AuthError('the password management set must be replaced first; nothing was changed');
  let old = current ?? (await askHidden(`Current password for ${actor.email}: `));
  let next = old === undefined ? undefined : await chooseNewPassword(askHidden, opts.log);
  for (let attempt = 1; ; attempt++) {
    if (old === undefined || next === undefined) throw noAnswer();
    let changed: boolean;
    try {
      changed = await changeOwnPassword(opts.sessionDb(actor), config, monitor, actor, old, next);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      opts.log(`${capitalise(err.message)}.`); // the same as the current one: choose again
      next = await chooseNewPassword(askHidden, opts.log);
      continue;
    }
    if (changed) {
      opts.log('Password changed.');
      return;
    }
    if (attempt >= PASSWORD_TRIES) throw new AuthError(`${WRONG_CURRENT_PASSWORD} (${PASSWORD_TRIES} tries)`);
    opts.log(`${capitalise(WRONG_CURRENT_PASSWORD)}; try again.`);
    old = await askHidden(`Current password for ${actor.email}: `);
  }
}
