/**
 * The demo data (lib/program/demo.ts, issue 15 item 8) is about now: loaded on the
 * test database with a chosen "today", it has events past and coming (one in
 * the next days, one without a support contact), contracts signed and
 * unsigned, paid in full and with an amount due.
 */
import { expect } from 'chai';
import { createDigest } from '../../lib/crm/digest.js';
import { demoDay, demoUserId, loadDemoData } from '../../lib/program/demo.js';
import { apiAs, sessionFor } from '../support/fixtures.js';
import { ctx, resetData } from '../support/server.js';
import { depsFor } from '../support/users.js';

describe('demo data', () => {
  const today = new Date(2027, 2, 10, 9, 0);
  beforeEach(resetData);
  after(resetData);

  it('is dated relative to the day it is loaded, and loaded once', async () => {
    expect(await loadDemoData(ctx().admin, 4, today)).to.equal(true);
    expect(await loadDemoData(ctx().admin, 4, today)).to.equal(false);
    const manager = (await sessionFor(await demoUserId(ctx().admin, 'management'))).actor;
    const digest = await createDigest(depsFor(manager))(today);
    expect(digest.events).to.deep.equal({ count: 1, nextName: 'John Ouick Wedding', nextAt: new Date(demoDay(today, 4, 15)) });
    expect(digest.unassigned).to.deep.equal({ count: 1, nextAt: new Date(demoDay(today, 12, 19)) });
    expect(digest.contracts).to.deep.equal({ unsigned: 2, unsignedValue: '8999.99', unpaid: 2, due: '4500.00' });
    const api = apiAs(manager);
    const past = await api.events.list({ to: today });
    expect(past.rows.map((e) => e.name).sort()).to.deep.equal(['General Assembly', 'Mufflins Summer Party']);
    const paid = (await api.contracts.list({ signed: true, unpaid: false })).rows;
    expect(paid.length).to.be.at.least(2);
    const kate = (await sessionFor(await demoUserId(ctx().admin, 'support'))).actor;
    expect((await createDigest(depsFor(kate))(today)).events.count).to.equal(1);
  });

  it('--reset puts it back: what was changed since is gone, and the data is whole again', async () => {
    expect(await loadDemoData(ctx().admin, 4, today)).to.equal(true);
    const manager = (await sessionFor(await demoUserId(ctx().admin, 'management'))).actor;
    const api = apiAs(manager);
    const before = { clients: await api.clients.count(), contracts: await api.contracts.count(), events: await api.events.count() };
    const seller = apiAs((await sessionFor(await demoUserId(ctx().admin, 'sales'))).actor);
    await seller.clients.create({ fullName: 'Not Demo', email: 'not.demo@example.org' });
    const kevin = (await api.clients.list({ search: 'Kevin Casey' })).rows[0];
    await seller.clients.update(kevin.id, { companyName: 'Changed Inc' });
    expect(await loadDemoData(ctx().admin, 4, today, { reset: true })).to.equal(true);
    const again = apiAs((await sessionFor(await demoUserId(ctx().admin, 'management'))).actor);
    expect({ clients: await again.clients.count(), contracts: await again.contracts.count(), events: await again.events.count() }).to.deep.equal(before);
    expect((await again.clients.list({ search: 'Kevin Casey' })).rows[0].companyName).to.equal('Cool Startup LLC');
    expect((await again.clients.list({ search: 'Not Demo' })).rows).to.have.length(0);
  });
});
