import { expect } from 'chai';
import { Conflict, NotFound, PermissionDenied, ValidationError } from '../../lib/domain/errors.js';
import { addBulk, addClient, addUser, apiAs, buildWorld, expectRefused, rejection } from '../support/fixtures.js';
import { resetData } from '../support/server.js';

describe('clients', () => {
  beforeEach(resetData);

  it('create makes the caller the sales contact and returns the record with first and last contact', async () => {
    const w = await buildWorld();
    const c = await apiAs(w.alice).clients.create({ fullName: 'Kevin Casey', email: 'kevin@startup.io', phone: '+678 123 456 78', companyName: 'Cool Startup LLC' });
    expect(c).to.include({ fullName: 'Kevin Casey', email: 'kevin@startup.io', phone: '+678 123 456 78', companyName: 'Cool Startup LLC', salesContactId: w.alice.id, salesContactName: 'Alice Sales' });
    expect(c.createdAt).to.be.instanceOf(Date);
    expect(c.updatedAt.getTime()).to.equal(c.createdAt.getTime());
  });

  it('update changes only the given fields and stamps the last contact', async () => {
    const w = await buildWorld();
    const before = await apiAs(w.alice).clients.get(w.clientA);
    const after = await apiAs(w.alice).clients.update(w.clientA, { companyName: 'Renamed Ltd' });
    expect(after).to.include({ fullName: before.fullName, email: before.email, companyName: 'Renamed Ltd' });
    expect(after.updatedAt.getTime()).to.be.greaterThan(before.updatedAt.getTime());
    expect(after.createdAt.getTime()).to.equal(before.createdAt.getTime());
  });

  it('update with null clears an optional field', async () => {
    const w = await buildWorld();
    await apiAs(w.alice).clients.update(w.clientA, { phone: '+33 1 23 45 67 89' });
    expect((await apiAs(w.alice).clients.update(w.clientA, { phone: null })).phone).to.equal(null);
  });

  it("refuses a salesperson updating a colleague's client, saying whose it is, and changes nothing", async () => {
    const w = await buildWorld();
    const err = await expectRefused(() => apiAs(w.alice).clients.update(w.clientB, { phone: '+33 6 12 34 56 78' }));
    expect(err).to.be.instanceOf(PermissionDenied);
    expect(err.message).to.equal(`sales may only update their own clients (client ${w.clientB} belongs to bob@epic.events)`);
  });

  it('lists every bad field of a create at once, the unknown one included, and inserts nothing', async () => {
    const w = await buildWorld();
    const err = await expectRefused(() => apiAs(w.alice).clients.create({ fullName: ' ', email: 'nope', phon: '123' } as never));
    expect(err).to.be.instanceOf(ValidationError);
    expect((err as ValidationError).problems.map((p) => p.field).sort()).to.deep.equal(['email', 'fullName', 'phon']);
  });

  it('refuses a typo in an update instead of ignoring it', async () => {
    const w = await buildWorld();
    const err = await expectRefused(() => apiAs(w.alice).clients.update(w.clientA, { phon: '+33 6 12 34 56 78' } as never));
    expect(err).to.be.instanceOf(ValidationError);
    expect((err as ValidationError).problems).to.deep.equal([{ field: 'phon', problem: 'is not a known field (expected one of: fullName, email, phone, companyName)' }]);
  });

  it('refuses a second client with the same email (any case) as a Conflict', async () => {
    const w = await buildWorld();
    expect(await expectRefused(() => apiAs(w.alice).clients.create({ fullName: 'Copy', email: 'A@Client.test' }))).to.be.instanceOf(Conflict);
  });

  it('get of a missing client is NotFound', async () => {
    const w = await buildWorld();
    expect(await rejection(apiAs(w.kate).clients.get(9999))).to.be.instanceOf(NotFound);
  });

  it('search matches name, email and company, whatever the case, and takes % and _ literally', async () => {
    const alice = await addUser('Alice Sales', 'alice@epic.events', 'sales');
    const byName = await addClient('Kevin Casey', 'kc@x.test', alice.id);
    const byEmail = await addClient('Someone', 'kevin.other@x.test', alice.id);
    const byCompany = await addClient('Other', 'o@x.test', alice.id, { companyName: 'KEVIN & Co' });
    await addClient('Decoy', 'decoy@x.test', alice.id, { companyName: '100% events' });
    const ids = (await apiAs(alice).clients.list({ search: 'kevin' })).rows.map((c) => c.id);
    expect(ids).to.deep.equal([byName, byEmail, byCompany]);
    expect((await apiAs(alice).clients.list({ search: '0%' })).rows.map((c) => c.fullName)).to.deep.equal(['Decoy']);
    expect((await apiAs(alice).clients.list({ search: '_' })).rows).to.have.length(0);
  });

  it('filters mine, salesContactId and unassigned', async () => {
    const w = await buildWorld();
    const orphan = await addClient('Orphan', 'orphan@x.test', null);
    expect((await apiAs(w.alice).clients.list({ mine: true })).rows.map((c) => c.id)).to.deep.equal([w.clientA]);
    expect((await apiAs(w.kate).clients.list({ salesContactId: w.bob.id })).rows.map((c) => c.id)).to.deep.equal([w.clientB]);
    expect((await apiAs(w.manager).clients.list({ unassigned: true })).rows.map((c) => c.id)).to.deep.equal([orphan]);
  });

  it('pages through every client in id order without duplicates or omissions', async () => {
    const w = await buildWorld();
    await addBulk(45, w.alice.id, w.kate.id);
    const seen: number[] = [];
    let page = await apiAs(w.kate).clients.list({ limit: 10 });
    let pages = 1;
    seen.push(...page.rows.map((c) => c.id));
    while (page.hasMore) {
      page = await page.next();
      pages++;
      seen.push(...page.rows.map((c) => c.id));
    }
    expect(pages).to.equal(5);
    expect(seen).to.have.length(47);
    expect(seen).to.deep.equal([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).to.equal(47);
    expect((await page.next()).rows).to.deep.equal([]);
  });

  it('defaults to pages of 20 and refuses a limit above 500 or an unknown filter', async () => {
    const w = await buildWorld();
    await addBulk(30, w.alice.id, w.kate.id);
    const page = await apiAs(w.kate).clients.list();
    expect(page.rows).to.have.length(20);
    expect(page.hasMore).to.equal(true);
    const err = await rejection(apiAs(w.kate).clients.list({ limit: 501, serach: 'x' } as never));
    expect((err as ValidationError).problems.map((p) => p.field).sort()).to.deep.equal(['limit', 'serach']);
  });
});
