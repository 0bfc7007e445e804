import { expect } from 'chai';
import type { Actor } from '../../lib/session.js';
import { identityPrelude } from '../../lib/crm/deps.js';
import { queries } from '../../lib/db/sql.js';
import { Conflict, PermissionDenied } from '../../lib/errors.js';
import { addClient, addUser, rejection } from '../support/fixtures.js';
import { ctx, fingerprint, resetData } from '../support/server.js';

const sq = queries('session', ['setIdentity'] as const);
const cq = queries('clients', ['createClient', 'getClient'] as const);

describe('Database.statement (one-statement transactions in one round trip)', () => {
  beforeEach(resetData);
  afterEach(resetData);

  const as = (actor: Actor) => ({ prelude: identityPrelude(actor) });

  it('runs the statement with the caller identity and commits it', async () => {
    const alice = await addUser('Alice Sales', 'alice@epic.events', 'sales');
    const [row] = await ctx().db.statement<{ id: number; salesContactName: string }>(cq.createClient, ['New Client', 'new@client.test', null, null, alice.id], as(alice));
    expect(row.salesContactName).to.equal('Alice Sales');
    const [again] = await ctx().db.statement<{ id: number }>(cq.getClient, [row.id], { ...as(alice), readOnly: true });
    expect(again.id).to.equal(row.id);
  });

  it('commits nothing when the statement fails, and the connection stays usable', async () => {
    const alice = await addUser('Alice Sales', 'alice@epic.events', 'sales');
    await addClient('Existing', 'taken@client.test', alice.id);
    const before = await fingerprint();
    const err = await rejection(ctx().db.statement(cq.createClient, ['Dup', 'taken@client.test', null, null, alice.id], as(alice)));
    expect(err).to.be.instanceOf(Conflict);
    expect(await fingerprint()).to.deep.equal(before);
    const [row] = await ctx().db.statement<{ id: number }>(cq.createClient, ['Other', 'other@client.test', null, null, alice.id], as(alice));
    expect(row.id).to.be.a('number');
  });

  it('is refused by the database under a department role that may not run it, changing nothing', async () => {
    const alice = await addUser('Alice Sales', 'alice@epic.events', 'sales');
    const kate = await addUser('Kate Support', 'kate@epic.events', 'support');
    const before = await fingerprint();
    const err = await rejection(ctx().db.statement(cq.createClient, ['Sneaky', 'sneaky@client.test', null, null, alice.id], as(kate)));
    expect(err).to.be.instanceOf(PermissionDenied);
    expect(await fingerprint()).to.deep.equal(before);
  });

  it('keeps the identity transaction-local: a plain query on the pool afterwards has none', async () => {
    const alice = await addUser('Alice Sales', 'alice@epic.events', 'sales');
    await ctx().db.statement(cq.getClient, [1], { ...as(alice), readOnly: true });
    const err = await rejection(ctx().db.one(cq.getClient, [1]));
    expect(err).to.be.instanceOf(PermissionDenied);
  });
});
