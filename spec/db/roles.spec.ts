import { expect } from 'chai';
import { AdminConnection } from '../../lib/db/index.js';
import { queries } from '../../lib/db/sql.js';
import { ctx, fingerprint, resetData } from '../support/server.js';

const t = queries('testing', ['runtimeDropTable', 'runtimeCreateTable', 'runtimeTruncate', 'runtimeAlterTable', 'runtimeDeleteClients', 'runtimeCreateInPublic', 'runtimeReadOwnRole'] as const);

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
});
