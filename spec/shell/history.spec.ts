import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { HistoryFile, isSensitive } from '../../lib/shell/history.js';
import { startShell } from '../../lib/shell/index.js';
import { FakeTerminal, fakeLogin } from '../support/fake-api.js';
import { withShell } from '../support/with-shell.js';

describe('shell history', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-history-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('recognises lines that carry a password', () => {
    expect(isSensitive("users.create({fullName: 'K', email: 'k@e.io', department: 'support', password: 'x'})")).to.equal(true);
    expect(isSensitive("users.update(3, {password: 'new one'})")).to.equal(true);
    expect(isSensitive('clients.list()')).to.equal(false);
  });

  it('is written with mode 0600 and keeps no line with a password', async () => {
    const file = path.join(dir, 'history');
    const term = new FakeTerminal();
    const done = startShell(fakeLogin('management'), term.io({ historyFile: file }));
    await term.run('clients.list()');
    await term.run("users.update(3, {password: 'correct horse battery staple'})");
    // Node's continuation prompt: '... ' up to Node 22, '| ' from Node 24.
    await term.run('users.create({', /(\.\.\.|\|) $/);
    await term.run("  fullName: 'K', email: 'k@e.io', department: 'support', password: 'hunter2hunter2'})", /> $/);
    await term.run('whoami()');
    term.input.end();
    await done;
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).to.equal('clients.list()\nwhoami()\n');
  });

  it('keeps only the newest entries', () => {
    const file = path.join(dir, 'h');
    const history = new HistoryFile(file, 3);
    for (let n = 1; n <= 60; n++) history.add(`clients.get(${n})`);
    expect(new HistoryFile(file, 3).load()).to.deep.equal(['clients.get(58)', 'clients.get(59)', 'clients.get(60)']);
    expect(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).length).to.be.at.most(60);
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
  });

  const SECRET_LINES = [
    "const newPw = 'correct horse battery'",
    "users.update(3, {pwd: 'hunter2hunter2'})",
    "users.update(3, {passwd: 'hunter2hunter2'})",
    "users.create({fullName: 'K', email: 'k@e.io', department: 'support', password: 'x'})",
    "let secret = 'abc'",
    "config.set('apiKey', 'k-123') ; const apiKey = 'k-123'",
    "const api_key = `k-${1}23`",
    "const token = 'abc.def.ghi'",
    "x.password = 'a' + 'b'",
    "const o = {['password']: 'p'}",
    "const o = {'new password': 'p'}",
    "setPassword('swordfish')",
    "const DB_PASSWORD = 12345678",
    "verify('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc')",
    "users.update(3, {password: String('from a literal')})",
    "users.create({\n  fullName: 'K',\n  password: 'over two lines'\n})",
    "users.update(3, {password: passwordPrompt(), pin: 1}); const token2 = 'x'",
  ];
  const INNOCENT_LINES = [
    "clients.list({search: 'compass'})",
    "'secretariat'",
    "clients.create({fullName: 'Secret Garden Ltd', email: 'a@b.io'})",
    "events.update(1, {notes: 'password reset on the wifi at the venue'})",
    "users.create({fullName: 'K', email: 'k@e.io', department: 'sales', password: passwordPrompt()})",
    "users.update(3, {password: passwordPrompt('New password: ')})",
    "const passenger = 'Bob'",
    "const tokenizer = 'simple'",
    "const {password} = form",
    "if (x === 'token') print(1)",
    "passwd()",
    "users.update(3, {password: pw})",
    "// the password is 'nothing here' — a comment",
  ];
  for (const line of SECRET_LINES) {
    it(`keeps out ${JSON.stringify(line)}`, () => expect(isSensitive(line)).to.equal(true));
  }
  for (const line of INNOCENT_LINES) {
    it(`keeps ${JSON.stringify(line)}`, () => expect(isSensitive(line)).to.equal(false));
  }

  it('loses no line when several shells append at the same time', async () => {
    const file = path.join(dir, 'history');
    const module = new URL('../../lib/shell/history.js', import.meta.url).href;
    const writers = [1, 2, 3, 4].map((w) => new Promise<number | null>((resolve) => {
      const code = `const { HistoryFile } = await import(${JSON.stringify(module)}); const h = new HistoryFile(${JSON.stringify(file)}, { maxEntries: 1000, warn: (l) => { console.error(l); process.exit(9); } }); for (let i = 0; i < 150; i++) h.add('clients.get(' + (${w} * 1000 + i) + ')');`;
      const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'ignore', 'inherit'] });
      child.on('close', resolve);
    }));
    expect(await Promise.all(writers)).to.deep.equal([0, 0, 0, 0]);
    const lines = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);
    // 600 lines appended, trimmed now and then to the last 1,000: all still there, none torn.
    expect(lines).to.have.length(600);
    for (const w of [1, 2, 3, 4]) for (let i = 0; i < 150; i++) expect(lines).to.include(`clients.get(${w * 1000 + i})`);
    expect(fs.existsSync(`${file}.lock`)).to.equal(false);
  });

  it('a history file that cannot be used is a one-line warning, and the shell goes on without it', async () => {
    const file = path.join(dir, 'history');
    fs.mkdirSync(file);
    expect(await withShell('sales', async (term) => {
      await term.waitFor(/> $/, () => term.out);
      expect(term.err).to.match(new RegExp(`^history not kept: ${file}[^\n]*\n$`));
      await term.run('1 + 1');
      await term.run('2 + 2');
      expect(term.out).to.include('4');
      expect(term.err).to.equal('');
    }, { historyFile: file })).to.equal(0);
  });

  it('a history file open to others is not read: one warning with the chmod that fixes it', () => {
    const file = path.join(dir, 'history');
    fs.writeFileSync(file, 'clients.list()\n', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    const warnings: string[] = [];
    const history = new HistoryFile(file, { warn: (l) => warnings.push(l) });
    expect(history.load()).to.deep.equal([]);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.include(`chmod 600 ${file}`);
  });
});
