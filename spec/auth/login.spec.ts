import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import { login, type LoginOptions } from '../../lib/auth/login.js';
import { BAD_CREDENTIALS } from '../../lib/auth/password-tries.js';
import { tokenSecret } from '../../lib/auth/secret.js';
import { readToken, saveToken } from '../../lib/auth/store.js';
import { issueToken, TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../lib/auth/tokens.js';
import { Database } from '../../lib/db/index.js';
import { queries } from '../../lib/db/sql.js';
import { testQueries } from '../support/test-queries.js';
import { AuthError } from '../../lib/domain/errors.js';
import type { Terminal } from '../../lib/platform/prompt.js';
import type { Actor } from '../../lib/domain/actor.js';
import { ctx, resetData, sessionDb } from '../support/server.js';
import { addCollaborator, PASSWORD, recordingMonitor } from '../support/users.js';

const t = testQueries(['expireLockout', 'endSessionsOf'] as const);
/** The throttle's constant in SQL (auth_login, sql/migrations/006_verified_sessions.sql). */
const MAX_FAILURES = 5;
const sq = queries('setup', ['actAsOwner'] as const);
const txq = queries('transaction', ['begin', 'commit'] as const);

/** A terminal that answers each password prompt with the next of `answers`, then ends. */
function scriptedTerminal(answers: string[]): Terminal & { prompts: string[] } {
  const input = new PassThrough();
  const prompts: string[] = [];
  const output = new Writable({
    write(chunk, _enc, done) {
      const text = String(chunk);
      if (/Password for|Email/.test(text)) {
        prompts.push(text);
        const next = answers.shift();
        setImmediate(() => (next === undefined ? input.end() : input.write(`${next}\n`)));
      }
      done();
    },
  });
  return { input, output, prompts };
}

async function refusal(call: () => Promise<unknown>): Promise<Error> {
  try {
    await call();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the login to be refused');
}

describe('auth/login', () => {
  let seller: Actor;
  let stateDir: string;
  let options: (extra: Partial<LoginOptions>) => LoginOptions;
  beforeEach(async () => {
    await resetData();
    seller = await addCollaborator('sales', 'alice@epic.events');
    // Own state dir for the token store, same JWT secret as the test configuration.
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-login-'));
    const config = { ...ctx().config, stateDir, jwtSecret: tokenSecret(ctx().config) };
    options = (extra) => ({ config, db: ctx().db, sessionDb, interactive: false, monitor: recordingMonitor(), log: () => undefined, email: seller.email, ...extra });
  });
  afterEach(() => fs.rmSync(stateDir, { recursive: true, force: true }));

  it('logs in with --password-stdin and stores a 0600 token for the email', async () => {
    const { actor, token } = await login(options({ passwordFromStdin: PASSWORD }));
    expect(actor).to.include({ id: seller.id, department: 'sales' });
    expect(readToken({ stateDir }, seller.email)).to.equal(token);
    expect(fs.statSync(path.join(stateDir, 'tokens.json')).mode & 0o777).to.equal(0o600);
  });

  it('opens the session with a valid stored token, without a password, even for the last email used', async () => {
    const first = await login(options({ passwordFromStdin: PASSWORD }));
    const again = await login(options({ email: undefined }));
    expect(again.token).to.equal(first.token);
    expect(again.actor.id).to.equal(seller.id);
  });

  it('refuses a tampered stored token with AuthError (exit code 3)', async () => {
    const { token } = await login(options({ passwordFromStdin: PASSWORD }));
    const [h, , s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: String(seller.id), email: seller.email, sid: seller.sessionKey, iid: ctx().installation, department: 'management', iat: 1, iss: TOKEN_ISSUER, aud: TOKEN_AUDIENCE, exp: 4102444800 })).toString('base64url');
    saveToken({ stateDir }, seller.email, `${h}.${forged}.${s}`);
    const err = await refusal(() => login(options({})));
    expect(err).to.be.instanceOf(AuthError);
    expect((err as AuthError).exitCode).to.equal(3);
    expect(err.message).to.match(/not valid/);
  });

  it('refuses a token signed by another installation', async () => {
    saveToken({ stateDir }, seller.email, issueToken('another installation secret, 32+ bytes long', seller, ctx().installation));
    expect(await refusal(() => login(options({})))).to.be.instanceOf(AuthError);
  });

  it("refuses another collaborator's token stored under one's own email", async () => {
    const boss = await addCollaborator('management', 'boss@epic.events');
    const bossToken = issueToken(tokenSecret(ctx().config), boss, ctx().installation);
    saveToken({ stateDir }, seller.email, bossToken);
    const err = await refusal(() => login(options({})));
    expect(err).to.be.instanceOf(AuthError);
    expect(err.message).to.match(/issued to someone else/);
  });

  it('--password-stdin checks the password even with a valid stored token, and stores a fresh token', async () => {
    const first = await login(options({ passwordFromStdin: PASSWORD }));
    const wrong = await refusal(() => login(options({ passwordFromStdin: 'not the password at all' })));
    expect(wrong.message).to.equal(BAD_CREDENTIALS);
    const again = await login(options({ passwordFromStdin: PASSWORD }));
    expect(again.token).not.to.equal(first.token);
    expect(again.actor.sessionKey).not.to.equal(first.actor.sessionKey);
    expect(readToken({ stateDir }, seller.email)).to.equal(again.token);
  });

  it('asks for the password when the stored token has expired, then stores a new one', async () => {
    const expired = jwt.sign({ department: 'sales', email: seller.email, sid: seller.sessionKey, iid: ctx().installation, iat: Math.floor(Date.now() / 1000) - 60, exp: Math.floor(Date.now() / 1000) - 5 }, tokenSecret(ctx().config), { algorithm: 'HS256', issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, subject: String(seller.id) });
    saveToken({ stateDir }, seller.email, expired);
    const terminal = scriptedTerminal(['wrong password here', PASSWORD]);
    const { token } = await login(options({ interactive: true, terminal }));
    expect(terminal.prompts).to.have.length(2);
    expect(token).not.to.equal(expired);
    expect(readToken({ stateDir }, seller.email)).to.equal(token);
  });

  it('asks the password once for a token of the release before database sessions (after an upgrade), then stores a new one', async () => {
    const old = jwt.sign({ department: 'sales', ver: 1 }, tokenSecret(ctx().config), { algorithm: 'HS256', issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, subject: String(seller.id), expiresIn: 3600 });
    saveToken({ stateDir }, seller.email, old);
    const notices: string[] = [];
    const terminal = scriptedTerminal([PASSWORD]);
    const { token, actor } = await login(options({ interactive: true, terminal, log: (l) => notices.push(l) }));
    expect(terminal.prompts).to.have.length(1);
    expect(notices).to.deep.equal(['Your session has expired; please log in again.']);
    expect(actor.id).to.equal(seller.id);
    expect(readToken({ stateDir }, seller.email)).to.equal(token);
    // And the next start uses the new token without asking.
    const again = await login(options({}));
    expect(again.token).to.equal(token);
  });

  it('refuses after three wrong passwords with AuthError (exit code 3)', async () => {
    const terminal = scriptedTerminal(['wrong one 1111', 'wrong two 2222', 'wrong three 333', PASSWORD]);
    const err = await refusal(() => login(options({ interactive: true, terminal })));
    expect(err).to.be.instanceOf(AuthError);
    expect((err as AuthError).exitCode).to.equal(3);
    expect(terminal.prompts).to.have.length(3);
    expect(readToken({ stateDir }, seller.email)).to.equal(undefined);
  });

  it('refuses non-interactively without a token or a password, saying what to do', async () => {
    const err = await refusal(() => login(options({})));
    expect(err).to.be.instanceOf(AuthError);
    expect(err.message).to.match(/--password-stdin/);
  });

  it('gives the same message for an unknown email and a wrong password', async () => {
    const unknown = await refusal(() => login(options({ email: 'ghost@epic.events', passwordFromStdin: PASSWORD })));
    const wrong = await refusal(() => login(options({ passwordFromStdin: 'not the password' })));
    expect(unknown.message).to.equal(BAD_CREDENTIALS);
    expect(wrong.message).to.equal(BAD_CREDENTIALS);
  });

  it('drops a stored token whose session the database ended and falls back to the password', async () => {
    await login(options({ passwordFromStdin: PASSWORD }));
    const { admin } = ctx();
    await admin.exec(txq.begin);
    await admin.exec(sq.actAsOwner);
    await admin.exec(t.endSessionsOf, [seller.id]);
    await admin.exec(txq.commit);
    const err = await refusal(() => login(options({})));
    expect(err.message).to.match(/no valid stored token/);
    expect(readToken({ stateDir }, seller.email)).to.equal(undefined);
  });

  describe('throttling', () => {
    it(`locks an email out after ${MAX_FAILURES} failures across two processes, reports it once, and lifts it after the lock`, async () => {
      const processA = ctx().db;
      const processB = new Database(ctx().target.runtime, { max: 1 });
      const monitor = recordingMonitor();
      try {
        for (let i = 0; i < MAX_FAILURES; i++) {
          const err = await refusal(() => login(options({ db: i % 2 ? processB : processA, monitor, passwordFromStdin: `wrong password ${i}` })));
          expect(err).to.be.instanceOf(AuthError);
        }
        expect(monitor.events.map((e) => e.name)).to.deep.equal(['login.lockout']);
        expect(JSON.stringify(monitor.events)).not.to.include(PASSWORD);
        // The right password is refused too while locked, in either process.
        for (const db of [processA, processB]) {
          const err = await refusal(() => login(options({ db, monitor, passwordFromStdin: PASSWORD })));
          expect(err.message).to.match(/too many failed logins/);
        }
        const { admin } = ctx();
        await admin.exec(txq.begin);
        await admin.exec(sq.actAsOwner);
        await admin.exec(t.expireLockout, [seller.email]);
        await admin.exec(txq.commit);
        const { actor } = await login(options({ db: processB, monitor, passwordFromStdin: PASSWORD }));
        expect(actor.id).to.equal(seller.id);
      } finally {
        await processB.close();
      }
    });

    it('throttles unknown emails the same way (no account enumeration)', async () => {
      for (let i = 0; i < MAX_FAILURES - 1; i++) await refusal(() => login(options({ email: 'ghost@epic.events', passwordFromStdin: 'whatever password' })));
      const err = await refusal(() => login(options({ email: 'ghost@epic.events', passwordFromStdin: 'whatever password' })));
      expect(err.message).to.match(/too many failed logins/);
    });
  });
});
