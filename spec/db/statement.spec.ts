import { expect } from 'chai';
import type { Actor } from '../../lib/domain/actor.js';
import { identityPrelude, standingIdentity } from '../../lib/crm/deps.js';
import { queries } from '../../lib/db/sql.js';
import { testQueries } from '../support/test-queries.js';
import { Conflict, PermissionDenied, SessionRevoked } from '../../lib/domain/errors.js';
import { Database } from '../../lib/db/index.js';
import { asOwner } from '../support/owner.js';
import { addClient, addUser, expectRefused, rejection } from '../support/fixtures.js';
import { ctx, resetData, sessionDb, sessionParams } from '../support/server.js';

const sq = queries('session', ['setIdentity'] as const);
const cq = queries('clients', ['createClient', 'getClient'] as const);
const t = testQueries(['whoAmI', 'endSessionsOf'] as const);

describe('Database.statement (calls of one statement, each its own transaction)', () => {
  beforeEach(resetData);
  afterEach(resetData);

  const as = (actor: Actor) => ({ standing: standingIdentity(actor) });

  it('runs the statement with the caller identity and commits it', async () => {
    const alice = await addUser('Alice Sales', 'alice@epic.events', 'sales');
    const [row] = await sessionDb(alice).statement<{ id: number; salesContactName: string }>(cq.createClient, ['New Client', 'new@client.test', null, null, alice.id, null], as(alice));
    expect(row.salesContactName).to.equal('Alice Sales');
    const [again] = await sessionDb(alice).statement<{ id: number }>(cq.getClient, [row.id], { ...as(alice), readOnly: true });
    expect(again.id).to.equal(row.id);
  });

  it('commits nothing when the statement fails, and the connection stays usable', async () => {
    const alice = await addUser('Alice Sales', 'alice@epic.events', 'sales');
    await addClient('Existing', 'taken@client.test', alice.id);
    const err = await expectRefused(() => sessionDb(alice).statement(cq.createClient, ['Dup', 'taken@client.test', null, null, alice.id, null], as(alice)));
    expect(err).to.be.instanceOf(Conflict);
    const [row] = await sessionDb(alice).statement<{ id: number }>(cq.createClient, ['Other', 'other@client.test', null, null, alice.id, null], as(alice));
    expect(row.id).to.be.a('number');
  });

  it('is refused by the database under a department role that may not run it, changing nothing', async () => {
    const alice = await addUser('Alice Sales', 'alice@epic.events', 'sales');
    const kate = await addUser('Kate Support', 'kate@epic.events', 'support');
    const err = await expectRefused(() => sessionDb(kate).statement(cq.createClient, ['Sneaky', 'sneaky@client.test', null, null, alice.id, null], as(kate)));
    expect(err).to.be.instanceOf(PermissionDenied);
  });

  it('keeps a transaction\'s identity transaction-local: a plain query on the connection afterwards has none', async () => {
    const alice = await addUser('Alice Sales', 'alice@epic.events', 'sales');
    const db = new Database(sessionParams(alice), { max: 1 });
    try {
      await db.transaction((tx) => tx.one(cq.getClient, [1]), { readOnly: true, prelude: identityPrelude(alice) });
      const err = await rejection(db.one(cq.getClient, [1]));
      expect(err).to.be.instanceOf(PermissionDenied);
    } finally {
      await db.close();
    }
  });

  describe('read-only statements under a standing identity (one message a read)', () => {
    it("runs reads under its own session's standing identity only: another caller's is refused on that role's connection, its own works again after", async () => {
      const alice = await addUser('Alice Sales', 'alice@epic.events', 'sales');
      const kate = await addUser('Kate Support', 'kate@epic.events', 'support');
      // A connection is one session's role (sql/migrations/040): Kate's identity cannot be set on Alice's.
      const db = new Database(sessionParams(alice), { max: 1 });
      try {
        for (const actor of [alice, kate, alice, kate, alice]) {
          const read = db.statement<{ id: number; department: string }>(t.whoAmI, [], { readOnly: true, standing: standingIdentity(actor) });
          if (actor === kate) expect(await rejection(read)).to.be.instanceOf(PermissionDenied);
          else expect((await read)[0]).to.deep.equal({ id: actor.id, department: actor.department });
        }
      } finally {
        await db.close();
      }
    });

    it('says the session ended when a read finds nothing because of it, rather than returning an empty result', async () => {
      const alice = await addUser('Alice Sales', 'alice@epic.events', 'sales');
      const client = await addClient('Client', 'c@client.test', alice.id);
      const read = () => sessionDb(alice).statement(cq.getClient, [client], { readOnly: true, standing: standingIdentity(alice) });
      expect(await read()).to.have.length(1);
      await asOwner((c) => c.exec(t.endSessionsOf, [alice.id]));
      expect(await rejection(read())).to.be.instanceOf(SessionRevoked);
    });

    it('runs a write of one statement as its own transaction, and an ended session is named, with nothing written', async () => {
      const alice = await addUser('Alice Sales', 'alice@epic.events', 'sales');
      const write = (email: string) => sessionDb(alice).statement<{ id: number }>(cq.createClient, ['New', email, null, null, alice.id, null], { standing: standingIdentity(alice) });
      const [row] = await write('one@client.test');
      expect(row.id).to.be.a('number');
      await asOwner((c) => c.exec(t.endSessionsOf, [alice.id]));
      expect(await expectRefused(() => write('two@client.test'))).to.be.instanceOf(SessionRevoked);
    });
  });
});
