import { expect } from 'chai';
import { AdminConnection } from '../../lib/db/index.js';
import { testQueries } from '../support/test-queries.js';
import format from 'pg-format';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runSetup } from '../../lib/program/provision.js';
import { ctx, fingerprint, resetData, scratchDatabase, targetFor, testConfig } from '../support/server.js';

const r = testQueries(['runtimeRoleReach', 'useTestRole', 'legacyRuntimeGrants', 'directDepartmentGrants', 'dropTestRole'] as const);

const t = testQueries(['runtimeDropTable', 'runtimeCreateTable', 'runtimeTruncate', 'runtimeAlterTable', 'runtimeDeleteClients', 'runtimeCreateInPublic', 'runtimeReadOwnRole'] as const);

describe('runtime role (the shell connection)', () => {
  let runtime: AdminConnection;
  before(async () => {
    runtime = await AdminConnection.open(ctx().target.runtime);
  });
  after(async () => runtime.close());
  beforeEach(resetData);

  const refusals: Array<[string, keyof typeof t]> = [
    ['DROP TABLE clients', 'runtimeDropTable'],
    ['CREATE TABLE x()', 'runtimeCreateTable'],
    ['TRUNCATE contracts', 'runtimeTruncate'],
    ['ALTER TABLE users ...', 'runtimeAlterTable'],
    ['DELETE FROM clients', 'runtimeDeleteClients'],
    ['CREATE TABLE public.x()', 'runtimeCreateInPublic'],
  ];
  for (const [label, name] of refusals) {
    it(`is refused ${label} by PostgreSQL`, async () => {
      const before = await fingerprint();
      let code: string | undefined;
      try {
        await runtime.exec(t[name]);
      } catch (err) {
        code = (err as { sqlState?: string }).sqlState ?? (err as { code?: string }).code ?? (err as Error).name;
      }
      expect(code, `${label} must fail`).to.be.a('string');
      // Refused for want of privilege, not failing for some other reason.
      expect(code, label).to.equal('42501');
      expect(await fingerprint()).to.deep.equal(before);
    });
  }

  it('is not a superuser and cannot create roles or databases', async () => {
    const row = await runtime.one<Record<string, boolean>>(t.runtimeReadOwnRole);
    expect(row).to.deep.equal({ rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false });
  });

  // The runtime role only logs in (sql/migrations/040): it inherits epic_login and can
  // become no department role (each session works as its own role for that).
  it('inherits the authentication role, may become no department role, and inherits none of their privileges', async () => {
    const { admin, config } = ctx();
    expect(await admin.one(r.runtimeRoleReach, [config.appDbUser])).to.deep.equal({
      uses_login: true, uses_schema: true, may_become_sales: false,
      inherits_sales: false, inherits_management: false, inherits_support: false, reads_clients: false,
    });
  });

  it('is left in that form by setup when an older setup granted the department roles directly', async function () {
    this.timeout(60_000);
    const role = 'epic_app_legacy';
    const scratch = await scratchDatabase('epic_legacy_grants');
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-legacy-'));
    const { admin } = ctx();
    try {
      const config = testConfig(scratch.admin, stateDir, { APP_DB_USER: role });
      await runSetup(config, targetFor(config), { log: () => undefined });
      await admin.transaction(async () => {
        await admin.exec(r.useTestRole, [role, '']);
        await admin.exec(r.legacyRuntimeGrants);
      });
      expect((await admin.many<{ rolname: string }>(r.directDepartmentGrants, [role])).map((g) => g.rolname)).to.deep.equal(['epic_management', 'epic_sales', 'epic_support']);

      await runSetup(config, targetFor(config), { log: () => undefined });
      expect(await admin.many(r.directDepartmentGrants, [role])).to.deep.equal([]);
      expect(await admin.one(r.runtimeRoleReach, [role])).to.deep.equal({
        uses_login: true, uses_schema: true, may_become_sales: false,
        inherits_sales: false, inherits_management: false, inherits_support: false, reads_clients: false,
      });
    } finally {
      await scratch.drop();
      await admin.exec({ ...r.dropTestRole, text: format(r.dropTestRole.text, role) });
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
