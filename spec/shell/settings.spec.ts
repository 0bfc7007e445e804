/** Settings that stay: config.get/set/reset, checked, kept 0600 in the state directory; rc.js at interactive start. */
import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startShell } from '../../lib/shell/index.js';
import { Settings } from '../../lib/shell/settings.js';
import { FakeTerminal, fakeLogin } from '../support/fake-api.js';

describe('shell settings (config)', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-settings-'));
    fs.chmodSync(dir, 0o700);
    file = path.join(dir, 'settings.json');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const open = (extra: Record<string, unknown> = {}) => {
    const term = new FakeTerminal();
    const login = fakeLogin('sales');
    const done = startShell(login, term.io({ settingsFile: file, ...extra }));
    return { term, login, done };
  };

  it('config.set applies from the next result, is saved 0600 and read back by the next shell', async () => {
    const { term, login, done } = open();
    await term.run("config.set('pageSize', 5)");
    expect(term.out).to.include('pageSize is now 5 (saved)');
    await term.run('clients.list()');
    expect(term.out).to.include('Client 5').and.not.include('Client 6');
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).to.deep.equal({ pageSize: 5 });
    term.input.end();
    await done;
    expect(login.fake.calls).to.deep.equal(['clients.list']);

    const again = open();
    await again.term.run("config.get('pageSize')");
    expect(again.term.out).to.match(/^5\n/);
    again.term.input.end();
    await again.done;
  });

  it('refuses a bad value with a ValidationError naming the setting and what it takes, and keeps the file as it was', async () => {
    const { term, done } = open();
    // A list's own choice holds for its next pages (it).
    await term.run("contracts.list({columns: ['amountDue'], limit: 2})");
    expect(term.out.split('\n')[0]).to.match(/^\s*DUE$/);
    await term.run('it');
    expect(term.out.split('\n').slice(0, 3)).to.deep.equal(['   DUE', '500.00', '500.00']);
    await term.run("contracts.list({columns: ['totl']})");
    expect(term.err.trim()).to.match(/^ValidationError: columns names no column "totl" of contracts/);
    await term.run("config.set('expanded', 'on')");
    const saved = fs.readFileSync(file, 'utf8');
    const refused: Array<[string, RegExp]> = [
      ["config.set('pageSize', 0)", /^ValidationError: pageSize must be a whole number from 1 to 500 \(got 0\)$/],
      ["config.set('expanded', 'maybe')", /^ValidationError: expanded must be 'auto', 'on' or 'off' \(got "maybe"\)$/],
      ["config.set('columns.contracts', ['id', 'totl'])", /^ValidationError: columns\.contracts names no column "totl" of contracts \(its columns: id, clientId, /],
      ["config.set('dateFormat', 'tomorrow')", /^ValidationError: dateFormat must be 'local', 'iso' or a pattern/],
      ["config.set('colour', 'on')", /^ValidationError: setting must be one of pageSize, .*color.*columns\.clients.* \(got "colour"\)$/],
      ["config.set('pager')", /^ValidationError: pager needs a value/],
    ];
    for (const [line, message] of refused) {
      await term.run(line);
      expect(term.err.trim(), line).to.match(message);
    }
    expect(fs.readFileSync(file, 'utf8')).to.equal(saved);
    term.input.end();
    await done;
  });

  it('columns, expanded mode, date format and colour shape the output; reset goes back', async () => {
    const { term, done } = open();
    await term.run("config.set('columns.contracts', ['id', 'total amount'])");
    await term.run('contracts.list()');
    expect(term.out.split('\n')[0]).to.match(/^ID\s+TOTAL$/);
    await term.run("contracts.list({columns: 'all'})");
    expect(term.out.split('\n')[0]).to.match(/^ID\s+CLIENT ID\s+TOTAL\s+DUE\s+SIGNED\s+CREATED AT$/);
    // A list's own choice holds for its next pages (it).
    await term.run("contracts.list({columns: ['amountDue'], limit: 2})");
    expect(term.out.split('\n')[0]).to.match(/^\s*DUE$/);
    await term.run('it');
    expect(term.out.split('\n').slice(0, 3)).to.deep.equal(['   DUE', '500.00', '500.00']);
    await term.run("contracts.list({columns: ['totl']})");
    expect(term.err.trim()).to.match(/^ValidationError: columns names no column "totl" of contracts/);
    await term.run("config.set('expanded', 'on')");
    await term.run('contracts.list({limit: 2})');
    expect(term.out).to.match(/^-\[ 1 \]-*\n\s*id: 1\ntotal amount: 1500\.50\n-\[ 2 \]/);
    await term.run("config.set('dateFormat', 'DD/MM/YYYY HH:mm')");
    await term.run('events.get(1)');
    expect(term.out).to.include('start at: 04/06/2026 13:00');
    await term.run("config.set('color', 'on')");
    await term.run('clients.get(1)');
    expect(term.out).to.include('\x1b[1m');
    await term.run('config.reset()');
    expect(term.out).to.include('Every setting is back to its default.');
    await term.run('contracts.list({limit: 1})');
    expect(term.out).to.match(/^ID\s+CLIENT ID\s+TOTAL\s+DUE\s+SIGNED\s+CREATED AT\n/).and.not.include('\x1b');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).to.deep.equal({});
    term.input.end();
    await done;
  });

  it('a saved file that cannot be trusted or read is one line, and the defaults are used', () => {
    fs.writeFileSync(file, '{"pageSize": 7}', { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    const warnings: string[] = [];
    expect(new Settings(file, (l) => warnings.push(l)).pageSize).to.equal(20);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/open to others; fix it with: chmod 600/);
    fs.chmodSync(file, 0o600);
    fs.writeFileSync(file, '{"pageSize": 9999, "expanded": "on"}');
    warnings.length = 0;
    const settings = new Settings(file, (l) => warnings.push(l));
    expect(settings.pageSize).to.equal(20);
    expect(settings.get('expanded')).to.equal('on');
    expect(warnings).to.deep.equal([`setting pageSize in ${file} ignored: pageSize must be a whole number from 1 to 500 (got 9999)`]);
  });

  it('the pager setting: $PAGER, else less -FRSX; off or cat means none', () => {
    const settings = new Settings(undefined);
    expect(settings.pager({})).to.equal('less -FRSX');
    expect(settings.pager({ PAGER: 'more' })).to.equal('more');
    expect(settings.pager({ PAGER: 'cat' })).to.equal(undefined);
    settings.set('pager', 'off');
    expect(settings.pager({ PAGER: 'more' })).to.equal(undefined);
  });

  describe('rc.js', () => {
    it('runs at interactive start, before the first prompt', async () => {
      const rc = path.join(dir, 'rc.js');
      fs.writeFileSync(rc, "print('rc ran')\nvar greeting = 'hello'\n", { mode: 0o600 });
      const { term, done } = open({ rcFile: rc });
      await term.waitFor(/rc ran\n[\s\S]*> $/);
      expect(term.out.indexOf('rc ran')).to.be.below(term.out.indexOf('> '));
      await term.run('greeting');
      expect(term.out).to.include("'hello'");
      term.input.end();
      expect(await done).to.equal(0);
    });

    it('an error in it is one line naming the file, and the shell opens all the same', async () => {
      const rc = path.join(dir, 'rc.js');
      fs.writeFileSync(rc, "print('first')\nthrow new Error('bad rc')\nprint('never')\n", { mode: 0o600 });
      const { term, done } = open({ rcFile: rc });
      await term.waitFor(/> $/, () => term.out);
      expect(term.err.trim().split('\n')).to.have.length(1);
      expect(term.err).to.include(`${rc}:2: Error: bad rc`).and.include('--norc');
      expect(term.out).to.include('first').and.not.include('never');
      await term.run('whoami().email');
      expect(term.out).to.include('alice@epic.events');
      term.input.end();
      expect(await done).to.equal(0);
    });

    it('one open to others is not run: one line, and the shell opens', async () => {
      const rc = path.join(dir, 'rc.js');
      fs.writeFileSync(rc, "print('rc ran')\n");
      fs.chmodSync(rc, 0o666);
      const { term, done } = open({ rcFile: rc });
      await term.waitFor(/> $/, () => term.out);
      expect(term.out).not.to.include('rc ran');
      expect(term.err).to.match(/rc\.js not run: .*open to others/);
      term.input.end();
      expect(await done).to.equal(0);
    });
  });
});
