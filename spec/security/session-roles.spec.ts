/**
 * Each session its own database login role (sql/migrations/040), attacked as
 * a collaborator would: with raw `pg` clients holding what their own shell
 * holds (the runtime role's password, their session role and its password
 * from the token), against another collaborator's session.
 *
 * The separation must hold without the superuser-only catalog revokes
 * (sql/setup.sql hardenCatalog): where the test's administrator is a
 * superuser, PUBLIC's EXECUTE on the signalling functions and SELECT on
 * pg_stat_activity are given back for the test, so only the roles keep A
 * from B. Every refused call leaves fingerprint() unchanged.
 */
import { expect } from 'chai';
import pg from 'pg';
import { checkPassword } from '../../lib/auth/login.js';
import { endSession } from '../../lib/auth/sessions.js';
import { noopMonitor } from '../../lib/platform/monitoring.js';
import { AdminConnection, Database } from '../../lib/db/index.js';
import { runSetup } from '../../lib/program/provision.js';
import type { Actor } from '../../lib/domain/actor.js';
import { addUser, apiAs, FIXTURE_PASSWORD, FIXTURE_PASSWORD_HASH, sessionFor } from '../support/fixtures.js';
import { ctx, fingerprint, resetData, scratchDatabase, sessionParams, targetFor, testConfig } from '../support/server.js';
import { testQueries } from '../support/test-queries.js';
import { attempt, VERIFIER } from '../support/installation.js';

const t = testQueries(['sessionRoles', 'sessionRoleLimits', 'setSessionBounds', 'reopenCatalog', 'rehardenCatalog', 'isSuperuser', 'rolePassword', 'fixtureUser', 'roleValidUntil'] as const);

async function connect(params: pg.ClientConfig): Promise<pg.Client> {
  const c = new pg.Client(params);
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/** The SQLSTATE a connection attempt fails with (undefined: it connected). */
async function connectFailure(params: pg.ClientConfig): Promise<string | undefined> {
  const c = new pg.Client(params);
  c.on('error', () => undefined);
  try {
    await c.connect();
    await c.end();
    return undefined;
  } catch (err) {
    await c.end().catch(() => undefined);
    return (err as { code?: string }).code ?? 'failed';
  }
}

const asOwner = <T>(fn: (conn: AdminConnection) => Promise<T>) => ctx().admin.transaction(() => fn(ctx().admin), { asOwner: true });
const roles = async () => (await asOwner((c) => c.many<{ role: string }>(t.sessionRoles, [ctx().installation.replaceAll('-', '').slice(0, 12)]))).map((r) => r.role);

/** Whether a client's backend is gone (terminated), polled for a few seconds. */
async function ended(c: pg.Client): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    const alive = await c.query('select 1').then(() => true, () => false);
    if (!alive) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe('security: one database login role per session', function () {
  this.timeout(120_000);
  let alice: Actor;
  let bob: Actor;
  let boss: Actor;
  beforeEach(async () => {
    await resetData();
    boss = await addUser('Boss', 'boss@epic.events', 'management');
    alice = await addUser('Alice Sales', 'alice@epic.events', 'sales');
    bob = await addUser('Bob Sales', 'bob@epic.events', 'sales');
  });

  it('gives each session a role of its own, named with the installation, with only its own department in reach', async () => {
    const mine = await roles();
    expect(mine).to.have.members([boss, alice, bob].map((a) => a.dbLogin?.role));
    for (const role of mine) expect(role).to.match(new RegExp(`^epic_s_${ctx().installation.replaceAll('-', '').slice(0, 12)}_[0-9]+$`));
    const before = await fingerprint();
    const a = await connect(sessionParams(alice));
    try {
      // A sales session's role cannot become management, support or the owner, for a transaction or for good.
      for (const role of ['epic_management', 'epic_support', 'epic_owner', 'epic_departments', 'epic_as_management']) {
        expect((await attempt(a, "select set_config('role', $1, true)", [role])).code, role).to.equal('42501');
        expect((await attempt(a, `set role ${role}`)).code, role).to.equal('42501');
      }
      // It holds nothing of its department without becoming it (NOINHERIT reach role).
      expect((await attempt(a, 'select count(*) from clients')).code).to.equal('42501');
      // Neither as itself nor as its department may it compare passwords the way a login does,
      // opening sessions without a role (migration 040): only auth_login and the owner's functions do.
      expect((await attempt(a, 'select * from login_check($1, $2, 60)', [alice.email, FIXTURE_PASSWORD])).code).to.equal('42501');
      expect((await attempt(a, "select set_config('role', 'epic_sales', false)")).code).to.equal(undefined);
      expect((await attempt(a, 'select * from login_check($1, $2, 60)', [alice.email, FIXTURE_PASSWORD])).code).to.equal('42501');
    } finally {
      await a.end();
    }
    expect(await fingerprint()).to.deep.equal(before);
  });

  it("refuses a session key presented from another login (Bob's role with Alice's key, the runtime role with Alice's key)", async () => {
    const before = await fingerprint();
    for (const params of [sessionParams(bob), ctx().target.runtime]) {
      const c = await connect(params);
      try {
        await c.query('begin');
        const r = await attempt(c, "select set_config('role', 'epic_sales', true), set_config('epic.session', $1, true), assert_session('epic_sales')", [alice.sessionKey]);
        expect(r.code, params.user).to.equal(params.user === bob.dbLogin?.role ? 'EP001' : '42501');
        await c.query('rollback');
      } finally {
        await c.end();
      }
    }
    expect(await fingerprint()).to.deep.equal(before);
  });

  describe('with PUBLIC given back what only a superuser setup revokes', () => {
    let reopened = false;
    beforeEach(async () => {
      reopened = Boolean((await ctx().admin.one<{ superuser: boolean }>(t.isSuperuser))?.superuser);
      if (reopened) await ctx().admin.exec(t.reopenCatalog);
    });
    afterEach(async () => {
      if (reopened) await ctx().admin.exec(t.rehardenCatalog);
    });

    it("lets A neither end nor cancel B's backend, nor read B's statement", async () => {
      const b = await connect(sessionParams(bob));
      const a = await connect(sessionParams(alice));
      try {
        const pid = (await b.query('select pg_backend_pid() as pid')).rows[0].pid as number;
        await b.query("select 'bob-secret-statement' as marker");
        const before = await fingerprint();
        expect((await attempt(a, 'select pg_terminate_backend($1)', [pid])).code).to.equal('42501');
        expect((await attempt(a, 'select pg_cancel_backend($1)', [pid])).code).to.equal('42501');
        const seen = (await a.query('select query from pg_stat_activity where pid = $1', [pid])).rows;
        expect(JSON.stringify(seen)).not.to.contain('bob-secret-statement');
        expect((await b.query('select 1 as alive')).rows[0].alive).to.equal(1);
        expect(await fingerprint()).to.deep.equal(before);
      } finally {
        await a.end();
        await b.end();
      }
    });
  });

  it('refuses the connection above the session limit, and sweeps the oldest session above the per-collaborator bound', async () => {
    const { k } = (await asOwner((c) => c.one<{ k: number }>(t.sessionRoleLimits, [alice.dbLogin?.role]))) as { k: number };
    expect(k).to.be.greaterThan(1);
    const open: pg.Client[] = [];
    try {
      for (let i = 0; i < k; i++) open.push(await connect(sessionParams(alice)));
      const before = await fingerprint();
      expect(await connectFailure(sessionParams(alice))).to.equal('53300');
      expect(await fingerprint()).to.deep.equal(before);
      // Bob is not shut out by Alice's connections.
      expect(await connectFailure(sessionParams(bob))).to.equal(undefined);
    } finally {
      await Promise.all(open.map((c) => c.end()));
    }
    await asOwner((c) => c.exec(t.setSessionBounds, [2]));
    try {
      const second = await checkPassword(ctx().db, ctx().config, noopMonitor, alice.email, FIXTURE_PASSWORD);
      const held = await connect(sessionParams(alice));
      const third = await checkPassword(ctx().db, ctx().config, noopMonitor, alice.email, FIXTURE_PASSWORD);
      // Beyond 2 sessions the oldest ends: its role is gone, its connection too.
      expect(await ended(held)).to.equal(true);
      await held.end().catch(() => undefined);
      expect(await roles()).not.to.include(alice.dbLogin?.role);
      expect(await roles()).to.include.members([second?.actor.dbLogin?.role, third?.actor.dbLogin?.role]);
      expect(await connectFailure(sessionParams(alice))).to.be.oneOf(['28P01', '28000']);
    } finally {
      await asOwner((c) => c.exec(t.setSessionBounds, [50]));
    }
  });

  it('ends the role at logout, at revocation and by users.endSessions: the stored password no longer connects and open backends are gone', async () => {
    const a = await connect(sessionParams(alice));
    const b = await connect(sessionParams(bob));
    try {
      expect(await endSession(ctx().db, alice.sessionKey)).to.equal(true);
      expect(await ended(a)).to.equal(true);
      expect(await connectFailure(sessionParams(alice))).to.be.oneOf(['28P01', '28000']);
      // Management gives Bob a new password: his sessions end, and so do their roles.
      await apiAs(boss).users.update(bob.id, { password: 'a new password for bob' });
      expect(await ended(b)).to.equal(true);
      expect(await connectFailure(sessionParams(bob))).to.be.oneOf(['28P01', '28000']);
      expect(await roles()).to.deep.equal([boss.dbLogin?.role]);
      // Management ends a collaborator's sessions (users.endSessions): their roles go too.
      const again = (await sessionFor(alice.id)).actor;
      const held = await connect(sessionParams(again));
      await apiAs(boss).users.endSessions(alice.id);
      expect(await ended(held)).to.equal(true);
      await held.end().catch(() => undefined);
      expect(await connectFailure(sessionParams(again))).to.be.oneOf(['28P01', '28000']);
      expect(await roles()).to.deep.equal([boss.dbLogin?.role]);
    } finally {
      await a.end().catch(() => undefined);
      await b.end().catch(() => undefined);
    }
  });

  it('lets an expired role connect no more, and sweeps it at the next login', async () => {
    const short = (await sessionFor(alice.id, 1)).actor;
    await new Promise((r) => setTimeout(r, 1500));
    expect(await connectFailure(sessionParams(short))).to.be.oneOf(['28P01', '28000']);
    expect(await roles()).to.include(short.dbLogin?.role);
    await checkPassword(ctx().db, ctx().config, noopMonitor, bob.email, FIXTURE_PASSWORD);
    expect(await roles()).not.to.include(short.dbLogin?.role);
  });

  it('keeps the session password out of SQL: the server holds only its SCRAM verifier', async () => {
    // What the server keeps (pg_authid: a superuser's to read; an administrator that is not one checks the rest).
    if ((await ctx().admin.one<{ superuser: boolean }>(t.isSuperuser))?.superuser) {
      const row = await ctx().admin.one<{ verifier: string }>(t.rolePassword, [alice.dbLogin?.role]);
      expect(row?.verifier).to.match(/^SCRAM-SHA-256\$4096:/);
      expect(row?.verifier).not.to.contain(alice.dbLogin?.password);
    }
    // A clear password in place of the verifier is refused (PostgreSQL would store it as given).
    const c = await connect(ctx().target.runtime);
    try {
      // The role expires with the session, whatever date style and time zone the caller set.
      await c.query("set datestyle = 'SQL, DMY'; set timezone = 'Pacific/Auckland'");
      const made = (await c.query('select extract(epoch from "expiresAt")::float8 as expires, role from auth_login($1, $2, 60, $3)', [alice.email, FIXTURE_PASSWORD, VERIFIER])).rows[0] as { expires: number; role: string };
      const until = await ctx().admin.one<{ until: Date }>(t.roleValidUntil, [made.role]);
      expect(Math.abs((until?.until as Date).getTime() - made.expires * 1000)).to.be.below(1000);
      const before = await fingerprint();
      expect((await attempt(c, 'select status from auth_login($1, $2, 60, $3)', [alice.email, FIXTURE_PASSWORD, 'plain password'])).code).to.equal('22023');
      expect(await fingerprint()).to.deep.equal(before);
    } finally {
      await c.end();
    }
  });

  it('keeps two installations on one server apart: their own role names, neither sweeps the other', async () => {
    const scratch = await scratchDatabase('epic_second_installation');
    try {
      const config = testConfig(scratch.admin, `${ctx().tmpDir}/second-installation`);
      const lines: string[] = [];
      await runSetup(config, targetFor(config), { log: (line) => void lines.push(line) });
      // Setup says the bounds it chose from max_connections, and keeps them.
      const chosen = lines.map((l) => /^connections: (\d+) per session, (\d+) sessions per collaborator, (\d+) for logins \(of max_connections (\d+)\)$/.exec(l)).find(Boolean);
      expect(chosen, lines.join('\n')).to.not.equal(undefined);
      const [perSession, , forLogins, max] = (chosen as RegExpExecArray).slice(1).map(Number);
      expect(perSession * 4 + forLogins).to.be.below(max);
      expect((await ctx().admin.one<{ k: number }>(t.sessionRoleLimits, [config.appDbUser]))?.k).to.equal(forLogins);
      const conn = await AdminConnection.open(scratch.admin);
      const db = new Database(targetFor(config).runtime, { max: 1 });
      try {
        await conn.transaction(() => conn.one(t.fixtureUser, ['Zed', 'zed@epic.events', 'sales', FIXTURE_PASSWORD_HASH]), { asOwner: true });
        const zed = await checkPassword(db, config, noopMonitor, 'zed@epic.events', FIXTURE_PASSWORD);
        const zedRole = zed?.actor.dbLogin?.role as string;
        expect(zedRole.slice(0, 19)).not.to.equal(alice.dbLogin?.role.slice(0, 19));
        // A login here sweeps this installation's roles only.
        await checkPassword(ctx().db, ctx().config, noopMonitor, bob.email, FIXTURE_PASSWORD);
        expect(await connectFailure({ ...targetFor(config).runtime, user: zedRole, password: zed?.actor.dbLogin?.password })).to.equal(undefined);
        // And the other installation's login leaves ours.
        const again = await checkPassword(db, config, noopMonitor, 'zed@epic.events', FIXTURE_PASSWORD);
        expect(await roles()).to.include(alice.dbLogin?.role);
        // Alice's role cannot connect to the other installation's database.
        expect(await connectFailure({ ...sessionParams(alice), database: scratch.admin.database })).to.equal('42501');
        // Roles are the server's, not the database's: they end with their sessions.
        for (const s of [zed, again]) await endSession(db, s?.actor.sessionKey as string);
      } finally {
        await db.close();
        await conn.close();
      }
    } finally {
      await scratch.drop();
    }
  });

  it('makes and ends roles for many logins and logouts at once without failing any (migration 040: they queue on one row)', async () => {
    // Each role change rewrites the database's ACL row; at once, PostgreSQL refused some ("tuple concurrently updated").
    const users = await Promise.all(Array.from({ length: 8 }, (_, i) => addUser(`Seller ${i}`, `seller${i}@epic.events`, 'sales')));
    const login = async (email: string) => {
      const c = await connect(ctx().target.runtime);
      try {
        return (await c.query('select status, "sessionKey" as key from auth_login($1, $2, 60, $3)', [email, FIXTURE_PASSWORD, VERIFIER])).rows[0] as { status: string; key: string };
      } finally {
        await c.end();
      }
    };
    const first = await Promise.all(users.map((u) => login(u.email)));
    expect(first.map((r) => r.status)).to.deep.equal(users.map(() => 'ok'));
    // Logouts (each ends a role) and logins (each makes one), all at once (within the logins' share of connections).
    const logouts = first.map(async (r) => {
      const c = await connect(ctx().target.runtime);
      try {
        return (await c.query('select auth_logout($1) as ended', [r.key])).rows[0].ended as boolean;
      } finally {
        await c.end();
      }
    });
    const [ended, again] = await Promise.all([Promise.all(logouts), Promise.all(users.map((u) => login(u.email)))]);
    expect(ended).to.deep.equal(users.map(() => true));
    expect(again.map((r) => r.status)).to.deep.equal(users.map(() => 'ok'));
  });
});
