/** Names behave: bare objects and commands, mistyped methods, promises inside a result. */
import { expect } from 'chai';
import { runBatch, startShell } from '../../lib/shell/index.js';
import { closest } from '../../lib/shell/names.js';
import { FakeTerminal, fakeLogin } from '../support/fake-api.js';
import type { Department } from '../../lib/domain/departments.js';
import { permittedMethods } from '../../lib/crm/permissions.js';

async function session(department: Department, lines: string[]): Promise<{ out: string; err: string; code: number }> {
  const term = new FakeTerminal();
  const done = startShell(fakeLogin(department), term.io());
  let out = '';
  let err = '';
  for (const line of lines) {
    await term.run(line);
    out += term.out;
    err += term.err;
  }
  term.input.end();
  return { out, err, code: await done };
}

describe('shell names', () => {
  it('a bare object prints the methods the department may call, one a line, never the source of its wrapper', async () => {
    const { out, err } = await session('support', ['clients', 'users']);
    expect(err).to.equal('');
    const lines = out.split('\n').filter((l) => l.startsWith('clients.'));
    expect(lines.map((l) => l.split('(')[0])).to.deep.equal([...permittedMethods('support', 'clients').map((m) => `clients.${m}`), 'clients.help']);
    expect(out).to.match(/^clients\.list\(\{[^\n]*\}\)\s+clients, a page at a time/m);
    expect(out).not.to.match(/clients\.create|=>|async|function/);
    expect(out).to.include('users: nothing you may call in support');
  });

  it('help and whoami do the same with or without parentheses', async () => {
    const { out, err } = await session('sales', ['help', 'whoami', 'whoami()']);
    expect(err).to.equal('');
    expect(out).to.include('Objects (you are in sales)');
    expect(out).not.to.include('[Function');
    expect(out.match(/email: alice@epic\.events/g)).to.have.length(2);
  });

  for (const command of ['exit', 'quit', 'exit()', 'quit()']) {
    it(`${command} leaves the shell with exit code 0`, async () => {
      const term = new FakeTerminal();
      const done = startShell(fakeLogin('sales'), term.io());
      term.send(command);
      expect(await done).to.equal(0);
      expect(term.err).to.equal('');
    });
  }

  it('exit in a script stops it there with exit code 0; exit(2) with 2', async () => {
    for (const [code, expected] of [['print(1)\nexit\nprint(2)\n', 0], ['print(1)\nexit(2)\nprint(2)\n', 2]] as const) {
      const term = new FakeTerminal();
      expect(await runBatch(fakeLogin('sales'), { code, filename: 's.js' }, term.io())).to.equal(expected);
      expect(term.out).to.equal('1\n');
    }
  });

  it('clear and cls write nothing when the output is not a terminal', async () => {
    const { out, err } = await session('sales', ['clear', 'cls()']);
    expect(err).to.equal('');
    expect(out).not.to.include('\x1b');
  });

  it('a mistyped method names the closest one the department may call', async () => {
    const { err } = await session('sales', ['clients.lsit()', 'contracts.upadte(1, {})', 'users.lst()', 'clients.frobnicate()']);
    const lines = err.trim().split('\n');
    expect(lines[0]).to.equal('TypeError: clients.lsit is not a method: did you mean clients.list()?');
    expect(lines[1]).to.equal('TypeError: contracts.upadte is not a method: did you mean contracts.update()?');
    // users.list is management's: not offered to sales.
    expect(lines[2]).to.equal('TypeError: users.lst is not a method (sales may call nothing on users; users.help())');
    expect(lines[3]).to.match(/^TypeError: clients\.frobnicate is not a method \(clients has list, count, get, create, update[^)]*; clients\.help\(\)\)$/);
    expect(err).not.to.include('is not a function');
  });

  it('reading a name an object lacks is undefined, as anywhere in JavaScript: only a call to it is a mistake', async () => {
    const { out, err } = await session('sales', ['[typeof clients.lsit, typeof clients.then]', 'Promise.resolve(clients).then(() => 1)']);
    expect(err).to.equal('');
    expect(out).to.include("[ 'undefined', 'undefined' ]").and.include('1');
  });

  it('awaits promises inside arrays and objects for display', async () => {
    const { out, err } = await session('sales', ['[clients.get(1), clients.get(2)]', '({first: clients.get(3), n: 1})']);
    expect(err).to.equal('');
    expect(out).not.to.include('Promise');
    expect(out).to.match(/^1\s+Client 1/m).and.match(/^2\s+Client 2/m);
    // A record in an object prints as one record, its fields named by the path (the result of users.update with moved prints alike).
    expect(out).to.match(/first full name: Client 3$/m);
  });

  it('finds the closest name within a slip of a letter or two', () => {
    expect(closest('lsit', ['list', 'get'])).to.equal('list');
    expect(closest('LIST', ['list'])).to.equal('list');
    expect(closest('gte', ['list', 'get'])).to.equal('get');
    expect(closest('zzzz', ['list', 'get'])).to.equal(undefined);
  });
});
