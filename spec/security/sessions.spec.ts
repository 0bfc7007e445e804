/**
 * A collaborator holding every local file tries to become someone else.
 *
 * A fresh embedded installation is set up by the CLI in a state directory of
 * its own; a sales collaborator logs in there. Then, exactly as that person
 * could, the test reads the runtime role's password from
 * `postgres/server.json` and the JWT secret from `jwt-secret`, and attacks
 * with raw SQL and forged tokens. Each attack is refused and the data
 * fingerprint (taken as the superuser, which only the test uses) is unchanged.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import jwt from 'jsonwebtoken';
import pg from 'pg';
import { TOKEN_AUDIENCE, TOKEN_ISSUER } from '../../lib/auth/tokens.js';
import { testQueries } from '../support/test-queries.js';
import { readToken, saveToken } from '../../lib/auth/store.js';
import { runCli } from '../support/cli.js';
import { ALICE, attempt, BOB, BOSS, newInstallation, SESSION_PASSWORD, sessionLogin, VERIFIER, withClient, type Installation } from '../support/installation.js';

const t = testQueries(['fingerprint', 'attackListFunctions', 'attackThrottleRows', 'attackExpireSessions'] as const);

/** A transaction on the runtime connection: `setup` statements, then the attack; always rolled back after reading its outcome. */
async function inTransaction(c: pg.Client, setup: Array<[string, unknown[]]>, attack: [string, unknown[]]) {
  await c.query('begin');
  try {
    for (const [text, values] of setup) {
      const r = await attempt(c, text, values);
      if (r.code) return r;
    }
    const outcome = await attempt(c, ...attack);
    // Committed when it "worked": a refusal must not depend on the rollback.
    await c.query('commit');
    return outcome;
  } finally {
    // After a commit there is nothing left to roll back (a warning, not an error).
    await c.query('rollback').catch(() => undefined);
  }
}

function refused(outcome: { code?: string; rowCount: number }): boolean {
  return outcome.code !== undefined || outcome.rowCount === 0;
}

describe('security: a collaborator holding every local file cannot act as another', function () {
  this.timeout(180_000);
  let inst: Installation;
  let aliceToken: string;
  let ids: Record<string, number>;
  const fingerprint = () => withClient(inst.superuser, async (c) => {
    await c.query('set search_path = epic');
    return (await c.query(t.fingerprint.text)).rows[0] as Record<string, unknown>;
  });

  before(async () => {
    inst = await newInstallation();
    const login = await runCli(['--email', ALICE.email, '--password-stdin', '--json', '--eval', 'whoami()'], inst.env, `${ALICE.password}\n`);
    expect(login.code, login.stderr).to.equal(0);
    const who = JSON.parse(login.stdout) as { email: string; sessionExpiresAt: string };
    expect(who.email).to.equal(ALICE.email);
    // whoami() says when the session ends: TOKEN_TTL (1h) from now.
    expect(Math.abs(new Date(who.sessionExpiresAt).getTime() - (Date.now() + 3600_000))).to.be.below(120_000);
    aliceToken = readToken({ stateDir: inst.home }, ALICE.email) as string;
    ids = await withClient(inst.superuser, async (c) => Object.fromEntries((await c.query('select email, id from epic.users')).rows.map((r) => [r.email, r.id])));
  });

  after(async () => {
    await runCli(['logout', '--email', ALICE.email], inst.env).catch(() => undefined);
    await inst.lease.release();
    fs.rmSync(inst.home, { recursive: true, force: true });
  });

  it('gives the runtime role no password hash: no table, view or function returns one', async () => {
    const before = await fingerprint();
    await withClient(inst.runtime, async (c) => {
      expect((await attempt(c, 'select password_hash from users')).code).to.equal('42501');
      expect((await attempt(c, 'select * from auth_credentials($1)', [BOSS.email])).code).to.equal('42883');
      const callable = (await c.query(t.attackListFunctions.text)).rows.map((r) => r.name as string);
      expect(callable.sort()).to.deep.equal(['assert_session', 'auth_change_password', 'auth_check_own_password', 'auth_login', 'auth_logout', 'auth_password_change_due', 'auth_session', 'auth_session_ending']);
      // Changing a password needs a real session and its current password (sql/migrations/010).
      const guessed = `1.${'0'.repeat(64)}`;
      const hash = '$2b$04$ejHBtpv5mkoYU3qqaU66/OMZJB8vD9.ymuQZeToTLufbZ0WTU2J0K';
      expect((await attempt(c, 'select * from auth_change_password($1, $2, $3)', [guessed, BOSS.password, hash])).code).to.equal('EP001');
      expect((await attempt(c, 'select auth_password_change_due($1) as due', [guessed])).rows).to.deep.equal([{ due: false }]);
      // Checking a password alone (passwd(), migration 055) needs a real session too: no oracle for guessed keys.
      expect((await attempt(c, 'select * from auth_check_own_password($1, $2)', [guessed, BOSS.password])).code).to.equal('EP001');
      const wrong = (await c.query('select * from auth_login($1, $2, 60, $3)', [BOSS.email, 'not the password', VERIFIER])).rows[0];
      expect(JSON.stringify(wrong)).not.to.match(/\$2[aby]\$/);
      expect(wrong.status).to.equal('wrong');
    });
    // The one wrong guess is counted (the throttle), nothing else changed.
    await withClient(inst.superuser, (c) => c.query("delete from epic.login_attempts"));
    expect(await fingerprint()).to.deep.equal(before);
  });

  it('reads nothing without a session, not even collaborators\' emails', async () => {
    await withClient(inst.runtime, async (c) => {
      for (const table of ['users', 'clients', 'contracts', 'events', 'departments', 'sessions', 'login_attempts', 'installation', 'change_log']) {
        expect((await attempt(c, `select * from ${table}`)).code, table).to.equal('42501');
      }
      for (const role of ['epic_management', 'epic_sales', 'epic_support']) {
        const outcome = await inTransaction(c, [["select set_config('role', $1, true)", [role]]], ['select email from users', []]);
        expect(outcome.rows, role).to.deep.equal([]);
      }
    });
  });

  it('grants nothing for settings or guessed values: role, user id, the old assert_session, a guessed session key', async () => {
    const before = await fingerprint();
    const bossId = ids[BOSS.email];
    const guessed = `${1}.${'0'.repeat(64)}`;
    await withClient(inst.runtime, async (c) => {
      const tries: Array<Array<[string, unknown[]]>> = [
        [["select set_config('role', 'epic_management', true), set_config('epic.user_id', $1, true)", [String(bossId)]]],
        [["select set_config('role', 'epic_management', true), set_config('epic.user_id', $1, true), assert_session($1::integer, 1, 'epic_management')", [String(bossId)]]],
        [["select set_config('role', 'epic_management', true), set_config('epic.session', $1, true)", [guessed]]],
        [["select set_config('epic.session', $1, true)", [guessed]], ["select set_config('role', 'epic_management', true)", []]],
      ];
      for (const setup of tries) {
        const outcome = await inTransaction(c, setup, ['update contracts set total_amount = 1, amount_due = 0', []]);
        expect(refused(outcome), JSON.stringify(setup)).to.equal(true);
        const users = await inTransaction(c, setup, ['select email from users', []]);
        expect(users.rows, JSON.stringify(setup)).to.deep.equal([]);
      }
    });
    expect(await fingerprint()).to.deep.equal(before);
  });

  it("refuses a sales session under the management role (the sales collaborator's own valid session)", async () => {
    const before = await fingerprint();
    const sid = (jwt.decode(aliceToken) as { sid: string }).sid;
    await withClient(inst.runtime, async (c) => {
      const asManager: Array<[string, unknown[]]> = [["select set_config('role', 'epic_management', true), set_config('epic.session', $1, true)", [sid]]];
      expect(refused(await inTransaction(c, asManager, ["insert into users (full_name, email, department_id, password_hash) values ('X', 'x@epic.events', 1, '$2b$04$ejHBtpv5mkoYU3qqaU66/OMZJB8vD9.ymuQZeToTLufbZ0WTU2J0K')", []]))).to.equal(true);
      expect(refused(await inTransaction(c, asManager, ['select * from user_sessions($1)', [ids[BOSS.email]]]))).to.equal(true);
      expect((await inTransaction(c, asManager, ['select email from users', []])).rows).to.deep.equal([]);
      // Her valid session presented from the runtime role (not her session's own login) reads nothing either.
      const fromRuntime: Array<[string, unknown[]]> = [["select set_config('role', 'epic_sales', true), set_config('epic.session', $1, true)", [sid]]];
      expect((await inTransaction(c, fromRuntime, ['select email from users', []])).rows).to.deep.equal([]);
    });
    await withClient(sessionLogin(inst, aliceToken), async (c) => {
      // Her own session role cannot become management at all (sql/migrations/040)…
      expect((await attempt(c, "select set_config('role', 'epic_management', true)")).code).to.equal('42501');
      // …and her own role and session work: the refusals above are not blanket.
      const asHerself: Array<[string, unknown[]]> = [["select set_config('role', 'epic_sales', true), set_config('epic.session', $1, true)", [sid]]];
      expect((await inTransaction(c, asHerself, ['select email from users', []])).rows.length).to.equal(3);
    });
    expect(await fingerprint()).to.deep.equal(before);
  });

  it('refuses the old throttle functions and bounds what a login may store', async () => {
    const before = await fingerprint();
    await withClient(inst.runtime, async (c) => {
      expect((await attempt(c, 'select auth_lock_out($1, 2147483647)', [BOSS.email])).code).to.equal('42883');
      expect((await attempt(c, 'select auth_clear_failures($1)', [BOSS.email])).code).to.equal('42883');
      expect((await attempt(c, 'select auth_record_failure($1, 900)', [`${'x'.repeat(100_000)}@a.b`])).code).to.equal('42883');
      const huge = (await c.query('select status from auth_login($1, $2, 60, $3)', [`${'x'.repeat(100_000)}@a.b`, 'x', VERIFIER])).rows[0];
      expect(huge.status).to.equal('wrong');
      const long = (await c.query('select status, "expiresAt" from auth_login($1, $2, $3, $4)', [ALICE.email, ALICE.password, 2_000_000_000, VERIFIER])).rows[0];
      expect(long.status).to.equal('ok');
      // However long the client asks for, the team's TOKEN_TTL (1h here) at most: setup keeps it on the server.
      expect(new Date(long.expiresAt).getTime()).to.be.at.most(Date.now() + 3600_000 + 60_000);
      await c.query('select auth_logout($1)', [(await c.query('select "sessionKey" from auth_login($1, $2, 60, $3)', [ALICE.email, ALICE.password, VERIFIER])).rows[0].sessionKey]);
    });
    expect((await withClient(inst.superuser, (c) => c.query(t.attackThrottleRows.text))).rows.map((r) => r.email)).not.to.include(`${'x'.repeat(100_000)}@a.b`);
    // Two sessions were opened for Alice by her own password (allowed); nothing else changed.
    expect((await fingerprint()).users).to.equal(before.users);
  });

  it('compares at most 5 of 11 concurrent wrong guesses, then locks, and the right password waits out the lock', async () => {
    const clients = await Promise.all(Array.from({ length: 11 }, async () => {
      const c = new pg.Client(inst.runtime);
      await c.connect();
      return c;
    }));
    try {
      const statuses = await Promise.all(clients.map((c, i) => c.query('select status from auth_login($1, $2, 60, $3)', [BOB.email, `wrong guess ${i}`, VERIFIER]).then((r) => r.rows[0].status as string)));
      expect(statuses.filter((s) => s === 'wrong'), statuses.join(',')).to.have.length(4);
      expect(statuses.filter((s) => s === 'lockedNow'), statuses.join(',')).to.have.length(1);
      expect(statuses.filter((s) => s === 'locked'), statuses.join(',')).to.have.length(6);
      const right = (await clients[0].query('select status, "sessionKey" from auth_login($1, $2, 60, $3)', [BOB.email, BOB.password, VERIFIER])).rows[0];
      expect(right).to.deep.equal({ status: 'locked', sessionKey: null });
    } finally {
      await Promise.all(clients.map((c) => c.end()));
      await withClient(inst.superuser, (c) => c.query("delete from epic.login_attempts; delete from epic.sessions s using epic.users u where u.id = s.user_id and u.email = 'bob@epic.events'"));
    }
  });

  it('refuses forged tokens signed with the local secret: management, 10 years, another session, another installation', async () => {
    const claims = jwt.decode(aliceToken) as Record<string, unknown>;
    const { iat: _iat, exp: _exp, sub: _sub, aud: _aud, iss: _iss, ...rest } = claims;
    const sign = ({ sub, ...fields }: { sub?: number } & Record<string, unknown>, expiresIn: number) =>
      jwt.sign({ ...rest, ...fields }, inst.jwtSecret, { algorithm: 'HS256', issuer: TOKEN_ISSUER, audience: TOKEN_AUDIENCE, subject: String(sub ?? ids[ALICE.email]), expiresIn });
    const forged: Array<[string, string, string]> = [
      ['management, 10-year exp', BOSS.email, sign({ sub: ids[BOSS.email], email: BOSS.email, department: 'management' }, 10 * 365 * 86_400)],
      ["management, Alice's session", BOSS.email, sign({ sub: ids[BOSS.email], email: BOSS.email, department: 'management' }, 600)],
      ['management, a guessed session', BOSS.email, sign({ sub: ids[BOSS.email], email: BOSS.email, department: 'management', sid: `1.${'a'.repeat(64)}` }, 600)],
      ["Alice's session, department management", ALICE.email, sign({ department: 'management' }, 600)],
      ['another installation', ALICE.email, sign({ iid: '00000000-0000-4000-8000-000000000000' }, 600)],
    ];
    const before = await fingerprint();
    for (const [what, email, token] of forged) {
      // Into the real store, as the attacker would: under the target's email.
      const stored = readToken({ stateDir: inst.home }, email);
      saveToken({ stateDir: inst.home }, email, token);
      const run = await runCli(['--email', email, '--json', '--eval', 'users.list()'], inst.env, '');
      if (stored) saveToken({ stateDir: inst.home }, email, stored);
      expect(run.code, `${what}: ${run.stdout}${run.stderr}`).to.equal(3);
      expect(run.stdout, what).not.to.include(BOSS.email);
    }
    expect(await fingerprint()).to.deep.equal(before);
  });

  it("refuses another collaborator's token stored under one's own email", async () => {
    const bobLogin = await runCli(['--email', BOB.email, '--password-stdin', '--eval', '1'], inst.env, `${BOB.password}\n`);
    expect(bobLogin.code, bobLogin.stderr).to.equal(0);
    const bobToken = readToken({ stateDir: inst.home }, BOB.email) as string;
    saveToken({ stateDir: inst.home }, ALICE.email, bobToken);
    const run = await runCli(['--email', ALICE.email, '--json', '--eval', 'whoami()'], inst.env, '');
    saveToken({ stateDir: inst.home }, ALICE.email, aliceToken);
    expect(run.code).to.equal(3);
    expect(run.stderr).to.match(/issued to someone else/);
  });

  it('ends the session in the database at logout: the saved token put back opens nothing', async () => {
    const login = await runCli(['--email', BOB.email, '--password-stdin', '--eval', '1'], inst.env, `${BOB.password}\n`);
    expect(login.code, login.stderr).to.equal(0);
    const saved = readToken({ stateDir: inst.home }, BOB.email) as string;
    const sid = (jwt.decode(saved) as { sid: string }).sid;
    expect((await runCli(['logout', '--email', BOB.email], inst.env)).code).to.equal(0);
    saveToken({ stateDir: inst.home }, BOB.email, saved);
    const replay = await runCli(['--email', BOB.email, '--eval', 'whoami()'], inst.env, '');
    expect(replay.code).to.equal(3);
    // And straight at the database, skipping the shell's checks.
    await withClient(inst.runtime, async (c) => {
      const outcome = await inTransaction(c, [["select set_config('role', 'epic_sales', true), set_config('epic.session', $1, true)", [sid]]], ['select email from users', []]);
      expect(outcome.rows).to.deep.equal([]);
    });
  });

  it("ends a collaborator's sessions when management changes their email, and refuses an expired session even to raw SQL", async () => {
    const login = await runCli(['--email', BOB.email, '--password-stdin', '--eval', '1'], inst.env, `${BOB.password}\n`);
    expect(login.code, login.stderr).to.equal(0);
    const sid = (jwt.decode(readToken({ stateDir: inst.home }, BOB.email) as string) as { sid: string }).sid;
    const bossRun = await runCli(['--email', BOSS.email, '--password-stdin', '--eval', `users.update(${ids[BOB.email]}, {email: 'robert@epic.events'}); users.update(${ids[BOB.email]}, {email: '${BOB.email}'})`], inst.env, `${BOSS.password}\n`);
    expect(bossRun.code, bossRun.stderr).to.equal(0);
    expect((await runCli(['--email', BOB.email, '--eval', 'whoami()'], inst.env, '')).code).to.equal(3);
    await withClient(inst.runtime, async (c) => {
      const ended = await inTransaction(c, [["select set_config('role', 'epic_sales', true), set_config('epic.session', $1, true)", [sid]]], ['select email from users', []]);
      expect(ended.rows).to.deep.equal([]);
      // A fresh session, then expired by the clock (moved back by the test as the superuser), tried on its own role.
      const fresh = (await c.query('select "sessionKey", role from auth_login($1, $2, 3600, $3)', [BOB.email, BOB.password, VERIFIER])).rows[0] as { sessionKey: string; role: string };
      await withClient(inst.superuser, (s) => s.query(t.attackExpireSessions.text, [ids[BOB.email]]));
      await withClient({ ...inst.runtime, user: fresh.role, password: SESSION_PASSWORD }, async (own) => {
        const expired = await inTransaction(own, [["select set_config('role', 'epic_sales', true), set_config('epic.session', $1, true)", [fresh.sessionKey]]], ['select email from users', []]);
        expect(expired.rows).to.deep.equal([]);
        const asserted = await inTransaction(own, [["select set_config('role', 'epic_sales', true), set_config('epic.session', $1, true)", [fresh.sessionKey]]], ["select assert_session('epic_sales')", []]);
        expect(asserted.code).to.equal('EP002');
      });
    });
  });

  it('keeps rules in the database for a sales session: no unsigning, back-dating or version writes', async () => {
    const sid = (jwt.decode(aliceToken) as { sid: string }).sid;
    const contract = await withClient(inst.superuser, async (c) => {
      await c.query('set search_path = epic; set role epic_owner');
      const client = (await c.query("insert into clients (full_name, email, sales_contact_id) values ('Own', 'own@client.test', $1) returning id", [ids[ALICE.email]])).rows[0].id;
      return (await c.query("insert into contracts (client_id, total_amount, amount_due, signed_at) values ($1, 100, 100, now()) returning id", [client])).rows[0].id as number;
    });
    const before = await fingerprint();
    await withClient(sessionLogin(inst, aliceToken), async (c) => {
      const asAlice: Array<[string, unknown[]]> = [["select set_config('role', 'epic_sales', true), set_config('epic.session', $1, true)", [sid]]];
      for (const attack of ['update contracts set signed_at = null where id = $1', "update contracts set signed_at = '2001-01-01' where id = $1", 'update contracts set version = -5 where id = $1']) {
        expect(refused(await inTransaction(c, asAlice, [attack, [contract]])), attack).to.equal(true);
      }
      // What sales may do to their own client's contract still works.
      expect((await inTransaction(c, asAlice, ['update contracts set amount_due = 50 where id = $1', [contract]])).rowCount).to.equal(1);
    });
    const after = await fingerprint();
    expect(after.contracts).to.equal(before.contracts);
    await withClient(inst.superuser, async (c) => {
      const row = (await c.query('select version, amount_due::text from epic.contracts where id = $1', [contract])).rows[0];
      expect(row).to.deep.equal({ version: 2, amount_due: '50.00' });
    });
  });

  it('confines the runtime role: its database only, no TEMP, a connection limit', async () => {
    const other = new pg.Client({ ...inst.runtime, database: 'postgres' });
    const refusedConnect = await other.connect().then(() => undefined, (err: { code?: string }) => err.code);
    await other.end().catch(() => undefined);
    expect(refusedConnect).to.equal('42501');
    await withClient(inst.runtime, async (c) => {
      expect((await attempt(c, 'create temp table t (x int)')).code).to.equal('42501');
    });
    const limit = await withClient(inst.superuser, async (c) => (await c.query("select rolconnlimit from pg_roles where rolname = 'epic_app'")).rows[0].rolconnlimit as number);
    expect(limit).to.be.greaterThan(0);
  });
});
