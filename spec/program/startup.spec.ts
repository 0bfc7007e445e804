/**
 * A script's start does only what the call needs (issue 33): `--eval` with a
 * stored token loads neither the interactive shell's modules (the REPL,
 * completion, history, notices, the start-up file) nor Node.js's REPL and
 * its domain module, nor the embedded server's modules on an external
 * server, and opens one connection to the database, its session's own role's,
 * on which the session is still checked before the evaluation, and does
 * not set up standard input, which it does not read: an ended
 * session runs nothing. A statement that needs the REPL (top-level await)
 * still gets it. The spawned CLI is traced by spec/support/load-trace.ts (no
 * timing is asserted); what it loads is the bundle (lib/program/bundle.ts),
 * whose files are read as the modules they hold. On Node.js 20, pg loads
 * without undici (lib/db/pg-load.ts), and leaves no `navigator` behind.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { packageRoot } from '../../lib/platform/paths.js';
import { CLI, cliTestbed, NO_LINGERING, runCli, track, type CliResult } from '../support/cli.js';
import { FIXTURE_PASSWORD } from '../support/fixtures.js';
import { asOwner } from '../support/owner.js';
import { fingerprint } from '../support/server.js';
import { testQueries } from '../support/test-queries.js';

const t = testQueries(['endSessionsOf'] as const);
const BUNDLE = path.join(packageRoot, 'dist', 'bundle');
/** The source modules (dist/lib/…) a file of the bundle holds, from the build's dist/bundle/meta.json. */
function bundled(file: string): string[] {
  const meta = JSON.parse(fs.readFileSync(path.join(BUNDLE, 'meta.json'), 'utf8')) as Record<string, string[]>;
  const modules = meta[path.relative(BUNDLE, path.join(packageRoot, file))];
  if (!modules) throw new Error(`${file} is not in dist/bundle/meta.json`);
  return modules;
}
const PRELOAD = pathToFileURL(path.join(packageRoot, 'dist', 'spec', 'support', 'load-trace.js')).href;

interface Trace {
  connections: number;
  builtins: string[];
  stdinMade: boolean;
  /** Paths under the package (dist/lib/…) of the ES modules loaded, a file of the bundle read as the modules it holds. */
  modules: string[];
  /** The files themselves (dist/bundle/…). */
  files: string[];
}

/** Modules only the interactive shell needs. */
const INTERACTIVE = ['repl', 'completion', 'name-completion', 'history', 'notices', 'digest', 'pager-command', 'startup-file', 'repl-lines']
  .map((m) => `dist/lib/shell/${m}.js`);

describe('program: what a script loads and opens at start', function () {
  this.timeout(60_000);
  const bed = cliTestbed('epic-startup-');

  const traced = async (args: string[], input = ''): Promise<CliResult & { trace: Trace }> => {
    const file = path.join(bed.home, 'trace.json');
    const child = track(spawn(process.execPath, ['--import', PRELOAD, CLI, ...args], {
      env: { ...NO_LINGERING, ...bed.env, EPIC_LOAD_TRACE: file }, cwd: packageRoot, stdio: ['pipe', 'pipe', 'pipe'],
    }));
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.stdin?.end(input);
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('close', (c, s) => resolve([c, s])));
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Trace;
    const root = `${pathToFileURL(packageRoot).href}/`;
    const files = raw.modules.filter((u) => u.startsWith(root)).map((u) => u.slice(root.length));
    // A file of the bundle stands for the modules it holds (lib/program/bundle.ts).
    const trace = { ...raw, files, modules: files.flatMap((f) => (f.startsWith('dist/bundle/') ? bundled(f) : [f])) };
    return { code, signal, stdout, stderr, trace };
  };

  const logIn = async () => {
    const r = await runCli(['--email', bed.world.alice.email, '--password-stdin'], bed.env, `${FIXTURE_PASSWORD}\n`);
    expect(r.code, r.stderr).to.equal(0);
  };

  it('--eval with a stored token: the batch runner only, no REPL, no embedded server, one connection', async () => {
    await logIn();
    const r = await traced(['--eval', 'whoami().email']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include(bed.world.alice.email);
    // The trace sees what ran: the batch runner and the API behind it.
    expect(r.trace.modules).to.include.members(['dist/lib/shell/batch.js', 'dist/lib/shell/runtime.js', 'dist/lib/crm/api.js']);
    expect(r.trace.modules.filter((m) => INTERACTIVE.includes(m))).to.deep.equal([]);
    expect(r.trace.modules.filter((m) => m.startsWith('dist/lib/db/embedded/'))).to.deep.equal([]);
    expect(r.trace.modules.filter((m) => /dist\/lib\/program\/(provision|provisioned|demo)\.js$/.test(m))).to.deep.equal([]);
    expect(r.trace.builtins).to.not.include.members(['repl']);
    expect(r.trace.builtins).to.not.include.members(['domain']);
    // pg's look for a Cloudflare Worker does not load fetch's implementation (lib/db/pg-load.ts). Where
    // Node.js has a navigator (21+), pg never looked that way, and reading the globals that a script's
    // context copies (FormData…) loads undici anyway: the claim is Node.js 20's.
    if (typeof (globalThis as { navigator?: unknown }).navigator === 'undefined') {
      expect(r.trace.builtins.filter((b) => b.includes('undici'))).to.deep.equal([]);
    }
    // The program ran from the bundle, several modules a file.
    expect(r.trace.files.some((f) => f.startsWith('dist/bundle/'))).to.equal(true);
    expect(r.trace.files.filter((f) => f.startsWith('dist/lib/'))).to.deep.equal(['dist/lib/platform/compile-cache.js']);
    // The stored token is checked on the session's own role, whose connection the call then uses.
    expect(r.trace.connections).to.equal(1);
    // Standard input is never read by --eval CODE: not even set up.
    expect(r.trace.stdinMade).to.equal(false);
  });

  it('pg loads without fetch\'s implementation, and no `navigator` is left behind where Node.js has none (20)', async () => {
    const loader = pathToFileURL(path.join(packageRoot, 'dist', 'lib', 'db', 'pg-load.js')).href;
    const code = `const before = typeof navigator; const { pg } = await import(${JSON.stringify(loader)});
      console.log(JSON.stringify({ before, after: typeof navigator, client: typeof pg.Client, undici: process.moduleLoadList.filter((m) => m.includes('undici')) }));`;
    const child = track(spawn(process.execPath, ['--input-type=module', '-e', code], { cwd: packageRoot, stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
    await new Promise((resolve) => child.once('close', resolve));
    const seen = JSON.parse(out) as { before: string; after: string; client: string; undici: string[] };
    expect(seen.client).to.equal('function');
    expect(seen.after).to.equal(seen.before);
    expect(seen.undici).to.deep.equal([]);
  });

  it('--eval - and piped input still read standard input', async () => {
    await logIn();
    for (const args of [['--eval', '-'], []]) {
      const r = await traced(args, 'whoami().email\n');
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.include(bed.world.alice.email);
      expect(r.trace.stdinMade).to.equal(true);
    }
  });

  it('a statement that needs the REPL (top-level await) still gets it', async () => {
    await logIn();
    const r = await traced(['--eval', 'const n = await Promise.resolve(41); n + 1']);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout.trim()).to.equal('42');
    expect(r.trace.builtins).to.include('repl');
    expect(r.trace.modules.filter((m) => INTERACTIVE.includes(m))).to.deep.equal([]);
  });

  it('the session is still checked by the database before the evaluation: an ended one runs nothing, exit code 3', async () => {
    await logIn();
    await asOwner((c) => c.exec(t.endSessionsOf, [bed.world.alice.id]));
    const before = await fingerprint();
    const r = await traced(['--eval', "clients.create({fullName: 'Never made', email: 'never@client.test'})"]);
    expect(r.code).to.equal(3);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.match(/session/i);
    expect(await fingerprint()).to.deep.equal(before);
  });
});
