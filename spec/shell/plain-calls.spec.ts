/**
 * Which batch statements run unguarded (lib/shell/plain-calls.ts): only
 * literals, the shell's objects and their methods, and names plain
 * statements declared; and only while every statement before was plain.
 */
import { expect } from 'chai';
import { endsByItself, PlainRun } from '../../lib/shell/plain-calls.js';
import { declaredNames } from '../../lib/shell/names.js';

const SHELL = new Set(['clients', 'contracts', 'events', 'users', 'whoami', 'print', 'load', 'exportList']);
const known = (name: string) => SHELL.has(name);
/** A statement given to `run` as the engine gives it, with the names it declares. */
const next = (run: PlainRun, code: string) => run.unguarded(code, declaredNames(code));

describe('shell: plain statements (a batch runs them without the Ctrl+C watchdog)', () => {
  it('takes calls of the shell\'s methods on literals, declarations of their results, arithmetic and templates', () => {
    for (const code of [
      "clients.create({fullName: 'Ann', email: 'ann@x.test', phone: '+33 6 00000001', companyName: 'A, Ltd'});",
      "contracts.update(3, {amountDue: 100 - 20, note: `paid ${2 * 40}`})",
      'const page = clients.list({mine: true, limit: 5})',
      'let ids = [1, 2, 3]; events.list({mine: true})',
      'whoami().email',
      "print('done', [1, {a: null}], undefined, true)",
      '// a comment only',
      "clients.create({...{fullName: 'Spread'}, email: 'b@x.test'})",
    ]) expect(endsByItself(code, known), code).to.equal(true);
  });

  it('refuses whatever could run on: functions, methods, loops, classes, new, regular expressions, unknown names', () => {
    for (const code of [
      'while (true) {}',
      'for (const c of [1]) print(c)',
      'do {} while (false)',
      'const f = () => 1',
      'const f = function () {}',
      'const o = {run() { return 1 }}',
      'const o = {get x() { return 1 }}',
      'class A {}',
      'new Promise(() => 1)',
      '/(a+)+$/.test(\'aaaa\')',
      "'aaaa'.match(/(a+)+$/)",
      'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)',
      "require('child_process').execSync('sleep 5')",
      'console.log(1)',
      'process.exit(0)',
      'eval("1")',
      'x = 1',
      "load('other.js')".replace('load', 'unknownLoader'),
      'typeof clients',
      'clients.create ? 1 : 2',
      '!clients',
      "clients.list.constructor('while (true) {}')()",
      "clients['constructor']",
      "whoami()['constructor']",
      'clients.__proto__',
      'clients.list.prototype',
    ]) expect(endsByItself(code, known), code).to.equal(false);
  });

  it('runs unguarded only while every statement so far was plain; load() and the first other statement end it for good', () => {
    const run = new PlainRun(known);
    expect(next(run, "const me = whoami()")).to.equal(true);
    expect(next(run, 'print(me.email)')).to.equal(true); // a name a plain statement declared
    expect(next(run, 'print(other)')).to.equal(false); // unknown: not plain
    expect(next(run, "clients.create({fullName: 'A'})")).to.equal(false); // plain, but after one that was not

    const loading = new PlainRun(known);
    expect(next(loading, "load('more.js')")).to.equal(false);
    expect(next(loading, 'whoami()')).to.equal(false);
  });
});
