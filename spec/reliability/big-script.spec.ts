/**
 * A 10 MB script of short statements runs in bounded memory: statements are
 * read and compiled one at a time, as they run (before, every statement was
 * compiled first, about 80 times the file's size before the first ran). The
 * script itself reports its process's peak resident memory at its end.
 */
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { FIXTURE_PASSWORD } from '../support/fixtures.js';
import { cliTestbed, runCli } from '../support/cli.js';

const SIZE = 10 * 1024 * 1024;
// Issue 28 asks 300 MB. Node.js 24 peaked at 303–314 MB while its young generation
// grew to 128 MB; stopped near Node.js 20's 32 MB (capYoungGeneration), Node 20
// peaks at about 185 MB here, Node 26 at about 200 MB and Node 24 at about 220 MB.
const LIMIT_MB = 300;

describe('reliability: a 10 MB script', function () {
  this.timeout(600_000);
  const bed = cliTestbed('epic-big-script-');

  it(`runs statement by statement under ${LIMIT_MB} MB of peak memory`, async () => {
    const r = await runCli(['--email', bed.world.alice.email, '--password-stdin'], bed.env, `${FIXTURE_PASSWORD}\n`);
    expect(r.code, r.stderr).to.equal(0);
    const line = "total = total + 1; last = 'a short statement of about ninety bytes, as people write them'\n";
    const count = Math.ceil(SIZE / line.length);
    const file = path.join(bed.home, 'big.js');
    const out = fs.openSync(file, 'w');
    fs.writeSync(out, 'let total = 0\n');
    const block = line.repeat(1000);
    for (let i = 0; i < count; i += 1000) fs.writeSync(out, block);
    fs.writeSync(out, 'print(JSON.stringify({total, maxRssKb: process.resourceUsage().maxRSS}))\n');
    fs.closeSync(out);
    expect(fs.statSync(file).size).to.be.at.least(SIZE);

    const run = await runCli(['--email', bed.world.alice.email, file], bed.env, '', 590_000);
    expect(run.code, run.stderr).to.equal(0);
    const { total, maxRssKb } = JSON.parse(run.stdout) as { total: number; maxRssKb: number };
    expect(total).to.equal(Math.ceil(count / 1000) * 1000);
    expect(maxRssKb / 1024, 'peak resident memory (MB)').to.be.below(LIMIT_MB);
  });
});
