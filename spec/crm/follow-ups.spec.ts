/**
 * Follow-ups (issue 34): clients.followUp(id, when, note), followUps({mine?,
 * due?, clientId?, limit?}), followUps.done(id) — sales on their own clients,
 * management on all; in the client's history.
 */
import { expect } from 'chai';
import { Conflict, NotFound, PermissionDenied, ValidationError } from '../../lib/domain/errors.js';
import { readDate } from '../../lib/platform/dates.js';
import { apiAs, buildWorld, expectRefused, rejection, type World } from '../support/fixtures.js';
import { asOwner } from '../support/owner.js';
import { ctx, fingerprint, resetData } from '../support/server.js';
import { startShell } from '../../lib/shell/index.js';
import { FakeTerminal } from '../support/fake-api.js';
import { liveLogin } from '../support/live-login.js';
import { testQueries } from '../support/test-queries.js';

const t = testQueries(['addFollowUp'] as const);

/** A follow-up written as the owner (any due time, past ones included). */
async function addFollowUp(clientId: number, setBy: number, dueAt: Date, note: string): Promise<number> {
  return asOwner(async (c) => ((await c.one<{ id: number }>(t.addFollowUp, [clientId, setBy, dueAt, note])) as { id: number }).id);
}

const HOUR = 3_600_000;

describe('follow-ups', () => {
  let w: World;
  beforeEach(async () => {
    await resetData();
    w = await buildWorld();
  });

  it('sales set one on their client with a date phrase; it is listed, and the client history names who set it', async () => {
    const f = await apiAs(w.alice).clients.followUp(w.clientA, 'next tuesday 10:00', '  call about the budget ');
    expect(f).to.include({ clientId: w.clientA, clientName: 'Client of Alice', note: 'call about the budget', setById: w.alice.id, setByName: 'Alice Sales', doneAt: null });
    expect(f.dueAt.getTime()).to.equal((readDate('next tuesday 10:00') as { date: Date }).date.getTime());
    expect((await apiAs(w.alice).followUps.list()).map((r) => r.id)).to.deep.equal([f.id]);
    const [entry] = (await apiAs(w.kate).clients.history(w.clientA)).rows;
    expect(entry).to.include({ action: 'follow-up', actorName: 'Alice Sales', note: `follow-up ${f.id}` });
    // Every department reads client history; the note is only for those who read follow-ups.
    expect(JSON.stringify(entry)).not.to.include('budget');
  });

  it('lists open ones soonest first; due: true only those due now, a date those due by then; mine and clientId narrow it', async () => {
    const now = Date.now();
    const late = await addFollowUp(w.clientA, w.alice.id, new Date(now - 2 * HOUR), 'late');
    const soon = await addFollowUp(w.clientA, w.alice.id, new Date(now + 2 * HOUR), 'soon');
    const later = await addFollowUp(w.clientA, w.alice.id, new Date(now + 72 * HOUR), 'later');
    const bobs = await addFollowUp(w.clientB, w.bob.id, new Date(now - HOUR), 'bob');
    const managers = await addFollowUp(w.clientB, w.manager.id, new Date(now - 3 * HOUR), 'manager');
    const ids = async (p: Promise<Array<{ id: number }>>) => (await p).map((r) => r.id);
    expect(await ids(apiAs(w.alice).followUps.list())).to.deep.equal([late, soon, later]);
    expect(await ids(apiAs(w.alice).followUps.list({ due: true }))).to.deep.equal([late]);
    expect(await ids(apiAs(w.alice).followUps.list({ due: new Date(now + 3 * HOUR) }))).to.deep.equal([late, soon]);
    expect(await ids(apiAs(w.manager).followUps.list())).to.deep.equal([managers, late, bobs, soon, later]);
    expect(await ids(apiAs(w.manager).followUps.list({ mine: true }))).to.deep.equal([managers]);
    expect(await ids(apiAs(w.bob).followUps.list({ mine: true, due: true }))).to.deep.equal([managers, bobs]);
    expect(await ids(apiAs(w.manager).followUps.list({ clientId: w.clientA, due: true }))).to.deep.equal([late]);
  });

  it('pages by due time: `next()` goes on where the page ended', async () => {
    const base = Date.now() + HOUR;
    const all: number[] = [];
    for (let i = 0; i < 5; i++) all.push(await addFollowUp(w.clientA, w.alice.id, new Date(base + (i % 2) * HOUR), `n${i}`));
    const first = await apiAs(w.alice).followUps.list({ limit: 2 });
    const second = await first.next();
    const third = await second.next();
    const seen = [...first, ...second, ...third].map((r) => r.id);
    expect(seen).to.have.members(all);
    expect(seen).to.have.length(5);
    expect(third.hasMore).to.equal(false);
  });

  it('done: the follow-up leaves the list, says who and when, and is in the history; done again is a Conflict', async () => {
    const id = await addFollowUp(w.clientA, w.alice.id, new Date(Date.now() - HOUR), 'call');
    const done = await apiAs(w.alice).followUps.done(id);
    expect(done.doneAt).to.be.instanceOf(Date);
    expect(done.doneByName).to.equal('Alice Sales');
    expect(await apiAs(w.alice).followUps.list()).to.have.length(0);
    const [entry] = (await apiAs(w.alice).clients.history(w.clientA)).rows;
    expect(entry).to.include({ action: 'follow-up done', actorName: 'Alice Sales', note: `follow-up ${id}` });
    expect(await expectRefused(() => apiAs(w.manager).followUps.done(id))).to.be.instanceOf(Conflict);
  });

  it('refuses sales on a colleague\'s client (naming its owner), support, a missing record and bad arguments, and changes nothing', async () => {
    const bobs = await addFollowUp(w.clientB, w.bob.id, new Date(), 'bob');
    const before = await fingerprint();
    const other = await rejection(apiAs(w.alice).clients.followUp(w.clientB, 'tomorrow 9:00', 'steal'));
    expect(other).to.be.instanceOf(PermissionDenied);
    expect(other.message).to.equal(`sales may only follow up their own clients (client ${w.clientB} belongs to bob@epic.events)`);
    const otherDone = await rejection(apiAs(w.alice).followUps.done(bobs));
    expect(otherDone).to.be.instanceOf(PermissionDenied);
    expect(otherDone.message).to.match(/belongs to bob@epic\.events/);
    expect(await rejection(apiAs(w.kate).clients.followUp(w.clientA, 'tomorrow', 'x'))).to.be.instanceOf(PermissionDenied);
    expect(await rejection(apiAs(w.kate).followUps.list())).to.be.instanceOf(PermissionDenied);
    expect(await rejection(apiAs(w.manager).clients.followUp(99999, 'tomorrow', 'x'))).to.be.instanceOf(NotFound);
    expect(await rejection(apiAs(w.manager).followUps.done(99999))).to.be.instanceOf(NotFound);
    const bad = await rejection(apiAs(w.alice).clients.followUp('x' as never, 'someday' as never, '' as never));
    expect(bad).to.be.instanceOf(ValidationError);
    expect((bad as ValidationError).problems.map((p) => p.field)).to.deep.equal(['id', 'when', 'note']);
    const long = await rejection(apiAs(w.alice).clients.followUp(w.clientA, 'tomorrow', 'x'.repeat(501)));
    expect(long.message).to.match(/note must be at most 500 characters/);
    const filters = await rejection(apiAs(w.alice).followUps.list({ due: false, sort: 'x' } as never));
    expect((filters as ValidationError).problems.map((p) => p.field)).to.include.members(['due']);
    expect(await fingerprint()).to.deep.equal(before);
  });

  it('sales do not see a colleague\'s follow-ups; management sees all', async () => {
    await addFollowUp(w.clientB, w.bob.id, new Date(), 'bob');
    expect(await apiAs(w.alice).followUps.list()).to.have.length(0);
    expect(await apiAs(w.manager).followUps.list()).to.have.length(1);
  });

  it('in the shell, followUps(…) is followUps.list(…) and prints a table; followUps.done(id) prints the record', async () => {
    const id = await addFollowUp(w.clientA, w.alice.id, new Date(Date.now() - HOUR), 'call about the budget');
    const term = new FakeTerminal();
    const done = startShell(liveLogin(ctx().config, ctx().db, w.alice), term.io());
    await term.run('followUps({due: true})');
    expect(term.out).to.include('call about the budget').and.include('Client of Alice');
    await term.run(`followUps.done(${id})`);
    expect(term.err).to.equal('');
    expect(term.out).to.match(/doneByName\s*:?\s*Alice Sales|Alice Sales/);
    expect(await apiAs(w.alice).followUps.list()).to.have.length(0);
    term.input.end();
    await done;
  });
});
