import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ValidationError } from '../../lib/domain/errors.js';
import { openShell, startShell } from '../../lib/shell/index.js';
import { ctx, fingerprint, resetData } from '../support/server.js';
import { addUser } from '../support/fixtures.js';
import { liveLogin } from '../support/live-login.js';
import { FakeTerminal, fakeLogin } from '../support/fake-api.js';
import { withShell } from '../support/with-shell.js';

describe('shell (the REPL)', () => {
  it('shows who is logged in and the department in the prompt', async () => {
    expect(await withShell('sales', async (term) => {
      await term.waitFor(/epic\(sales:alice@epic\.events\)> $/);
    })).to.equal(0);
  });

  it('awaits a list and prints a table with readable headings and two-decimal amounts', async () => {
    await withShell('sales', async (term) => {
      await term.run('contracts.list()');
      expect(term.out).to.match(/TOTAL/);
      expect(term.out).to.match(/1500\.50/);
      expect(term.out).to.not.include('Promise');
      expect(term.out).to.include('Type "it" for more');
    });
  });

  it('"it" shows the next page of the last list until the end', async () => {
    const login = fakeLogin('sales');
    await withShell(login, async (term) => {
      await term.run('clients.list({limit: 20})');
      expect(term.out).to.include('Client 20').and.not.include('Client 21');
      await term.run('it');
      expect(term.out).to.include('Client 21').and.include('Client 40').and.not.include('Client 41');
      await term.run('it');
      expect(term.out).to.include('Client 45').and.not.include('Type "it" for more');
      // The last page's footer counts every row listed, not just its own 5.
      expect(term.out).to.include('(45 rows)').and.not.include('(5 rows)');
      await term.run('it');
      expect(term.out).to.include('(no more rows)');
      expect(login.fake.calls.filter((c) => c === 'clients.list:next')).to.have.length(2);
    });
  });

  it('a list is an array in code (length, map) while "it" still pages it', async () => {
    const login = fakeLogin('sales');
    await withShell(login, async (term) => {
      await term.run('const p = await clients.list({limit: 5}); [p.length, p.map((c) => c.id).join("+"), Array.isArray(p)]');
      expect(term.out).to.include("[ 5, '1+2+3+4+5', true ]");
      await term.run('clients.list({limit: 5})');
      await term.run('it');
      expect(term.out).to.include('Client 10').and.not.include('Client 11');
    });
  });

  it('prints one record vertically, field: value', async () => {
    await withShell('sales', async (term) => {
      await term.run('clients.get(3)');
      expect(term.out).to.match(/full name: Client 3\n/);
      expect(term.out).to.match(/email: client3@example\.com/);
    });
  });

  it('prints JSON documents with --json', async () => {
    await withShell('sales', async (term) => {
      await term.run('clients.get(3)');
      expect(JSON.parse(term.out.split('\n')[0])).to.include({ id: 3, fullName: 'Client 3' });
    }, { json: true });
  });

  it('prints a refused call as one line PermissionDenied without a stack, reaching no implementation', async () => {
    const login = fakeLogin('support');
    await withShell(login, async (term) => {
      await term.run("clients.create({fullName: 'X', email: 'x@example.com'})");
      expect(term.err).to.equal('PermissionDenied: support may not call clients.create (sales only)\n');
      expect(term.err).to.not.match(/\bat /);
      expect(login.fake.calls).to.deep.equal([]);
    });
  });

  it('changes nothing in the database for a refused call in a real session', async () => {
    await resetData();
    const kate = await addUser('Kate Support', 'kate@epic.events', 'support');
    const before = await fingerprint();
    await withShell(liveLogin(ctx().config, ctx().db, kate), async (term) => {
      await term.run("clients.create({fullName: 'X', email: 'x@example.com'})");
      expect(term.err).to.equal('PermissionDenied: support may not call clients.create (sales only)\n');
      expect(await fingerprint()).to.deep.equal(before);
    });
  });

  it('lists every bad field of a ValidationError on its one line', async () => {
    const login = fakeLogin('sales');
    login.fake.override('clients.create', async () => {
      throw new ValidationError([{ field: 'email', problem: 'is not an email' }, { field: 'phon', problem: 'is not a field' }]);
    });
    await withShell(login, async (term) => {
      await term.run("clients.create({fullName: 'Kevin', email: 'kevin@startup.io'})"); // valid: the implementation's own refusal is shown
      expect(term.err).to.equal('ValidationError: email is not an email; phon is not a field\n');
    });
  });

  it('reports an unexpected error to the monitor and prints a short reference', async () => {
    const login = fakeLogin('sales');
    login.fake.override('clients.get', async () => {
      throw new TypeError('cannot read properties of undefined');
    });
    await withShell(login, async (term) => {
      await term.run('clients.get(1)');
      expect(term.err).to.equal('Error: an unexpected error occurred and was reported (reference ref-1): TypeError\n');
      expect(login.exceptions).to.have.length(1);
    });
  });

  it("prints a mistake in the user's own code as one line and does not report it", async () => {
    const login = fakeLogin('sales');
    await withShell(login, async (term) => {
      await term.run('clint.list()');
      expect(term.err).to.equal('ReferenceError: clint is not defined: did you mean clients?\n');
      expect(login.exceptions).to.deep.equal([]);
    });
  });

  it('survives a rejected promise nobody awaited', async () => {
    const login = fakeLogin('support');
    expect(await withShell(login, async (term) => {
      await term.run('var p = clients.create({}); 1');
      await term.waitFor(/PermissionDenied/);
      await term.run('whoami().email');
      expect(term.out).to.include('kate@epic.events');
    })).to.equal(0);
  });

  it('a throw in a timer, an unhandled rejection and a failing toJSON each print one line and the prompt', async () => {
    expect(await withShell('sales', async (term) => {
      term.out = '';
      term.err = '';
      term.send("setTimeout(() => { throw new Error('late') }, 1); 1");
      await term.waitFor(/Error: late\n/, () => term.err);
      expect(term.err).to.equal('Error: late\n');
      await term.waitFor(/> $/, () => term.out);

      await term.run("void Promise.reject(new TypeError('nobody awaited')); 2");
      await term.waitFor(/nobody awaited/, () => term.err);
      expect(term.err).to.equal('TypeError: nobody awaited\n');

      await term.run("({toJSON() { throw new RangeError('no JSON for you') }})");
      expect(term.err).to.equal('RangeError: no JSON for you\n');
      await term.run('40 + 2');
      expect(term.out).to.include('42');
    }, { json: true })).to.equal(0);
  });

  it('runs the gate before each evaluation but never for completion', async () => {
    const login = fakeLogin('sales');
    const term = new FakeTerminal();
    const shell = openShell(login, term.io());
    await term.run('1 + 1');
    await term.run('2 + 2');
    expect(login.verifyCalls).to.equal(2);
    await shell.complete('clients.');
    await shell.complete('Math.');
    await shell.complete('cli');
    await shell.complete('clients.list({');
    expect(login.verifyCalls).to.equal(2);
    expect(login.fake.calls).to.deep.equal([]);
    term.input.end();
    await shell.done;
  });

  it('exits with code 3 and the reason when the session was revoked', async () => {
    const login = fakeLogin('sales');
    login.verdicts.push({ ok: true }, { ok: false, reason: 'revoked', message: 'your department was changed by management; log in again' });
    const term = new FakeTerminal();
    const done = startShell(login, term.io());
    await term.run('1');
    term.send('clients.list()');
    expect(await done).to.equal(3);
    expect(term.err).to.include('AuthError: your department was changed by management; log in again');
    expect(login.fake.calls).to.deep.equal([]);
  });

  it('asks the password when the session expired, then runs the evaluation', async () => {
    const login = fakeLogin('sales');
    login.verdicts.push({ ok: false, reason: 'expired', message: 'the session expired' });
    expect(await withShell(login, async (term) => {
      term.send('clients.get(2)');
      await term.waitFor(/Password \(session expired\): $/, () => term.out);
      term.out = ''; // the next question, not this one
      term.send('wrong one');
      await term.waitFor(/Password \(session expired\): $/, () => term.out);
      term.send(login.reloginPassword);
      await term.waitFor(/full name: Client 2/);
      expect(login.reloginCalls).to.equal(1);
      expect(login.fake.calls).to.deep.equal(['clients.get']);
    })).to.equal(0);
  });

  it('on a terminal, echoes no password and keeps it from the Up arrow, which recalls the command before', async () => {
    const login = fakeLogin('sales');
    login.verdicts.push({ ok: true }, { ok: false, reason: 'expired', message: 'the session expired' });
    const term = new FakeTerminal();
    const done = startShell(login, term.io({ terminal: true }));
    const shown = () => term.out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''); // what a person reads
    term.input.write('whoami().email\r');
    await term.waitFor(/alice@epic\.events'[\s\S]*> $/, shown);
    term.input.write('clients.get(2)\r');
    await term.waitFor(/Password \(session expired\): $/, shown);
    term.out = '';
    term.input.write(`${login.reloginPassword}\r`);
    await term.waitFor(/full name: Client 2[\s\S]*> $/, shown);
    term.input.write('\x1b[A');
    await term.waitFor(/> clients\.get\(2\)$/, shown);
    term.input.write('\x1b[A');
    await term.waitFor(/> whoami\(\)\.email$/, shown);
    expect(term.out).not.to.include(login.reloginPassword);
    term.input.write('\x15');
    term.input.end();
    expect(await done).to.equal(0);
  });

  it('exits with code 3 after three wrong passwords', async () => {
    const login = fakeLogin('sales');
    login.verdicts.push({ ok: false, reason: 'expired', message: 'the session expired' });
    const term = new FakeTerminal();
    const done = startShell(login, term.io());
    term.send('clients.get(2)');
    for (let i = 0; i < 3; i++) {
      await term.waitFor(/Password \(session expired\): $/, () => term.out);
      term.out = '';
      term.send('wrong');
    }
    expect(await done).to.equal(3);
    expect(login.fake.calls).to.deep.equal([]);
  });

  it('keeps clients and the other names from being reassigned or wiped by .clear', async () => {
    await withShell('sales', async (term) => {
      await term.run('clients = 1');
      expect(term.err).to.match(/^TypeError: clients belongs to the shell and cannot be reassigned/);
      await term.run('.clear');
      await term.run('typeof clients.list');
      expect(term.out).to.include("'function'");
    });
  });

  it('help() lists the objects; clients.help() only the methods the department may call', async () => {
    await withShell('support', async (term) => {
      await term.run('help()');
      expect(term.out).to.include('clients').and.include('events').and.not.match(/^\s+users/m);
      await term.run('clients.help()');
      expect(term.out).to.include('clients.list(').and.include('clients.get(').and.not.include('clients.create');
      await term.run('events.update.help()');
      expect(term.out).to.include('events.update(id, {name?').and.include('e.g. events.update(1');
    });
  });

  it('completes the methods the department may call and the filter keys of list({', async () => {
    const term = new FakeTerminal();
    const sales = openShell(fakeLogin('sales'), term.io());
    expect((await sales.complete('clients.'))[0]).to.deep.equal(['list', 'count', 'get', 'create', 'update', 'history', 'import', 'followUp', 'undoImport', 'delete', 'restore', 'help']);
    expect((await sales.complete('contracts.s'))[0]).to.deep.equal(['sign']);
    expect((await sales.complete('clients.list({s'))[0]).to.deep.equal(['search', 'salesContactId', 'sort']);
    expect(await sales.complete("clients.list({mine: true, sort: '-")).to.deep.equal([['-fullName', '-createdAt', '-updatedAt', '-id'], '-']);
    expect(await sales.complete('events.list({sort: "st')).to.deep.equal([['startAt'], 'st']);
    expect((await sales.complete('clients.list({search: "a", m'))[0]).to.deep.equal(['mine']);
    expect((await sales.complete('us'))[0]).to.not.include('users');
    expect((await sales.complete('cl'))[0]).to.include('clients').and.include('clear');
    expect((await sales.complete('clients.list({co'))[0]).to.deep.equal(['columns']);
    expect((await sales.complete('config.'))[0]).to.deep.equal(['get', 'set', 'reset']);
    term.input.end();
    await sales.done;
    const term2 = new FakeTerminal();
    const support = openShell(fakeLogin('support'), term2.io());
    expect((await support.complete('clients.'))[0]).to.deep.equal(['list', 'count', 'get', 'history', 'help']);
    expect((await support.complete('events.'))[0]).to.deep.equal(['list', 'count', 'upcoming', 'get', 'update', 'history', 'delete', 'restore', 'help']);
    term2.input.end();
    await support.done;
  });

  it('cancels the running query on Ctrl+C and returns to the prompt', async () => {
    const login = fakeLogin('sales');
    login.fake.override('clients.list', () => new Promise(() => undefined));
    const term = new FakeTerminal();
    const shell = openShell(login, term.io());
    term.send('clients.list()');
    await new Promise((r) => setImmediate(r));
    while (!login.fake.calls.includes('clients.list')) await new Promise((r) => setImmediate(r));
    shell.server.emit('SIGINT');
    await term.waitFor(/Interrupted: cancelled/);
    expect(login.interruptCalls).to.equal(1);
    await term.run('1 + 1');
    expect(term.out).to.include('2');
    term.input.end();
    await shell.done;
  });

  it('logout() forgets the session and ends the shell with 0', async () => {
    const login = fakeLogin('sales');
    const term = new FakeTerminal();
    const done = startShell(login, term.io());
    term.send('logout()');
    expect(await done).to.equal(0);
    expect(login.loggedOut).to.equal(true);
  });

  it('.load runs a file in order and stops at the first failure with file and line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-shell-'));
    const file = path.join(dir, 'batch.js');
    fs.writeFileSync(file, "clients.get(1)\nclients.create({fullName: 'A'})\nclients.get(2)\n");
    const login = fakeLogin('support');
    const term = new FakeTerminal();
    const done = startShell(login, term.io());
    await term.run(`.load ${file}`);
    expect(term.err).to.include(`${file}:2: PermissionDenied`);
    expect(login.fake.calls).to.deep.equal(['clients.get']);
    await term.run(`load(${JSON.stringify(file)})`);
    expect(term.err).to.match(/^BatchStopped: .*batch\.js:2: PermissionDenied.*1 statements before it ran/);
    term.input.end();
    await done;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('.load ends with how many statements ran, and resolves relative paths against the start folder and the loading file (#17)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-shell-'));
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'sub', 'outer.js'), "clients.get(1)\nload('inner.js')\n");
    fs.writeFileSync(path.join(dir, 'sub', 'inner.js'), 'clients.get(2)\nclients.get(3)\n');
    const login = fakeLogin('support');
    const term = new FakeTerminal();
    const done = startShell(login, { ...term.io(), startDir: dir });
    await term.run('.load sub/outer.js');
    expect(term.err).to.equal('');
    expect(term.out).to.include('2 statements ran\n');
    expect(login.fake.calls).to.deep.equal(['clients.get', 'clients.get', 'clients.get']);
    term.input.end();
    await done;
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
