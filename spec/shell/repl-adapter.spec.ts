/**
 * The one module that touches node:repl internals checks them when the REPL
 * starts: a Node.js where one no longer behaves as expected gets a fallback
 * or a clear UnsupportedNode naming the version, never a TypeError in the
 * middle of a session. Each check is exercised here by taking the internal
 * away the way a Node.js release could (Node 24 made `historySize` a getter).
 */
import { expect } from 'chai';
import { PassThrough } from 'node:stream';
import { UnsupportedNode, checkNodeVersion, preflightRepl, startRepl, type AdaptedRepl } from '../../lib/shell/repl-adapter.js';

describe('REPL adapter (lib/shell/repl-adapter.ts)', () => {
  let adapted: AdaptedRepl | undefined;
  const start = (): AdaptedRepl => {
    adapted = startRepl({ input: new PassThrough(), output: new PassThrough(), prompt: '', terminal: true, useColors: false, preview: false, breakEvalOnSigint: true });
    return adapted;
  };
  afterEach(() => {
    adapted?.server.close();
    adapted = undefined;
  });

  it('passes every check on this Node.js, with no fallback in use', () => {
    expect(preflightRepl()).to.deep.equal([]);
    const repl = start();
    expect(repl.seedHistory(['clients.list()', 'whoami()'])).to.equal(true);
    expect(repl.notes).to.deep.equal([]);
  });

  it('refuses a Node.js older than 20.19 by name, and accepts the tested majors', () => {
    expect(() => checkNodeVersion('20.18.3')).to.throw(UnsupportedNode, /Node\.js v20\.18\.3 is not supported[^\n]*20\.19/);
    expect(() => checkNodeVersion('18.20.0')).to.throw(UnsupportedNode);
    for (const ok of ['20.19.0', '22.12.0', '24.22.3', '26.12.1']) expect(() => checkNodeVersion(ok)).not.to.throw();
  });

  it('says which Node.js is unsupported when the eval can no longer be replaced (no gate without it)', () => {
    const repl = start();
    const nodeEval = repl.nodeEval;
    Object.defineProperty(repl.server, 'eval', { get: () => nodeEval, configurable: true });
    expect(() => repl.setEval((_c, _x, _f, cb) => cb(null, 1))).to.throw(UnsupportedNode, new RegExp(`Node\\.js ${process.version.replace(/\./g, '\\.')} is not supported by the shell: the REPL's eval cannot be replaced`));
    adapted = undefined; // closed by the failed check
  });

  it('falls back, with one note, when earlier lines cannot be put under the Up arrow (a getter without setter)', () => {
    const repl = start();
    Object.defineProperty(repl.server, 'history', { get: () => [], configurable: true });
    expect(repl.seedHistory(['clients.list()'])).to.equal(false);
    expect(repl.notes).to.have.length(1);
    expect(repl.notes[0]).to.match(/Up arrow offers this session's lines only/);
  });

  it("sends Node's completion probes to Node's eval without calls, and never to the shell's eval", async () => {
    const repl = start();
    const seen: string[] = [];
    repl.setEval((code, _x, _f, cb) => {
      seen.push(code);
      cb(null, undefined);
    });
    const tab = repl.setCompleter(async (line, node) => new Promise((resolve) => node?.(line, (err, result) => resolve(err || !result ? [[], line] : result))));
    expect((await tab('Math.'))[0]).to.include('Math.abs');
    await tab('JSON.');
    expect(seen).to.deep.equal([]);
  });

  it("routes an error thrown by user code in Node's eval to the handler, not to Node's printout", async () => {
    const repl = start();
    const caught: unknown[] = [];
    repl.onError((err) => caught.push(err));
    repl.nodeEval.call(repl.server, 'null.boom\n', repl.server.context, 'spec', () => undefined);
    await new Promise((r) => setImmediate(r));
    expect(caught).to.have.length(1);
    expect((caught[0] as Error).name).to.equal('TypeError');
  });
});
