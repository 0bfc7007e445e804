/**
 * export(), --csv, --json's "more rows" notice and clients.import through the
 * built CLI (pipes, no TTY).
 */
import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { FIXTURE_PASSWORD, addBulk } from '../support/fixtures.js';
import { cliTestbed, runCli, type CliResult } from '../support/cli.js';
import { fingerprint } from '../support/server.js';
import { KEY, PtySession } from '../support/pty.js';

describe('e2e: CSV export and import through the built CLI', function () {
  this.timeout(60_000);
  const bed = cliTestbed('epic-csv-');

  const cli = (args: string[], input = ''): Promise<CliResult> => runCli(args, bed.env, input);
  const loginAs = async (email: string) => {
    const r = await cli(['--email', email, '--password-stdin'], `${FIXTURE_PASSWORD}\n`);
    expect(r.code, r.stderr).to.equal(0);
  };

  it('export(list, file) in --eval and in a script writes every page and prints the row count', async () => {
    await addBulk(45, bed.world.alice.id, bed.world.kate.id);
    await loginAs(bed.world.manager.email);
    const out = path.join(bed.home, 'contracts.csv');
    const r = await cli(['--eval', `export(contracts.list({limit: 10}), ${JSON.stringify(out)})`]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.equal(`51 rows written to ${out}\n`);
    expect(parse(fs.readFileSync(out), { columns: true })).to.have.length(51);

    const script = path.join(bed.home, 'export.js');
    const jsonl = path.join(bed.home, 'unpaid.jsonl');
    fs.writeFileSync(script, `const n = await export(contracts.list({unpaid: true}), ${JSON.stringify(jsonl)})\nprint(n.rows)\n`);
    const s = await cli([script]);
    expect(s.code, s.stderr).to.equal(0);
    const lines = fs.readFileSync(jsonl, 'utf8').trimEnd().split('\n');
    expect(s.stdout).to.equal(`${lines.length}\n`);
    expect(lines.every((l) => Number((JSON.parse(l) as { amountDue: string }).amountDue) > 0)).to.equal(true);
  });

  it('--csv prints a list whole (every page) for a pipeline', async () => {
    await addBulk(30, bed.world.alice.id, bed.world.kate.id);
    await loginAs(bed.world.alice.email);
    const r = await cli(['--csv', '--eval', 'clients.list({limit: 4})']);
    expect(r.code, r.stderr).to.equal(0);
    const rows = parse(r.stdout, { columns: true }) as Array<{ email: string }>;
    expect(rows).to.have.length(32);
    expect(rows[0].email).to.equal('a@client.test');
  });

  it('--json says on stderr when a list has more rows than it printed, and nothing when it has not', async () => {
    await addBulk(30, bed.world.alice.id, bed.world.kate.id);
    await loginAs(bed.world.alice.email);
    const some = await cli(['--json', '--eval', 'clients.list()']);
    expect(some.code, some.stderr).to.equal(0);
    expect(JSON.parse(some.stdout)).to.have.length(20);
    expect(some.stderr).to.equal("more rows remain after these 20: give limit (up to 500), or export(list, 'file.jsonl') or --csv for all of them\n");
    const all = await cli(['--json', '--eval', 'clients.list({limit: 100})']);
    expect(JSON.parse(all.stdout)).to.have.length(32);
    expect(all.stderr).to.equal('');
  });

  it('--eval of a list into a pipe never prints `Type "it" for more`: stderr says more rows remain', async () => {
    await addBulk(30, bed.world.alice.id, bed.world.kate.id);
    await loginAs(bed.world.alice.email);
    const r = await cli(['--eval', 'clients.list()']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include('Client of Alice');
    expect(r.stdout).to.not.include('Type "it"');
    expect(r.stderr).to.equal("more rows remain after these 20: give limit (up to 500), or export(list, 'file.jsonl') or --csv for all of them\n");
  });

  it('--csv of find(), a nested result or a report writes flat cells; a report\'s (total) is apart in --json and --csv', async () => {
    const { manager, alice, bob } = bed.world;
    await loginAs(manager.email);
    const found = await cli(['--csv', '--eval', "find('client')"]);
    expect(found.code, found.stderr).to.equal(0);
    const rows = parse(found.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.kind)).to.include('client').and.include('contract');
    expect(rows.find((r) => r.kind === 'client' && r.email === 'a@client.test')?.fullName).to.equal('Client of Alice');
    expect(found.stdout).to.not.match(/[[{]/);

    const moved = await cli(['--csv', '--eval', `users.update(${bob.id}, {department: 'support'}, {reassignTo: ${alice.id}})`]);
    expect(moved.code, moved.stderr).to.equal(0);
    const [record] = parse(moved.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(record).to.include({ 'moved.clients': '1', 'moved.to.id': String(alice.id), 'moved.to.fullName': 'Alice Sales' });
    expect(moved.stdout).to.not.match(/[[{]/);

    const csv = await cli(['--csv', '--eval', "reports.revenue({by: 'salesContact'})"]);
    expect(csv.code, csv.stderr).to.equal(0);
    const lines = parse(csv.stdout, { columns: true }) as Array<Record<string, string>>;
    expect(lines.map((l) => l.salesContact)).to.not.include('(total)');
    expect(lines).to.have.length(1);
    expect(csv.stderr).to.equal('total: contracts 4, signed 10000.00, collected 10000.00, due 0.00\n');
    const json = await cli(['--json', '--eval', "reports.revenue({by: 'salesContact'})"]);
    expect(json.code, json.stderr).to.equal(0);
    const doc = JSON.parse(json.stdout) as { rows: Array<{ salesContact: string }>; total: { contracts: number; due: string } };
    expect(doc.rows.map((l) => l.salesContact)).to.deep.equal(['Alice Sales']);
    expect(doc.total).to.include({ contracts: 4, due: '0.00' });
  });

  it('clients.import through the CLI: the report, no progress line without a terminal; a refused file exits 1 and changes nothing', async () => {
    await loginAs(bed.world.alice.email);
    const good = path.join(bed.home, 'good.csv');
    fs.writeFileSync(good, 'Full name,Email\nAnn,ann@x.test\n');
    const r = await cli(['--json', '--eval', `clients.import(${JSON.stringify(good)})`]);
    expect(r.code, r.stderr).to.equal(0);
    const report = JSON.parse(r.stdout);
    expect(report).to.deep.include({ file: good, created: 1, updated: 0, skipped: 0, dryRun: false });
    expect(report.importId).to.be.a('number');
    expect(r.stderr).to.equal('');

    const bad = path.join(bed.home, 'bad.csv');
    fs.writeFileSync(bad, 'Full name,Email\nBea,not-an-email\n');
    const before = await fingerprint();
    const refused = await cli(['--eval', `clients.import(${JSON.stringify(bad)})`]);
    expect(refused.code).to.equal(1);
    expect(refused.stderr).to.include(`ValidationError: ${bad}:2: email: "not-an-email" must be an email address`);
    expect(await fingerprint()).to.deep.equal(before);
  });

  it('clients.import at the prompt of a terminal shows a progress line as rows are checked, gone when it ends', async () => {
    await loginAs(bed.world.alice.email);
    const big = path.join(bed.home, 'big.csv');
    fs.writeFileSync(big, `Full name,Email\n${Array.from({ length: 2500 }, (_, i) => `Client ${i},c${i}@progress.test`).join('\n')}\n`);
    const shell = PtySession.start(['--email', bed.world.alice.email, '--quiet'], bed.env);
    await shell.waitFor(/> $/);
    shell.sendLine(`clients.import(${JSON.stringify(big)})`);
    const out = await shell.waitFor(/created: 2500[\s\S]*> $/);
    expect(out).to.include('big.csv: 1000 rows checked').and.include('big.csv: 2000 rows checked');
    // The line is erased before the report: \r then erase-line, never left under it.
    expect(shell.rawOutput).to.match(/2000 rows checked\r\x1b\[K/);
    shell.send(KEY.ctrlD);
    expect(await shell.exitCode()).to.equal(0);
  });
});
