/**
 * The one module that touches node:repl internals checks them when the REPL
 * starts: a Node.js where one no longer behaves as expected gets a fallback
 * or a clear UnsupportedNode naming the version, never a TypeError in the
 * middle of a session. Each internal the adapter relies on has a test here
 * that it still does its job on this Node.js — Node's eval (`eval`, read and
 * replaced), its completer (`completer`, read and replaced; its probes go
 * through the eval slot), the errors user code throws (`_domain` up to Node
 * 24, the `handleError` option from 25.9), the Up-arrow memory (`history`)
 * and the dot-commands (`commands`) — and each check is exercised by taking
 * the internal away the way a Node.js release could (Node 24 made
 * `historySize` a getter).
 */
import { expect } from 'chai';
import repl, { type REPLServer, type ReplOptions } from 'node:repl';
import { PassThrough } from 'node:stream';
import { UnsupportedNode, checkNodeVersion, preflightRepl, startRepl, type AdaptedRepl } from '../../lib/shell/repl-adapter.js';
import { until } from '../support/until.js';

/** What this Node.js's UnsupportedNode says about `what`. */
const unsupported = (what: string) => new RegExp(`Node\\.js ${process.version.replace(/\./g, '\\.')} is not supported by the shell: ${what}`);

/** Run `body` while repl.start hands out servers changed by `change` (what a Node.js release could do). */
function withChangedRepl<T>(change: (server: REPLServer) => void, body: () => T): T {
  const start = repl.start;
  repl.start = ((options: ReplOptions) => {
    const server = start(options);
    change(server);
    return server;
  }) as typeof repl.start;
  try {
    return body();
  } finally {
    repl.start = start;
  }
}


describe('REPL adapter (lib/shell/repl-adapter.ts)', () => {
  let adapted: AdaptedRepl | undefined;
  let input: PassThrough;
  let shown: string;
  const start = (): AdaptedRepl => {
    input = new PassThrough();
    const output = new PassThrough();
    shown = '';
    output.on('data', (d: Buffer) => (shown += d.toString()));
    adapted = startRepl({ input, output, prompt: '> ', terminal: true, useColors: false, preview: false, breakEvalOnSigint: true });
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

  describe('each internal still does its job on this Node.js', () => {
    it("eval (read): Node's own eval runs top-level await and keeps declarations across calls, in the given context", async () => {
      const repl = start();
      const run = (code: string) => new Promise<unknown>((resolve, reject) => {
        repl.nodeEval.call(repl.server, code, repl.server.context, 'spec', (err, result) => (err ? reject(err) : resolve(result)));
      });
      await run('const answer = await Promise.resolve(41)\n');
      expect(await run('answer + 1\n')).to.equal(42);
      await run('var onContext = answer\n');
      expect(repl.server.context.onContext).to.equal(41);
    });

    it('eval (replaced): a line typed goes to the eval set, once', async () => {
      const repl = start();
      const seen: string[] = [];
      repl.setEval((code, _x, _f, cb) => {
        seen.push(code);
        cb(null, undefined);
      });
      input.write('clients.list()\r');
      await until(() => seen.length > 0, 'the typed line reaching the eval');
      expect(seen).to.deep.equal(['clients.list()\n']);
    });

    it('completer (read and replaced): Tab calls the completer set, with the line, and given Node\'s own', async () => {
      const repl = start();
      const asked: Array<[string, boolean]> = [];
      repl.setCompleter(async (line, node) => {
        asked.push([line, typeof node === 'function']);
        return [['clients'], line];
      });
      input.write('cli');
      input.write('\t');
      await until(() => asked.length > 0, 'Tab reaching the completer');
      expect(asked[0]).to.deep.equal(['cli', true]);
      await until(() => repl.server.line === 'clients', 'the completion in the line');
    });

    it('completer: where Node\'s own cannot be read, Tab still calls ours (without it) and one note says so', async () => {
      const repl = withChangedRepl((server) => Object.defineProperty(server, 'completer', { value: undefined, writable: true, configurable: true }), start);
      expect(repl.notes).to.have.length(1);
      expect(repl.notes[0]).to.match(/Tab completes the shell's names only/);
      let given: unknown = 'unset';
      repl.setCompleter(async (line, node) => {
        given = node;
        return [[], line];
      });
      input.write('x');
      input.write('\t');
      await until(() => given !== 'unset', 'Tab reaching the completer');
      expect(given).to.equal(undefined);
    });

    it('completer: one that can no longer be replaced is UnsupportedNode, naming this Node.js', () => {
      const repl = withChangedRepl((server) => {
        const node = (server as unknown as { completer: unknown }).completer;
        Object.defineProperty(server, 'completer', { get: () => node, configurable: true });
      }, start);
      expect(() => repl.setCompleter(async (line) => [[], line])).to.throw(UnsupportedNode, unsupported("the REPL's completer cannot be replaced"));
      adapted = undefined; // closed by the failed check
    });

    it('eval: one that cannot be read is UnsupportedNode at start', () => {
      expect(() => withChangedRepl((server) => Object.defineProperty(server, 'eval', { value: undefined, configurable: true }), start))
        .to.throw(UnsupportedNode, unsupported("the REPL's own eval cannot be reached"));
      adapted = undefined;
    });

    it('_domain / handleError: a throw in a timer that user code set, after its eval returned, reaches the handler', async () => {
      const repl = start();
      const caught: unknown[] = [];
      repl.onError((err) => caught.push(err));
      repl.nodeEval.call(repl.server, "setTimeout(() => { throw new RangeError('later') }, 1); 1\n", repl.server.context, 'spec', () => undefined);
      await until(() => caught.length > 0, 'the timer\'s error reaching the handler');
      expect((caught[0] as Error).message).to.equal('later');
    });

    it('_domain / handleError: where errors thrown in the eval can be neither captured nor returned, UnsupportedNode at start', () => {
      expect(() => withChangedRepl((server) => {
        // A Node.js whose eval swallows what user code throws: no domain, no callback.
        const internals = server as unknown as { _domain?: unknown };
        delete internals._domain;
        Object.defineProperty(server, 'eval', { value: () => undefined, writable: true, configurable: true });
      }, start)).to.throw(UnsupportedNode, unsupported("errors thrown in the REPL's eval can be neither captured nor returned"));
      adapted = undefined;
    });

    it('history: seeded entries are what the Up arrow recalls, newest first', async () => {
      const repl = start();
      expect(repl.seedHistory(['clients.list()', 'whoami()'])).to.equal(true);
      input.write('\x1b[A');
      await until(() => repl.server.line === 'whoami()', 'the newest entry under the Up arrow');
      input.write('\x1b[A');
      await until(() => repl.server.line === 'clients.list()', 'the one before it');
    });

    it('commands: a command taken away is gone (`.save` answers Invalid REPL keyword and writes nothing)', async () => {
      const repl = start();
      repl.setEval((_c, _x, _f, cb) => cb(null, undefined));
      repl.removeCommand('save');
      expect(Object.keys((repl.server as unknown as { commands: object }).commands)).not.to.include('save');
      input.write('.save /nonexistent/never-written.js\r');
      await until(() => /Invalid REPL keyword/.test(shown), 'the answer to .save');
    });

    it('commands: a command that cannot be taken away is UnsupportedNode', () => {
      const repl = withChangedRepl((server) => Object.freeze((server as unknown as { commands: object }).commands), start);
      expect(() => repl.removeCommand('save')).to.throw(UnsupportedNode, unsupported("the REPL's \\.save command cannot be taken away"));
      adapted = undefined;
    });
  });
});
