import { expect } from 'chai';
import { runBatch } from '../../lib/shell/index.js';
import { splitStatements } from '../../lib/shell/statements.js';
import { FakeTerminal, fakeLogin } from '../support/fake-api.js';

describe('shell batches (scripts, --eval, piped stdin)', () => {
  it('cuts a script into statements with their first line, multi-line calls included', () => {
    const statements = splitStatements("#!/usr/bin/env epic-events\n// note\nclients.get(1)\n\nclients.create({\n  fullName: 'A',\n})\nawait clients.get(2)\n");
    expect(statements.map((s) => s.line)).to.deep.equal([3, 5, 8]);
  });

  it('stops a 1,000-line batch at the failing line 600 with 599 calls done before it, exit code 1', async () => {
    const login = fakeLogin('sales');
    let created = 0;
    login.fake.override('clients.create', async () => {
      created++;
      if (created === 600) throw new Error('boom');
      return { id: created };
    });
    const lines = Array.from({ length: 1000 }, (_, i) => `clients.create({fullName: 'Client ${i + 1}', email: 'c${i + 1}@example.com'})`);
    const term = new FakeTerminal();
    const code = await runBatch(login, { code: lines.join('\n'), filename: 'batch.js' }, term.io());
    expect(code).to.equal(1);
    expect(login.fake.calls.filter((c) => c === 'clients.create')).to.have.length(600);
    expect(created).to.equal(600);
    expect(term.err).to.match(/^batch\.js:600: Error: an unexpected error occurred and was reported \(reference ref-1\)/);
    expect(term.out).to.equal('');
  });

  it('runs statements one after the other, never concurrently', async () => {
    const login = fakeLogin('sales');
    let running = 0;
    let overlapped = false;
    login.fake.override('clients.get', async () => {
      running++;
      if (running > 1) overlapped = true;
      await new Promise((r) => setImmediate(r));
      running--;
      return { id: 1 };
    });
    const term = new FakeTerminal();
    const code = await runBatch(login, { code: 'clients.get(1)\nclients.get(2)\nclients.get(3)\n', filename: '<stdin>', print: 'each' }, term.io());
    expect(code).to.equal(0);
    expect(overlapped).to.equal(false);
    expect(term.out.match(/id: 1/g)).to.have.length(3);
  });

  it('keeps declarations and top-level await across statements', async () => {
    const term = new FakeTerminal();
    const code = await runBatch(fakeLogin('sales'), { code: "const c = await clients.create({fullName: 'K', email: 'k@example.com'})\nprint(c.fullName)\n", filename: 's.js' }, term.io());
    expect(code).to.equal(0);
    expect(term.out).to.equal('K\n');
  });

  it('carries declarations between plain statements and those that need the REPL (await), both ways', async () => {
    const term = new FakeTerminal();
    const code = await runBatch(fakeLogin('sales'), { code: "const a = 1\nlet b = await Promise.resolve(a + 1)\nconst c = { x: b + 1 }\nprint(a, b, c.x)\nconsole.log('via console', c.x)\n", filename: 'mixed.js' }, term.io());
    expect(code).to.equal(0);
    expect(term.out).to.equal('1 2 3\nvia console 3\n');
  });

  it('--eval prints the last result as JSON with --json', async () => {
    const term = new FakeTerminal();
    const code = await runBatch(fakeLogin('sales'), { code: 'clients.list({limit: 2})', filename: '--eval', print: 'last' }, term.io({ json: true }));
    expect(code).to.equal(0);
    expect(JSON.parse(term.out)).to.have.length(2);
  });

  it('exits 3 without prompting when the session expired in a script', async () => {
    const login = fakeLogin('sales');
    login.verdicts.push({ ok: true }, { ok: false, reason: 'expired', message: 'the session expired' });
    const term = new FakeTerminal();
    const code = await runBatch(login, { code: 'clients.get(1)\nclients.get(2)\n', filename: 's.js' }, term.io());
    expect(code).to.equal(3);
    expect(login.reloginCalls).to.equal(0);
    expect(term.err).to.include('AuthError: the session expired');
    expect(login.fake.calls).to.deep.equal(['clients.get']);
  });

  it('exits 3 with the reason when the session is revoked mid-script', async () => {
    const login = fakeLogin('sales');
    login.verdicts.push({ ok: false, reason: 'revoked', message: 'your password was changed by management' });
    const term = new FakeTerminal();
    expect(await runBatch(login, { code: 'clients.get(1)\n', filename: 's.js' }, term.io())).to.equal(3);
    expect(term.err).to.equal('s.js:1: AuthError: your password was changed by management (stopped there; 0 statements before it ran)\n');
  });

  it('reports a syntax error with its file and line', async () => {
    const term = new FakeTerminal();
    const code = await runBatch(fakeLogin('sales'), { code: 'clients.get(1)\nclients.get(\n', filename: 's.js' }, term.io());
    expect(code).to.equal(1);
    expect(term.err).to.match(/^s\.js:2: SyntaxError/);
  });
});
