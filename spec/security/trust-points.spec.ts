/**
 * The trust points that hold on their own, each tried as a collaborator
 * would: with the runtime role's password read from the state directory and a
 * PostgreSQL client (spec/support/installation.ts), against an installation
 * the CLI set up (TOKEN_TTL 1h).
 */
import fs from 'node:fs';
import { expect } from 'chai';
import pg from 'pg';
import { runCli } from '../support/cli.js';
import { ALICE, attempt, BOB, BOSS, newInstallation, SESSION_PASSWORD, VERIFIER, withClient, type Installation } from '../support/installation.js';

/** A department transaction as raw SQL: role and session key, as the shell's first statement sets them. */
async function asDepartment(c: pg.Client, role: string, sessionKey: string): Promise<void> {
  await c.query('begin');
  await c.query("select set_config('role', $1, true), set_config('epic.session', $2, true), assert_session($1)", [role, sessionKey]);
}

async function sessionOf(c: pg.Client, who: { email: string; password: string }): Promise<string> {
  return (await loginOf(c, who)).key;
}

/** A login by raw SQL: the session key and its own role (sql/migrations/040), whose password the caller drew. */
async function loginOf(c: pg.Client, who: { email: string; password: string }): Promise<{ key: string; role: string }> {
  const row = (await c.query('select status, "sessionKey", role from auth_login($1, $2, 60, $3)', [who.email, who.password, VERIFIER])).rows[0];
  expect(row.status, who.email).to.equal('ok');
  return { key: row.sessionKey as string, role: row.role as string };
}

describe('security: trust points that hold on their own', function () {
  this.timeout(240_000);
  let inst: Installation;
  const asSuperuser = <T>(fn: (c: pg.Client) => Promise<T>) => withClient(inst.superuser, async (c) => {
    await c.query('set search_path = epic');
    return fn(c);
  });

  before(async () => {
    inst = await newInstallation();
  });
  after(async () => {
    await inst.lease.release();
    fs.rmSync(inst.home, { recursive: true, force: true });
  });
  afterEach(() => asSuperuser((c) => c.query('delete from login_attempts')));

  it('lets no transaction left open delay a login by more than about a second', async () => {
    const attacker = new pg.Client(inst.runtime);
    await attacker.connect();
    try {
      // The attack of the last round: a login attempt in a transaction left open.
      await attacker.query('begin');
      await attacker.query('select * from auth_login($1, $2, 60, $3)', [BOSS.email, 'not the password', VERIFIER]);
      const started = Date.now();
      const row = await withClient(inst.runtime, async (c) => (await c.query('select status from auth_login($1, $2, 60, $3)', [BOSS.email, BOSS.password, VERIFIER])).rows[0]);
      const waited = Date.now() - started;
      expect(row.status).to.equal('ok');
      // One second of lock wait, then the login goes on (well below statement_timeout's 30 s, even on a loaded machine).
      expect(waited).to.be.below(10_000);
    } finally {
      await attacker.query('rollback').catch(() => undefined);
      await attacker.end();
    }
    // The runtime role can take neither that lock nor setup's or the migrations' itself.
    await withClient(inst.runtime, async (c) => {
      for (const lock of ['select pg_advisory_lock(4242000)', 'select pg_try_advisory_xact_lock(4242001)', 'select pg_advisory_xact_lock(4242002, 1)']) {
        expect((await attempt(c, lock)).code, lock).to.equal('42501');
      }
    });
  });

  it('lets the runtime role end, cancel or watch no connection, and create no large object', async () => {
    const victim = new pg.Client(inst.runtime);
    await victim.connect();
    try {
      const pid = (await victim.query('select pg_backend_pid() as pid')).rows[0].pid as number;
      await withClient(inst.runtime, async (c) => {
        expect((await attempt(c, 'select pg_terminate_backend($1)', [pid])).code).to.equal('42501');
        expect((await attempt(c, 'select pg_cancel_backend($1)', [pid])).code).to.equal('42501');
        expect((await attempt(c, 'select query from pg_stat_activity')).code).to.equal('42501');
        expect((await attempt(c, 'select * from pg_stat_get_activity(null)')).code).to.equal('42501');
        expect((await attempt(c, "select lo_from_bytea(0, 'x')")).code).to.equal('42501');
        expect((await attempt(c, 'select lo_creat(-1)')).code).to.equal('42501');
      });
      expect((await victim.query('select 1 as alive')).rows[0].alive).to.equal(1);
    } finally {
      await victim.end();
    }
    expect((await asSuperuser((c) => c.query('select count(*)::int as n from pg_largeobject_metadata'))).rows[0].n).to.equal(0);
  });

  it('announces logouts on epic_session without naming anyone', async () => {
    const listener = new pg.Client(inst.runtime);
    await listener.connect();
    const payloads: string[] = [];
    listener.on('notification', (n) => payloads.push(n.payload ?? ''));
    try {
      await listener.query('listen epic_session');
      await withClient(inst.runtime, async (c) => c.query('select auth_logout($1)', [await sessionOf(c, ALICE)]));
      const deadline = Date.now() + 10_000;
      while (!payloads.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(payloads).to.deep.equal(['']);
    } finally {
      await listener.end();
    }
  });

  it('takes history labels and notes only from the functions that do the work, and keeps the timestamps itself', async () => {
    const ids = await asSuperuser(async (c) => {
      const alice = (await c.query('select id from users where email = $1', [ALICE.email])).rows[0].id as number;
      const client = (await c.query("insert into clients (full_name, email, sales_contact_id) values ('Kevin Casey', 'kevin@startup.io', $1) returning id", [alice])).rows[0].id as number;
      const contract = (await c.query('insert into contracts (client_id, total_amount, amount_due, signed_at) values ($1, 1000, 400, now()) returning id', [client])).rows[0].id as number;
      return { client, contract };
    });
    const alice = await withClient(inst.runtime, (c) => loginOf(c, ALICE));
    await withClient({ ...inst.runtime, user: alice.role, password: SESSION_PASSWORD }, async (c) => {
      const key = alice.key;
      await asDepartment(c, 'epic_sales', key);
      expect((await attempt(c, "update clients set created_at = '2001-01-01' where id = $1", [ids.client])).code).to.equal('42501');
      await c.query('rollback');
      await asDepartment(c, 'epic_sales', key);
      await c.query("update clients set updated_at = '2001-01-01', full_name = 'Kevin Casey Jr' where id = $1", [ids.client]);
      await c.query("select set_config('epic.change_action', 'payment', true), set_config('epic.change_note', 'forged', true)");
      await c.query('update contracts set amount_due = amount_due + 500 where id = $1', [ids.contract]);
      await c.query('select pay_contract($1, 100)', [ids.contract]);
      await c.query('commit');
      await c.query('select auth_logout($1)', [key]);
    });
    await asSuperuser(async (c) => {
      const entries = (await c.query("select action, note from change_log where object = 'contract' and record_id = $1 and action <> 'created' order by id", [ids.contract])).rows;
      expect(entries).to.deep.equal([{ action: 'updated', note: null }, { action: 'payment', note: null }]);
      const client = (await c.query('select updated_at > now() - interval \'1 hour\' as recent from clients where id = $1', [ids.client])).rows[0];
      expect(client.recent, 'updated_at back-dated').to.equal(true);
      await c.query('delete from change_log where record_id in ($1, $2)', [ids.client, ids.contract]);
      await c.query('delete from contracts where id = $1', [ids.contract]);
      await c.query('delete from clients where id = $1', [ids.client]);
    });
  });

  it('enforces the password rules in PostgreSQL: a management-set password opens a session that can only replace it', async () => {
    const before = await asSuperuser(async (c) => (await c.query('select password_hash from users where email = $1', [BOB.email])).rows[0].password_hash as string);
    await asSuperuser((c) => c.query('update users set must_change_password = true where email = $1', [BOB.email]));
    try {
      const bob = await withClient(inst.runtime, (c) => loginOf(c, BOB));
      await withClient({ ...inst.runtime, user: bob.role, password: SESSION_PASSWORD }, async (c) => {
        const key = bob.key;
        await c.query('begin');
        await c.query("select set_config('role', 'epic_sales', true), set_config('epic.session', $1, true)", [key]);
        expect((await attempt(c, "select assert_session('epic_sales')")).code).to.equal('EP001');
        await c.query('rollback');
        await c.query('begin');
        await c.query("select set_config('role', 'epic_sales', true), set_config('epic.session', $1, true)", [key]);
        expect((await c.query('select count(*)::int as n from clients')).rows[0].n, 'rows read with a password to replace').to.equal(0);
        expect((await c.query('select current_collaborator_id() as id')).rows[0].id).to.equal(null);
        await c.query('rollback');
        for (const [weak, rule] of [['a', 'password_min_length'], ['é'.repeat(40), 'password_max_bytes'], [BOB.password, 'password_not_current'], [BOB.email.toUpperCase(), 'password_not_email']]) {
          const r = await c.query('select status from auth_change_password($1, $2, $3)', [key, BOB.password, weak]).then(() => undefined, (err: { code?: string; constraint?: string }) => err);
          expect(r?.code, rule).to.equal('23514');
          expect(r?.constraint).to.equal(rule);
        }
        expect((await asSuperuser((s) => s.query('select password_hash from users where email = $1', [BOB.email]))).rows[0].password_hash).to.equal(before);
        const changed = (await c.query('select status from auth_change_password($1, $2, $3)', [key, BOB.password, 'bob chose this one'])).rows[0];
        expect(changed.status).to.equal('ok');
        await asDepartment(c, 'epic_sales', key);
        expect((await c.query('select current_collaborator_id() as id')).rows[0].id).to.be.a('number');
        await c.query('rollback');
        // Hashed in PostgreSQL at the team's cost (setup's BCRYPT_ROUNDS, 4 here).
        expect((await asSuperuser((s) => s.query('select password_hash from users where email = $1', [BOB.email]))).rows[0].password_hash).to.match(/^\$2a\$04\$/);
        expect((await c.query('select status from auth_change_password($1, $2, $3)', [key, 'bob chose this one', BOB.password])).rows[0].status).to.equal('ok');
        await c.query('select auth_logout($1)', [key]);
      });
    } finally {
      await asSuperuser((c) => c.query('update users set must_change_password = false where email = $1', [BOB.email]));
    }
  });

  it('records where lockout guesses came from, logs no unknown email, and lets the administrator lift it with epic-events unlock', async () => {
    await withClient(inst.runtime, async (c) => {
      const statuses: string[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await c.query('select status from auth_login($1, $2, 60, $3)', [BOSS.email, `guess ${i}`, VERIFIER])).rows[0].status);
      for (let i = 0; i < 5; i++) await c.query('select status from auth_login($1, $2, 60, $3)', ['<script>nobody@x.y', `guess ${i}`, VERIFIER]);
      expect(statuses).to.deep.equal(['wrong', 'wrong', 'wrong', 'wrong', 'lockedNow']);
      expect((await c.query('select status from auth_login($1, $2, 60, $3)', [BOSS.email, BOSS.password, VERIFIER])).rows[0].status).to.equal('locked');
    });
    const entries = (await asSuperuser((c) => c.query("select record_id, note from change_log where action = 'lockout' order by id"))).rows;
    expect(entries).to.have.length(1);
    expect(entries[0].note).to.match(/^5 failed logins from 127\.0\.0\.1: locked until /);
    expect(JSON.stringify(entries)).not.to.contain('script');

    const env = { ...inst.env };
    const unlocked = await runCli(['unlock', BOSS.email], env);
    expect(unlocked.code, unlocked.stderr).to.equal(0);
    expect(unlocked.stdout).to.contain(`Lifted the lockout of ${BOSS.email}`);
    await withClient(inst.runtime, async (c) => c.query('select auth_logout($1)', [await sessionOf(c, BOSS)]));
    // The runtime role cannot do it.
    await withClient(inst.runtime, async (c) => expect((await attempt(c, 'select admin_unlock($1)', [BOSS.email])).code).to.equal('42501'));
  });

  it('lets throttle rows expire: an hour later nothing of an unknown email is left', async () => {
    await withClient(inst.runtime, (c) => c.query('select status from auth_login($1, $2, 60, $3)', ['nobody@x.y', 'guess', VERIFIER]));
    await asSuperuser((c) => c.query("update login_attempts set at = at - interval '2 hours'"));
    await withClient(inst.runtime, (c) => c.query('select status from auth_login($1, $2, 60, $3)', ['somebody@x.y', 'guess', VERIFIER]));
    const left = (await asSuperuser((c) => c.query('select email from login_attempts'))).rows.map((r) => r.email);
    expect(left).to.deep.equal(['somebody@x.y']);
  });
});
