import { expect } from 'chai';
import vm from 'node:vm';
import { ValidationError } from '../../lib/domain/errors.js';
import { isPage, type Page } from '../../lib/crm/page.js';
import { addClient, addContract, addEvent, apiAs, buildWorld, expectRefused, rejection } from '../support/fixtures.js';
import { fingerprint, resetData } from '../support/server.js';

const ids = (rows: ReadonlyArray<{ id: number }>) => rows.map((r) => r.id);

/** Every row of a list, page after page (what `it` shows, one page at a time). */
async function allPages<T>(first: Page<T>): Promise<T[][]> {
  const pages = [[...first]];
  let page = first;
  while (page.hasMore) {
    page = await page.next();
    pages.push([...page]);
  }
  return pages;
}

const day = (d: number, h = 12) => new Date(2026, 11, d, h);

describe('lists: sort, count, pages as arrays (issue 15)', () => {
  beforeEach(resetData);

  it("events.list({sort: 'startAt'}) pages in start order, ties by id, and '-startAt' the reverse", async () => {
    const w = await buildWorld();
    const client = await addClient('Sorted', 'sorted@client.test', w.alice.id);
    const starts = [day(5), day(2), day(9), day(2), day(7)];
    const made: number[] = [];
    for (const [i, start] of starts.entries()) made.push(await addEvent(await addContract(client, '10.00', '0.00', true), `E${i}`, null, start, new Date(start.getTime() + 3_600_000)));
    const api = apiAs(w.kate);
    const pages = await allPages(await api.events.list({ from: '2026-12-01', sort: 'startAt', limit: 2 }));
    expect(pages.map(ids)).to.deep.equal([[made[1], made[3]], [made[0], made[4]], [made[2]]]);
    const reverse = await allPages(await api.events.list({ from: '2026-12-01', sort: '-startAt', limit: 2 }));
    expect(reverse.flat().map((e) => e.id)).to.deep.equal([made[2], made[4], made[0], made[3], made[1]]);
  });

  it("contracts.list({sort: '-amountDue'}) pages by amount (exact), then id (both descending); clients and users sort by name", async () => {
    const w = await buildWorld();
    const pages = await allPages(await apiAs(w.alice).contracts.list({ sort: '-amountDue', limit: 3 }));
    const rows = pages.flat();
    expect(rows.map((r) => r.amountDue)).to.deep.equal(['1000.00', '1000.00', '0.00', '0.00', '0.00', '0.00']);
    expect(rows.map((r) => r.id)).to.deep.equal([w.contractB, w.contractA, ...[...rows].slice(2).map((r) => r.id).sort((a, b) => b - a)]);
    const clients = await apiAs(w.alice).clients.list({ sort: '-fullName' });
    expect(clients.map((c) => c.fullName)).to.deep.equal(['Client of Bob', 'Client of Alice']);
    const users = await apiAs(w.manager).users.list({ sort: 'fullName', limit: 2 });
    expect((await allPages(users)).flat().map((u) => u.fullName)).to.deep.equal(['Alice Sales', 'Bob Sales', 'Kate Support', 'Lou Support', 'Maud Manager']);
  });

  it("sorting by a timestamp pages on its exact value (microseconds, which a Date cannot hold): no row twice", async () => {
    const w = await buildWorld();
    const seen: number[] = [];
    let page = await apiAs(w.alice).clients.list({ sort: 'createdAt', limit: 1 });
    for (let i = 0; i < 5; i++) {
      seen.push(...ids(page));
      if (!page.hasMore) break;
      page = await page.next();
    }
    expect(seen).to.deep.equal([w.clientA, w.clientB]);
    expect(Object.keys(page[0])).to.not.include('sortKey');
  });

  it('an unknown sort key is a ValidationError naming sort and listing the keys, for every list', async () => {
    const w = await buildWorld();
    const before = await fingerprint();
    const cases: Array<[Promise<unknown>, string]> = [
      [apiAs(w.kate).events.list({ sort: 'colour' } as never), 'startAt, endAt, name, id'],
      [apiAs(w.alice).contracts.list({ sort: 'amount_due' } as never), 'createdAt, amountDue, totalAmount, id'],
      [apiAs(w.alice).clients.list({ sort: '--fullName' } as never), 'fullName, createdAt, updatedAt, id'],
      [apiAs(w.manager).users.list({ sort: 1 } as never), 'fullName, email, employeeNumber, createdAt, id'],
    ];
    for (const [call, keys] of cases) {
      const err = await rejection(call);
      expect(err).to.be.instanceOf(ValidationError);
      expect((err as ValidationError).problems.map((p) => p.field)).to.deep.equal(['sort']);
      expect(err.message).to.include(`must be one of ${keys}`);
    }
    expect(await fingerprint()).to.deep.equal(before);
  });

  it('count(filter) counts what list lists, with the same filters and the same department rules', async () => {
    const w = await buildWorld();
    expect(await apiAs(w.alice).contracts.count()).to.equal(6);
    expect(await apiAs(w.alice).contracts.count({ unpaid: true })).to.equal(2);
    expect(await apiAs(w.alice).contracts.count({ mine: true, signed: true })).to.equal(2);
    expect(await apiAs(w.alice).clients.count({ mine: true })).to.equal(1);
    expect(await apiAs(w.kate).events.count({ mine: true })).to.equal(1);
    expect(await apiAs(w.kate).events.count({ from: '2026-06-04', to: '2026-06-04' })).to.equal(2);
    expect(await apiAs(w.manager).users.count({ department: 'sales' })).to.equal(2);
    const err = await rejection(apiAs(w.alice).users.count());
    expect(err.name).to.equal('PermissionDenied');
    const bad = await rejection(apiAs(w.alice).contracts.count({ unpaid: 'yes', limit: 5 } as never));
    expect((bad as ValidationError).problems.map((p) => p.field)).to.deep.equal(['limit', 'unpaid']);
  });

  it('contracts.count agrees with what contracts.list lists after creations, signatures, payments and reassignment', async () => {
    const w = await buildWorld();
    const listed = async (f: object) => {
      let n = 0;
      for await (const _ of await apiAs(w.alice).contracts.list({ ...f, limit: 3 })) n++;
      return n;
    };
    const check = async () => {
      for (const f of [{}, { unpaid: true }, { unpaid: false, signed: true }, { signed: false }, { mine: true }, { mine: true, unpaid: true }, { clientId: w.clientB }]) {
        expect(await apiAs(w.alice).contracts.count(f), JSON.stringify(f)).to.equal(await listed(f));
      }
    };
    await check();
    const k = await apiAs(w.manager).contracts.create({ clientId: w.clientA, totalAmount: '300.00', amountDue: '300.00' });
    await apiAs(w.alice).contracts.sign(k.id);
    await apiAs(w.alice).contracts.update(w.contractA, { amountDue: '0' });
    await check();
    expect(await apiAs(w.alice).contracts.count({ mine: true, unpaid: true })).to.equal(1);
    // Bob leaves; his client goes to Alice: her contracts are now his client's too.
    await apiAs(w.manager).users.delete(w.bob.id, { reassignTo: w.alice.id });
    await check();
    expect(await apiAs(w.alice).contracts.count({ mine: true })).to.equal(7);
  });

  it('a page is an array of its rows (length, map, JSON, for…of) and for await runs through every page', async () => {
    const w = await buildWorld();
    const page = await apiAs(w.alice).contracts.list({ limit: 4 });
    expect(Array.isArray(page)).to.equal(true);
    expect(isPage(page)).to.equal(true);
    expect(page.length).to.equal(4);
    const mapped = page.map((c) => c.id);
    expect(isPage(mapped)).to.equal(false);
    expect(JSON.parse(JSON.stringify(page))).to.have.length(4);
    expect([...page].map((c) => c.id)).to.deep.equal(mapped);
    const all: number[] = [];
    for await (const c of page) all.push(c.id);
    expect(all).to.have.length(6);
    const last = await page.next();
    expect([last.length, last.listed, last.hasMore]).to.deep.equal([2, 6, false]);
  });

  it("events.list: a date alone for `to` includes that day; English phrases and the REPL's Date are read", async () => {
    const w = await buildWorld();
    const client = await addClient('Dated', 'dated@client.test', w.alice.id);
    const dec3 = await addEvent(await addContract(client, '10.00', '0.00', true), 'Late on Dec 3', null, day(3, 22), day(3, 23));
    const api = apiAs(w.kate);
    expect(ids(await api.events.list({ from: '2026-12-01', to: '2026-12-03' }))).to.deep.equal([dec3]);
    expect(ids(await api.events.list({ from: '2026-12-01', to: '2026-12-03 12:00' }))).to.deep.equal([]);
    const replDate = vm.runInNewContext('new Date(2026, 11, 3)') as Date;
    expect(ids(await api.events.list({ from: replDate, to: '3 December 2026 23:00' }))).to.deep.equal([dec3]);
    const err = await rejection(api.events.list({ from: '04/12/2026' }));
    expect((err as ValidationError).problems).to.have.length(1);
    expect(err.message).to.match(/^from is ambiguous/);
  });

  it('events.upcoming() is the next 7 days from now by start time; days and mine narrow it; bad days refused', async () => {
    const w = await buildWorld();
    const client = await addClient('Agenda', 'agenda@client.test', w.alice.id);
    const soon = (hours: number) => new Date(Date.now() + hours * 3_600_000);
    const add = (name: string, hours: number, support: number | null) => addContract(client, '10.00', '0.00', true)
      .then((k) => addEvent(k, name, support, soon(hours), soon(hours + 2)));
    const inTwoDays = await add('In two days', 48, w.kate.id);
    const tomorrow = await add('Tomorrow', 24, null);
    await add('Yesterday', -24, w.kate.id);
    const nextMonth = await add('Next month', 24 * 30, w.kate.id);
    expect(ids(await apiAs(w.alice).events.upcoming())).to.deep.equal([tomorrow, inTwoDays]);
    expect(ids(await apiAs(w.kate).events.upcoming({ mine: true }))).to.deep.equal([inTwoDays]);
    expect(ids(await apiAs(w.manager).events.upcoming({ days: 31 }))).to.deep.equal([tomorrow, inTwoDays, nextMonth]);
    const err = await expectRefused(() => apiAs(w.manager).events.upcoming({ days: 0 }));
    expect((err as ValidationError).problems.map((p) => p.field)).to.deep.equal(['days']);
  });
});
