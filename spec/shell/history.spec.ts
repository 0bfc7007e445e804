import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HistoryFile, isSensitive } from '../../lib/shell/history.js';
import { startShell } from '../../lib/shell/index.js';
import { FakeTerminal, fakeSession } from '../support/fake-api.js';

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
    const done = startShell(fakeSession('management'), term.io({ historyFile: file }));
    await term.run('clients.list()');
    await term.run("users.update(3, {password: 'correct horse battery staple'})");
    await term.run('users.create({', /\.\.\. $/);
    await term.run("  fullName: 'K', email: 'k@e.io', department: 'support', password: 'hunter2hunter2'})", /> $/);
    await term.run('whoami()');
    term.input.end();
    await done;
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    const text = fs.readFileSync(file, 'utf8');
    expect(text).to.equal('clients.list()\nwhoami()\n');
  });

  it('keeps only the newest entries', () => {
    const history = new HistoryFile(path.join(dir, 'h'), 3);
    for (const n of [1, 2, 3, 4, 5]) history.add(`clients.get(${n})`);
    history.save();
    expect(new HistoryFile(path.join(dir, 'h'), 3).load()).to.deep.equal(['clients.get(3)', 'clients.get(4)', 'clients.get(5)']);
  });
});
