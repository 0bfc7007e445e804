/**
 * `epic-events types [FILE]` (issue 34): declarations of the shell's globals
 * generated from the method descriptions. A script that references them is
 * checked by tsc: a good one passes, a misspelt method, an unknown filter
 * key or a sort key the list does not take is an error.
 */
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../../lib/program/cli.js';
import { packageRoot } from '../../../lib/platform/paths.js';
import { DESCRIPTIONS, FUNCTIONS } from '../../../lib/crm/api.js';
import { OBJECTS } from '../../../lib/crm/objects.js';
import { TSC_COMMAND, shellDeclarations, untypedChecks, type Described } from '../../../lib/shell/declarations.js';
import type { MethodDescription, ObjectDescription, RecordDescription } from '../../../lib/crm/describe.js';

const TSC = path.join(packageRoot, 'node_modules', 'typescript', 'bin', 'tsc');

function io(env: NodeJS.ProcessEnv = {}) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += String(d)));
  stderr.on('data', (d) => (err += String(d)));
  return { io: { stdin: new PassThrough(), stdout, stderr, env }, out: () => out, err: () => err };
}

/** tsc on a script as the README says, in `dir`: its exit code and output. */
function checkScript(dir: string, file: string): Promise<{ code: number; output: string }> {
  const args = TSC_COMMAND.replace(/^npx tsc /, '').replace('script.js', file).split(' ');
  return new Promise((resolve) => {
    execFile(process.execPath, [TSC, ...args], { cwd: dir }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, output: `${stdout}${stderr}` });
    });
  });
}

const GOOD = `/// <reference path="epic-events.d.ts" />
// @ts-check
const page = await clients.list({ search: 'casey', sort: '-updatedAt', mine: true, columns: ['id', 'fullName'] });
for (const c of page) print(c.fullName, c.salesContactName);
const f = await clients.followUp(page[0].id, 'next tuesday 10:00', 'call about the budget');
print(f.dueAt.toISOString(), f.clientName);
const due = await followUps({ due: true });
await followUps.done(due[0].id);
await contracts.pay(1, '100.50');
await events.assign(4, null);
const n = await events.count({ mine: true, from: new Date() });
print(n + 1, (await users.get('a@epic.events')).department, (await reports.revenue({ by: 'month' })));
for await (const e of await events.list({ unassigned: true })) print(e.startAt.getTime());
await exportList(page, 'out.csv');
config.set('pageSize', 50);
const byMonth = await reports.revenue({ by: 'month', from: '2026-01-01' });
print(byMonth[0].month, byMonth[0].collected.padStart(12));
for await (const r of await reports.revenue({ by: 'client', limit: 5 })) print(r.client, r.salesContactId ?? 'none', r.due);
const by = /** @type {'month' | 'client'} */ ('client');
print((await reports.revenue({ by }))[0].signed, (await reports.unpaid())[0].due, (await reports.pipeline())[0].value);
const undone = await undo(42);
print(undone.action === 'undone' ? undone.fields.join(', ') : undone.recordId, (await trash({ object: 'client' }))[0].what);
print((await trash.empty({ olderThan: '30d' })).purged, (await clients.restore(1)).fullName, (await contracts.delete(2)).deleted);
print((await users.update(3, { department: 'sales' }, { unassign: true })).moved?.to?.fullName, (await users.get(3)).fullName);
print((await users.delete(3, { unassign: true })).reassignedTo, (await clients.undoImport(1)).restored.length, (await users.unlock('a@b.c')).wasLocked);
print(whoami().department, (await find('casey')).clients[0].fullName, (await activity({ since: 'today' }))[0].action);
`;

const BAD = `/// <reference path="epic-events.d.ts" />
// @ts-check
await clients.lsit();
await clients.list({ serch: 'casey' });
await contracts.list({ sort: 'nope' });
await clients.followUp(1, 'tomorrow');
const c = await clients.get(1);
print(c.fulName);
print((await reports.pipeline())[0].vaule);
print((await reports.revenue({ by: 'month' }))[0].client);
await undo(42, 43);
`;

describe('epic-events types', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-types-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('knows the type of every validator the method descriptions use', () => {
    expect(untypedChecks()).to.deep.equal([]);
  });

  it('writes FILE relative to where it runs', async () => {
    fs.mkdirSync(path.join(dir, 'types'));
    expect(await main(['types', 'types/epic.d.ts'], io({ INIT_CWD: dir }).io)).to.equal(0);
    expect(fs.readFileSync(path.join(dir, 'types', 'epic.d.ts'), 'utf8')).to.include('declare const followUps:');
  });

  it('a good script passes tsc; a misspelt method, unknown key, bad sort key, missing argument or field are errors on their lines', async () => {
    const t = io({ INIT_CWD: dir });
    expect(await main(['types'], t.io)).to.equal(0);
    expect(t.out()).to.include(path.join(dir, 'epic-events.d.ts')).and.include('/// <reference path="epic-events.d.ts" />');
    const text = fs.readFileSync(path.join(dir, 'epic-events.d.ts'), 'utf8');
    for (const object of OBJECTS) {
      expect(text).to.include(`declare const ${object}:`);
      for (const [m, d] of Object.entries(DESCRIPTIONS[object])) {
        expect(text, `${object}.${m}`).to.match(new RegExp(`\\n  ${m}\\(`));
        expect(text).to.include(`@example ${d.example}`);
      }
    }
    fs.writeFileSync(path.join(dir, 'good.js'), GOOD);
    fs.writeFileSync(path.join(dir, 'bad.js'), BAD);
    const good = await checkScript(dir, 'good.js');
    expect(good.output).to.equal('');
    expect(good.code).to.equal(0);
    const bad = await checkScript(dir, 'bad.js');
    expect(bad.code).to.not.equal(0);
    const lines = bad.output.split('\n').filter((l) => l.startsWith('bad.js('));
    expect(lines.map((l) => Number(/^bad\.js\((\d+),/.exec(l)?.[1]))).to.deep.equal([3, 4, 5, 6, 8, 9, 10, 11]);
    expect(bad.output).to.include("Property 'lsit' does not exist").and.include("'serch' does not exist").and.include('"nope"').and.include("'fulName' does not exist");
    // A report's fields: a misspelt one, and one of another `by` than the call's.
    expect(bad.output).to.include("'vaule' does not exist on type 'PipelineLine'").and.include("'client' does not exist on type 'RevenueByMonth'");
  });

  it("a result's fields come from the descriptions: a field added to a record there is declared, and tsc checks its type", async () => {
    // The descriptions with one more field in the record clients' methods return, as a change to CLIENT in lib/crm/clients.ts would make.
    const grown = (r: RecordDescription): RecordDescription => (r.name === 'Client' ? { name: r.name, fields: { ...r.fields, loyaltyPoints: ['number', 'Points the client earned.'] } } : r);
    const withField = (d: MethodDescription): MethodDescription => (d.returns.kind === 'one' || d.returns.kind === 'page' || d.returns.kind === 'array' ? { ...d, returns: { ...d.returns, record: grown(d.returns.record) } } : d);
    const objects = Object.fromEntries(OBJECTS.map((o) => [o, Object.fromEntries(Object.entries(DESCRIPTIONS[o]).map(([m, d]) => [m, withField(d)]))])) as { [O in (typeof OBJECTS)[number]]: ObjectDescription };
    const described: Described = { objects, functions: FUNCTIONS };
    const interfaceOf = (text: string, name: string) => new RegExp(`\\ninterface ${name} \\{\\n[^}]*\\n\\}`).exec(text)?.[0] ?? '';
    expect(interfaceOf(shellDeclarations('x'), 'Client')).to.not.include('loyaltyPoints');
    const text = shellDeclarations('x', described);
    expect(interfaceOf(text, 'Client')).to.include('  /** Points the client earned. */\n  loyaltyPoints: number;');
    // Every field of the record, as the description gives it (no list of its own in the declarations).
    for (const [field, f] of Object.entries(grown((DESCRIPTIONS.clients.get.returns as { record: RecordDescription }).record).fields)) {
      expect(interfaceOf(text, 'Client')).to.include(`  ${field}: ${typeof f === 'string' ? f : f[0]};`);
    }
    fs.writeFileSync(path.join(dir, 'epic-events.d.ts'), text);
    fs.writeFileSync(path.join(dir, 'points.js'), `/// <reference path="epic-events.d.ts" />
// @ts-check
const c = await clients.get(1);
print(c.loyaltyPoints.toFixed(0), (await clients.list())[0].loyaltyPoints + 1);
print(c.loyaltyPoints.toUpperCase());
`);
    const checked = await checkScript(dir, 'points.js');
    expect(checked.output.split('\n').filter((l) => l.startsWith('points.js('))).to.have.length(1).and.match(/^points\.js\(5,/);
    expect(checked.output).to.include("'toUpperCase' does not exist on type 'number'");
  });

  it('- writes to standard output; a name not ending in .d.ts or a second argument is refused, nothing written', async () => {
    const t = io({ INIT_CWD: dir });
    expect(await main(['types', '-'], t.io)).to.equal(0);
    expect(t.out()).to.match(/^\/\/\/ <reference lib="es2022" \/>/);
    const wrong = io({ INIT_CWD: dir });
    expect(await main(['types', 'notes.txt'], wrong.io)).to.equal(2);
    expect(wrong.err()).to.match(/\.d\.ts/);
    expect(await main(['types', 'a.d.ts', 'b.d.ts'], io({ INIT_CWD: dir }).io)).to.equal(2);
    expect(fs.readdirSync(dir)).to.deep.equal([]);
  });
});
