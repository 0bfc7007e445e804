/**
 * Reliability 2: the shell is killed (kill -9) halfway through a 5,000-line
 * batch. Each line is one call, and each call's writes are one transaction:
 * every completed line is committed whole, none is half-written, the rows are
 * a prefix of the script, and running the remaining lines completes it.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { testQueries } from '../support/test-queries.js';
import { FIXTURE_PASSWORD, addUser } from '../support/fixtures.js';
import { asOwner } from '../support/owner.js';
import { cliEnv, runCli, startCli } from '../support/cli.js';
import { ctx, resetData } from '../support/server.js';

const t = testQueries(['batchClients', 'clientCount'] as const);
const LINES = 5000;

interface BatchRow {
  id: number;
  fullName: string;
  email: string;
  phone: string;
  companyName: string;
  salesContactId: number;
}

const expected = (n: number) => ({
  fullName: `Batch client ${n}`, email: `batch${n}@example.com`, phone: `+33 1 ${String(n).padStart(8, '0')}`, companyName: `Batch company ${n}`,
});

function script(from: number, to: number): string {
  const lines: string[] = [];
  for (let n = from; n <= to; n++) {
    const e = expected(n);
    lines.push(`clients.create({fullName: '${e.fullName}', email: '${e.email}', phone: '${e.phone}', companyName: '${e.companyName}'})`);
  }
  return `${lines.join('\n')}\n`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('reliability: kill -9 in the middle of a batch', function () {
  this.timeout(240_000);

  beforeEach(resetData);

  it('keeps every completed line of a 5,000-line batch whole and in order, and the rest runs afterwards', async () => {
    const alice = await addUser('Alice Sales', 'alice@epic.events', 'sales');
    const stateDir = fs.mkdtempSync(path.join(ctx().tmpDir, 'kill-batch-'));
    const env = cliEnv(ctx().target.admin, stateDir);
    const login = await runCli(['--email', alice.email, '--password-stdin'], env, `${FIXTURE_PASSWORD}\n`);
    expect(login.code, login.stderr).to.equal(0);

    const first = path.join(stateDir, 'batch.js');
    fs.writeFileSync(first, script(1, LINES));
    const run = startCli(['--email', alice.email, first], env);
    let seen = 0;
    while (seen < LINES / 2) {
      await sleep(50);
      seen = (await asOwner((c) => c.one<{ n: number }>(t.clientCount)))?.n ?? 0;
      if (run.child.exitCode !== null) break;
    }
    run.child.kill('SIGKILL');
    const killed = await run.done;
    expect(killed.signal, `the batch ended before it was killed: ${killed.stderr}`).to.equal('SIGKILL');

    const rows = await asOwner((c) => c.many<BatchRow>(t.batchClients));
    expect(rows.length).to.be.greaterThan(0).and.below(LINES);
    rows.forEach((row, i) => {
      expect({ fullName: row.fullName, email: row.email, phone: row.phone, companyName: row.companyName }, `row ${i + 1}`).to.deep.equal(expected(i + 1));
      expect(row.salesContactId).to.equal(alice.id);
    });

    const rest = path.join(stateDir, 'rest.js');
    fs.writeFileSync(rest, script(rows.length + 1, LINES));
    const rerun = await runCli(['--email', alice.email, rest], env);
    expect(rerun.code, rerun.stderr).to.equal(0);
    const all = await asOwner((c) => c.many<BatchRow>(t.batchClients));
    expect(all).to.have.length(LINES);
    all.forEach((row, i) => {
      if (row.email !== expected(i + 1).email || row.fullName !== expected(i + 1).fullName) {
        expect.fail(`row ${i + 1} is ${JSON.stringify(row)}`);
      }
    });
  });
});
