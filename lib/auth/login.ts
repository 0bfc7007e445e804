/**
 * The login flow. The user names an email (--email, a prompt, or the last one
 * used). A stored token for it is verified: valid opens the session, expired or
 * revoked asks for the password, tampered or foreign is refused (exit 3).
 * Without a token the password is asked (three tries on a terminal) or read
 * from --password-stdin. Unknown email and wrong password give the same
 * message after the same work (a bcrypt compare against a dummy hash).
 */
import bcrypt from 'bcrypt';
import type { Config } from '../config.js';
import type { Database } from '../db/index.js';
import { queries } from '../db/sql.js';
import type { Monitor } from '../crm/deps.js';
import { AuthError } from '../errors.js';
import { ask, type Terminal } from '../prompt.js';
import type { Actor } from '../session.js';
import { verifyPassword } from './passwords.js';
import { tokenSecret } from './secret.js';
import { actorForClaims } from './session.js';
import { lastEmail, readToken, removeToken, saveToken } from './store.js';
import { clearFailures, lockedUntil, recordFailure } from './throttle.js';
import { issueToken, verifyToken } from './tokens.js';

const q = queries('auth', ['credentialsByEmail'] as const);

export const PASSWORD_TRIES = 3;
export const BAD_CREDENTIALS = 'wrong email or password';

export interface LoginOptions {
  config: Config;
  db: Database;
  /** Where to ask for the email and the password (hidden). */
  terminal?: Terminal;
  email?: string;
  /** The password read from standard input (--password-stdin): one try, no prompt. */
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

/** A bcrypt hash of nothing anyone knows, at the configured cost: unknown emails cost a real compare. */
const dummyHashes = new Map<number, Promise<string>>();
function dummyHash(rounds: number): Promise<string> {
  let hash = dummyHashes.get(rounds);
  if (!hash) {
    // A salt plus 31 hash characters is a well-formed hash; no need to pay for hashing it.
    hash = bcrypt.genSalt(rounds).then((salt) => `${salt}${'O'.repeat(31)}`);
    dummyHashes.set(rounds, hash);
  }
  return hash;
}

interface Credentials extends Actor {
  passwordHash: string;
}

/**
 * Check one password for one email, counting failures. Refused with AuthError
 * while the email is locked out; returns undefined on a wrong password.
 */
export async function checkPassword(db: Database, config: Config, monitor: Monitor, email: string, password: string): Promise<Actor | undefined> {
  const until = await lockedUntil(db, email);
  if (until) throw lockedError(until);
  const found = await db.one<Credentials>(q.credentialsByEmail, [email]);
  const matches = await verifyPassword(password, found?.passwordHash ?? (await dummyHash(config.bcryptRounds)));
  if (found && matches) {
    await clearFailures(db, email);
    const { passwordHash: _hash, ...actor } = found;
    return actor;
  }
  const lockedNow = await recordFailure(db, email);
  if (lockedNow) {
    monitor.event('login.lockout', { email: email.toLowerCase(), userId: found?.id ?? null, lockedUntil: lockedNow.toISOString() });
    throw lockedError(lockedNow);
  }
  return undefined;
}

function lockedError(until: Date): AuthError {
  const minutes = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 60_000));
  return new AuthError(`too many failed logins for this email; try again in ${minutes} minute${minutes > 1 ? 's' : ''}`);
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

  const stored = readToken(config, email);
  if (stored) {
    const verdict = verifyToken(secret, stored);
    if (!verdict.ok && verdict.reason === 'invalid') {
      throw new AuthError(`the stored token for ${email} is not valid (tampered with or issued by another installation); remove it with: epic-events logout --email ${email}`);
    }
    if (verdict.ok) {
      const check = await actorForClaims(db, verdict.claims);
      if (check.ok) return { actor: check.actor, token: stored };
      opts.log(`Session ended: ${check.message}.`);
      removeToken(config, email);
    } else {
      opts.log('Your session has expired; please log in again.');
    }
  }
  const actor = await passwordLogin(opts, email);
  const token = issueToken(secret, actor, config.tokenTtlSeconds);
  saveToken(config, email, token);
  return { actor, token };
}

async function passwordLogin(opts: LoginOptions, email: string): Promise<Actor> {
  const { config, db, monitor } = opts;
  if (opts.passwordFromStdin !== undefined) {
    const actor = await checkPassword(db, config, monitor, email, opts.passwordFromStdin);
    if (!actor) throw new AuthError(BAD_CREDENTIALS);
    return actor;
  }
  if (!opts.interactive || !opts.terminal) {
    throw new AuthError(`no valid stored token for ${email}: log in interactively, or pass the password with --password-stdin`);
  }
  const actor = await passwordTries(
    (question) => ask(opts.terminal as Terminal, question, { hidden: true }),
    `Password for ${email}: `,
    (password) => checkPassword(db, config, monitor, email, password),
    opts.log,
  );
  if (!actor) throw new AuthError(`${BAD_CREDENTIALS} (${PASSWORD_TRIES} tries)`);
  return actor;
}

/**
 * Ask for the password up to PASSWORD_TRIES times (at login, and when a
 * session expires in the shell); the collaborator, or undefined when every
 * try was wrong or nobody answered.
 */
export async function passwordTries(
  askPassword: (question: string) => Promise<string | undefined>,
  question: string,
  check: (password: string) => Promise<Actor | undefined>,
  log: (line: string) => void,
): Promise<Actor | undefined> {
  for (let attempt = 1; attempt <= PASSWORD_TRIES; attempt++) {
    const password = await askPassword(question);
    if (password === undefined) return undefined; // end of input: stop asking
    const actor = await check(password);
    if (actor) return actor;
    if (attempt < PASSWORD_TRIES) log(`${capitalise(BAD_CREDENTIALS)}; try again.`);
  }
  return undefined;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
