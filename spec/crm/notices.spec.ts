/**
 * What notices read (issue 34): the announced range of history entries, read
 * under the caller's session, keeps only what concerns them; the
 * notification itself carries ids only.
 */
import { expect } from 'chai';
import { createNotices } from '../../lib/crm/notices.js';
import { queries } from '../../lib/db/sql.js';
import { changeLine } from '../../lib/shell/notices.js';
import { addClient, apiAs, buildWorld, type World } from '../support/fixtures.js';
import { depsFor } from '../support/users.js';
import { ctx, resetData } from '../support/server.js';
import { asOwner } from '../support/owner.js';
import { testQueries } from '../support/test-queries.js';
import { until } from '../support/until.js';

const nq = queries('notices', ['listenChanges'] as const);
const t = testQueries(['addFollowUp'] as const);

describe('crm/notices', () => {
  let w: World;
  beforeEach(async () => {
    await resetData();
    w = await buildWorld();
  });

  it('announces each statement\'s entries by their id range alone, and each collaborator reads only what concerns them', async () => {
    const orphan = await addClient('Orphan Client', 'orphan@client.test', null);
    const payloads: string[] = [];
    const sub = await ctx().db.listen(nq.listenChanges, (p) => payloads.push(p));
    try {
      await apiAs(w.manager).contracts.sign(w.contractA);
      await apiAs(w.manager).contracts.sign(w.contractB);
      await apiAs(w.manager).events.assign(w.eventL, w.kate.id);
      await apiAs(w.manager).clients.assign(orphan, w.alice.id);
      await apiAs(w.alice).clients.update(w.clientA, { phone: '+33 6 00 00 00 00' });
      await until(() => payloads.length >= 5, 'five notifications', 5000);
    } finally {
      await sub.close();
    }
    expect(payloads).to.have.length(5);
    for (const p of payloads) expect(p).to.match(/^\d+-\d+$/);
    const first = Number(payloads[0].split('-')[0]);
    const last = Number(payloads[4].split('-')[1]);
    const lines = async (who: typeof w.alice) => (await createNotices(depsFor(who)).changes(first, last)).map(changeLine).map((l) => l.replace(/^\[\d\d:\d\d\] /, ''));
    // Her own change is not news to her; Bob's client's contract is not hers (though she reads contracts).
    expect(await lines(w.alice)).to.deep.equal([
      `Maud Manager signed contract ${w.contractA} (Client of Alice, 1000.00)`,
      `Maud Manager gave you client ${orphan} (Orphan Client)`,
    ]);
    expect(await lines(w.kate)).to.deep.equal([`Maud Manager assigned event ${w.eventL} (Lou event) to you`]);
    expect(await lines(w.bob)).to.deep.equal([`Maud Manager signed contract ${w.contractB} (Client of Bob, 1000.00)`]);
    expect(await lines(w.manager)).to.deep.equal([]);
  });

  it('follow-ups falling due: the caller\'s, due in the window', async () => {
    const now = Date.now();
    await asOwner((c) => c.one(t.addFollowUp, [w.clientA, w.alice.id, new Date(now - 5000), 'call Alice\'s client']));
    await asOwner((c) => c.one(t.addFollowUp, [w.clientB, w.bob.id, new Date(now - 5000), 'bob']));
    await asOwner((c) => c.one(t.addFollowUp, [w.clientA, w.alice.id, new Date(now - 60_000), 'earlier']));
    const due = await createNotices(depsFor(w.alice)).fallingDue(new Date(now - 30_000), new Date(now));
    expect(due.map((d) => d.note)).to.deep.equal(["call Alice's client"]);
    expect(await createNotices(depsFor(w.kate)).fallingDue(new Date(now - 30_000), new Date(now))).to.deep.equal([]);
  });
});
