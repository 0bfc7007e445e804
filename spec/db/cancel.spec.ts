import { expect } from 'chai';
import { Database } from '../../lib/db/index.js';
import { testQueries } from '../support/test-queries.js';
import { ctx } from '../support/server.js';
import { until } from '../support/until.js';

const t = testQueries(['sleepSeconds', 'activeSleeps', 'copySlowly'] as const);

describe('db: cancelling the running query (Ctrl+C)', function () {
  this.timeout(30_000);
  let db: Database;
  beforeEach(() => {
    db = new Database(ctx().target.runtime, { max: 2 });
  });
  afterEach(() => db.close());

  it('cancelRunning stops a query running inside a transaction on the server', async () => {
    const running = db.transaction((tx) => tx.one(t.sleepSeconds, [60]));
    const outcome = running.then(() => 'finished', (err: Error) => err);
    // Wait until the server is actually running it, then cancel.
    await until(async () => (await ctx().admin.one<{ n: number }>(t.activeSleeps))!.n > 0, 'the sleep running on the server', 10_000, 50);
    expect(await db.cancelRunning()).to.equal(1);
    const err = await outcome;
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).name).to.equal('QueryCancelled');
    // This process asked for it: not the server's statement timeout.
    expect((err as Error).message).to.equal('the query was cancelled');
    expect((await ctx().admin.one<{ n: number }>(t.activeSleeps))!.n).to.equal(0);
  });

  it('cancelRunning stops a COPY … TO STDOUT while its rows are read (an export), and the connection serves the next calls', async () => {
    let rows = 0;
    const running = db.transaction((tx) => tx.copyOut(t.copySlowly, [], () => void rows++));
    const outcome = running.then(() => 'finished', (err: Error) => err);
    await until(() => rows > 0, 'the first rows of the COPY', 10_000, 20);
    expect(await db.cancelRunning()).to.equal(1);
    const err = await outcome;
    expect(err).to.be.instanceOf(Error);
    expect((err as Error).name).to.equal('QueryCancelled');
    expect(rows).to.be.above(0).and.below(1000);
    for (let i = 0; i < 3; i++) expect(await db.transaction((tx) => tx.one(t.sleepSeconds, [0]))).to.deep.equal({ slept: '' });
  });
});
