/**
 * Reliability (issue 28, items 6 and 7): a killed export leaves nothing under
 * its final name, and two imports at once with onDuplicate 'skip' both
 * succeed, the database deciding which one writes each email.
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { testQueries } from '../support/test-queries.js';
import { FIXTURE_PASSWORD, addBulk, apiAs, buildWorld, type World } from '../support/fixtures.js';
import { asOwner } from '../support/owner.js';
import { cliEnv, runCli, startCli } from '../support/cli.js';
import { stopWhen } from '../support/stop.js';
import { ctx, resetData } from '../support/server.js';
import { tempWorkingDir } from '../support/workdir.js';

const t = testQueries(['fixtureClient', 'clientCount'] as const);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('reliability: exports and imports under faults and concurrency', function () {
  this.timeout(600_000);
  let w: World;
  beforeEach(async () => {
    await resetData();
    w = await buildWorld();
  });
  const work = tempWorkingDir('epic-races-');

  it('kill -9 in the middle of an export leaves no file under its final name (only a partial one beside it), and a rerun completes it', async () => {
    await addBulk(15_000, w.alice.id, w.kate.id);
    const stateDir = fs.mkdtempSync(path.join(ctx().tmpDir, 'kill-export-'));
    const env = cliEnv(ctx().target.admin, stateDir);
    const login = await runCli(['--email', w.manager.email, '--password-stdin'], env, `${FIXTURE_PASSWORD}\n`);
    expect(login.code, login.stderr).to.equal(0);
    const out = path.join(stateDir, 'contracts.csv');
    const run = startCli(['--eval', `export(contracts.list(), ${JSON.stringify(out)})`], env);
    const partial = () => fs.readdirSync(stateDir).find((f) => f.startsWith('.contracts.csv.') && f.endsWith('.partial'));
    // Stopped once its partial file holds rows (the first page's, or the COPY's after them), killed there.
    // Its partial file is opened before the first page is read: slices from then on.
    const inTheMiddle = await stopWhen(run.child, () => {
      const name = partial();
      return name !== undefined && fs.statSync(path.join(stateDir, name)).size > 16 * 1024;
    }, { near: () => partial() !== undefined });
    run.child.kill('SIGKILL');
    const killed = await run.done;
    expect(inTheMiddle, `the export ended before it was stopped: ${killed.stderr}`).to.equal(true);
    expect(killed.signal).to.equal('SIGKILL');
    expect(fs.existsSync(out), 'a partial export under the final name').to.equal(false);
    expect(partial()).to.be.a('string');

    const rerun = await runCli(['--eval', `export(contracts.list(), ${JSON.stringify(out)})`], env);
    expect(rerun.code, rerun.stderr).to.equal(0);
    expect(fs.readFileSync(out, 'utf8').trimEnd().split('\r\n')).to.have.length(15_006 + 1);
  });

  it('an import with onDuplicate skip, racing another writer of the same email, succeeds and counts it as skipped', async () => {
    fs.writeFileSync(path.join(work.path, 'race.csv'), 'Full name,Email\nAnn,ann@race.test\nBea,bea@race.test\n');
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let inserted!: () => void;
    const insertedYet = new Promise<void>((resolve) => (inserted = resolve));
    // Another transaction writes ann@race.test and has not committed when the import checks its batch.
    const other = asOwner(async (c) => {
      await c.one(t.fixtureClient, ['Ann Elsewhere', 'ANN@race.test', null, null, w.bob.id]);
      inserted();
      await held;
    });
    await insertedYet;
    const importing = apiAs(w.alice).clients.import('race.csv', { onDuplicate: 'skip' });
    await sleep(1500); // the import is now waiting on the other transaction's row
    release();
    await other;
    expect(await importing).to.include({ created: 1, skipped: 1, updated: 0 });
    expect(Number((await asOwner((c) => c.one<{ n: number | string }>(t.clientCount)))?.n)).to.equal(4); // the world's two, Ann Elsewhere and Bea
  });

  it('two imports of one file at once with onDuplicate skip both succeed: every email written once, the rest counted as skipped', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => `Client ${i},c${i}@both.test`);
    fs.writeFileSync(path.join(work.path, 'both.csv'), `Full name,Email\n${rows.join('\n')}\n`);
    const [a, b] = await Promise.all([
      apiAs(w.alice).clients.import('both.csv', { onDuplicate: 'skip' }),
      apiAs(w.alice).clients.import('both.csv', { onDuplicate: 'skip' }),
    ]);
    expect(a.created + b.created).to.equal(3000);
    expect(a.skipped + b.skipped).to.equal(3000);
  });
});
