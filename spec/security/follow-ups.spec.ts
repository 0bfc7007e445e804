/**
 * Follow-ups are enforced by PostgreSQL: the statements an attacker holding
 * the runtime credentials would send under their own department's session —
 * the TypeScript checks bypassed — are refused (SQLSTATE 42501, or no row
 * affected) and change nothing.
 */
import { expect } from 'chai';
import type { Executor } from '../../lib/db/index.js';
import { identityPrelude } from '../../lib/crm/deps.js';
import type { Actor } from '../../lib/domain/actor.js';
import { buildWorld, type World } from '../support/fixtures.js';
import { asOwner } from '../support/owner.js';
import { ctx, fingerprint, resetData, sessionDb } from '../support/server.js';
import { testQueries } from '../support/test-queries.js';

const t = testQueries([
  'addFollowUp', 'bypassInsertFollowUp', 'bypassInsertFollowUpAs', 'bypassReadFollowUps', 'bypassBackdateFollowUpDone',
  'bypassFollowUpDoneAs', 'bypassRewriteFollowUpNote', 'bypassReopenFollowUp', 'bypassDeleteFollowUp', 'bypassFollowUpDone',
] as const);

async function asActor(actor: Actor, run: (tx: Executor) => Promise<number>): Promise<number | string> {
  try {
    return await sessionDb(actor).transaction(run, { prelude: identityPrelude(actor) });
  } catch (err) {
    return (err as { sqlState?: string }).sqlState ?? String(err);
  }
}

describe('follow-ups in PostgreSQL (raw statements under a verified session)', () => {
  let w: World;
  let bobs: number;
  let alices: number;
  let done: number;
  beforeEach(async () => {
    await resetData();
    w = await buildWorld();
    const add = (client: number, by: number) => asOwner(async (c) => ((await c.one<{ id: number }>(t.addFollowUp, [client, by, new Date(), 'n'])) as { id: number }).id);
    bobs = await add(w.clientB, w.bob.id);
    alices = await add(w.clientA, w.alice.id);
    done = await add(w.clientA, w.alice.id);
    await asActor(w.alice, (tx) => tx.exec(t.bypassFollowUpDone, [done]));
  });

  const cases: Array<[string, (w: World) => Actor, (w: World, ids: { bobs: number; alices: number; done: number }) => (tx: Executor) => Promise<number>]> = [
    ["sales set one on a colleague's client", (w) => w.alice, (w) => (tx) => tx.exec(t.bypassInsertFollowUp, [w.clientB])],
    ['sales set one in a colleague\'s name', (w) => w.alice, (w) => (tx) => tx.exec(t.bypassInsertFollowUpAs, [w.clientA, w.bob.id])],
    ['management set one in a colleague\'s name', (w) => w.manager, (w) => (tx) => tx.exec(t.bypassInsertFollowUpAs, [w.clientA, w.alice.id])],
    ['support set one', (w) => w.kate, (w) => (tx) => tx.exec(t.bypassInsertFollowUp, [w.clientA])],
    ['support read them', (w) => w.kate, () => (tx) => tx.many(t.bypassReadFollowUps).then((r) => r.length)],
    ["sales mark a colleague's done", (w) => w.alice, (_w, ids) => (tx) => tx.exec(t.bypassFollowUpDone, [ids.bobs])],
    ['sales backdate the done time', (w) => w.alice, (_w, ids) => (tx) => tx.exec(t.bypassBackdateFollowUpDone, [ids.alices])],
    ['management mark one done in a colleague\'s name', (w) => w.manager, (w, ids) => (tx) => tx.exec(t.bypassFollowUpDoneAs, [ids.alices, w.alice.id])],
    ['sales rewrite a note', (w) => w.alice, (_w, ids) => (tx) => tx.exec(t.bypassRewriteFollowUpNote, [ids.alices])],
    ['sales reopen a done one', (w) => w.alice, (_w, ids) => (tx) => tx.exec(t.bypassReopenFollowUp, [ids.done])],
    ['management mark a done one done again', (w) => w.manager, (_w, ids) => (tx) => tx.exec(t.bypassFollowUpDone, [ids.done])],
    ['management delete one', (w) => w.manager, (_w, ids) => (tx) => tx.exec(t.bypassDeleteFollowUp, [ids.alices])],
  ];

  for (const [title, who, statement] of cases) {
    it(`refuses: ${title}`, async () => {
      const before = await fingerprint();
      const outcome = await asActor(who(w), statement(w, { bobs, alices, done }));
      expect(outcome === 0 || outcome === '42501', `outcome ${outcome}`).to.equal(true);
      expect(await fingerprint()).to.deep.equal(before);
    });
  }

  it('sales read only their own clients\' follow-ups', async () => {
    expect(await asActor(w.alice, (tx) => tx.many(t.bypassReadFollowUps).then((r) => r.length))).to.equal(2);
    expect(await asActor(w.manager, (tx) => tx.many(t.bypassReadFollowUps).then((r) => r.length))).to.equal(3);
  });
});
