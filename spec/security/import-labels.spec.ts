/**
 * An import's history label (`imported`) and note come only from the import
 * itself (sql/migrations/047_import_labels.sql, issue 27): tried as a
 * salesperson holding their own session's login would, with raw SQL under
 * their own verified session — the settings 027 read, the import's own
 * functions called by hand, a client inserted beside a real import.
 */
import { expect } from 'chai';
import type { Executor } from '../../lib/db/index.js';
import { identityPrelude } from '../../lib/crm/deps.js';
import type { Actor } from '../../lib/domain/actor.js';
import { apiAs, buildWorld, type World } from '../support/fixtures.js';
import { fingerprint, resetData, sessionDb } from '../support/server.js';
import { testQueries } from '../support/test-queries.js';

const t = testQueries([
  'bypassSetImportSettings', 'bypassInsertOwnClient', 'bypassBeginImport', 'bypassImportLogged', 'bypassInsertBesideImport', 'bypassClientEntries',
] as const);

async function asActor<R>(actor: Actor, run: (tx: Executor) => Promise<R>): Promise<R | string> {
  try {
    return await sessionDb(actor).transaction(run, { prelude: identityPrelude(actor) });
  } catch (err) {
    return (err as { sqlState?: string }).sqlState ?? String(err);
  }
}

interface Entry { recordId: number; action: string; note: string | null }
const entries = (ids: number[]) => asActor(w.manager, (tx) => tx.many<Entry>(t.bypassClientEntries, [ids])) as Promise<Entry[]>;
let w: World;

describe('security: an import\'s history label and note', () => {
  beforeEach(async () => {
    await resetData();
    w = await buildWorld();
  });

  it('are not taken from settings a session writes: an insert after set_config is "created", with no note', async () => {
    const id = await asActor(w.alice, async (tx) => {
      await tx.exec(t.bypassSetImportSettings, ['imported from forged.csv']);
      return (await tx.one<{ id: number }>(t.bypassInsertOwnClient, ['Forged One', 'forged1@x.test']))!.id;
    });
    expect(id).to.be.a('number');
    expect(await entries([id as number])).to.deep.equal([{ recordId: id, action: 'created', note: null }]);
  });

  it('are not given by numbering an import by hand (begin_import) before one\'s own insert', async () => {
    const id = await asActor(w.alice, async (tx) => {
      await tx.one(t.bypassBeginImport, ['forged.csv']);
      await tx.exec(t.bypassSetImportSettings, ['imported from forged.csv']);
      return (await tx.one<{ id: number }>(t.bypassInsertOwnClient, ['Forged Two', 'forged2@x.test']))!.id;
    });
    expect(await entries([id as number])).to.deep.equal([{ recordId: id, action: 'created', note: null }]);
  });

  it('cannot be written for chosen rows: import_logged is refused outside import_clients, changing nothing', async () => {
    const before = await fingerprint();
    expect(await asActor(w.alice, (tx) => tx.exec(t.bypassImportLogged, ['forged.csv', [w.clientA]]))).to.equal('EP320');
    const fresh = await asActor(w.alice, async (tx) => {
      const id = (await tx.one<{ id: number }>(t.bypassInsertOwnClient, ['Forged Three', 'forged3@x.test']))!.id;
      await tx.exec(t.bypassImportLogged, ['forged.csv', [id]]);
      return id;
    });
    expect(fresh).to.equal('EP320');
    expect(await fingerprint()).to.deep.equal(before);
  });

  it('label only the rows import_clients itself inserted, not a client inserted beside it in the same statement', async () => {
    const row = await asActor(w.alice, (tx) => tx.one<{ mine: number; imported: number }>(t.bypassInsertBesideImport, ['Beside', 'beside@x.test', 'real.csv', 'Imported One', 'imp1@x.test']));
    expect(row).to.include({ imported: 1 });
    const mine = (row as { mine: number }).mine;
    const [imported] = (await apiAs(w.alice).clients.list({ search: 'imp1@x.test' })).rows;
    expect(await entries([mine, imported.id])).to.have.deep.members([
      { recordId: imported.id, action: 'imported', note: 'imported from real.csv' },
      { recordId: mine, action: 'created', note: null },
    ]);
  });
});
