/**
 * The state directory: ours (refused when another user owns it or others may
 * write to it; its files are created 0600 and checked when read; every
 * configuration problem exits 2 with one line), and its cross-process locks
 * (lib/platform/state.ts): symbolic links read as links, never through the
 * private-file check.
 */
import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ConfigError } from '../../lib/domain/errors.js';
import { holdsFileLock, inspectLock, processTag, withFileLock, withFileLockSync } from '../../lib/platform/locks.js';
import { assertUsableStateDir, createPrivateFileOnce, readPrivateFile, writePrivateFile } from '../../lib/platform/state.js';
import { FIXTURE_PASSWORD } from '../support/fixtures.js';
import { cliTestbed, runCli } from '../support/cli.js';

const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'support', 'state-worker.js');
const run = promisify(execFile);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('the state directory', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-state-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is refused when group or others may write to it, with the chmod that fixes it', () => {
    fs.chmodSync(dir, 0o777);
    const text = refusal(() => assertUsableStateDir(dir));
    expect(text).to.include(`chmod 700 ${dir}`).and.not.include('\n');
    fs.chmodSync(dir, 0o770);
    expect(refusal(() => assertUsableStateDir(dir))).to.include('mode 0770');
    fs.chmodSync(dir, 0o700);
    assertUsableStateDir(dir);
  });

  it('is refused when another user owns it, with the chown that fixes it', function () {
    if (!isRoot) this.skip(); // only root can give a directory away
    fs.chownSync(dir, 65534, 65534);
    const text = refusal(() => assertUsableStateDir(dir));
    expect(text).to.match(/belongs to another user \(uid 65534\)/).and.include(`chown -R 0 ${dir}`);
  });

  it('writes files 0600 and refuses to read one open to others, not ours, or a symbolic link', () => {
    const file = path.join(dir, 'tokens.json');
    writePrivateFile(file, '{}');
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    expect(readPrivateFile(file)).to.equal('{}');
    expect(readPrivateFile(path.join(dir, 'absent'))).to.equal(undefined);

    fs.chmodSync(file, 0o644);
    expect(refusal(() => readPrivateFile(file))).to.include(`chmod 600 ${file}`);
    fs.chmodSync(file, 0o600);

    const link = path.join(dir, 'jwt-secret');
    fs.symlinkSync(file, link);
    expect(refusal(() => readPrivateFile(link))).to.match(/symbolic link/);

    if (isRoot) {
      fs.chownSync(file, 65534, 65534);
      expect(refusal(() => readPrivateFile(file))).to.match(/belongs to another user/);
    }
  });
});

describe('e2e: configuration and state problems exit 2 with one line', function () {
  this.timeout(60_000);
  const bed = cliTestbed('epic-e2e-state-');

  it('a state directory writable by others: exit 2, the chmod to run, nothing else', async () => {
    fs.chmodSync(bed.home, 0o777);
    const r = await runCli(['--eval', '1'], bed.env);
    expect(r.code).to.equal(2);
    expect(r.stderr.trimEnd().split('\n')).to.have.length(1);
    expect(r.stderr).to.include(`chmod 700 ${bed.home}`);
  });

  it('a DATABASE_URL with a bad percent-escape: exit 2 naming it, without echoing it', async () => {
    const r = await runCli(['--eval', '1'], { ...bed.env, DATABASE_URL: 'postgres://admin:pa%zzss@127.0.0.1:1/db' });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/^ConfigError: DATABASE_URL has a bad percent-escape in its password/).and.not.include('pa%zzss');
    expect(r.stderr.trimEnd().split('\n')).to.have.length(1);
  });

  it('a bad SENTRY_DSN: exit 2 naming it, without echoing it', async () => {
    const r = await runCli(['--eval', '1'], { ...bed.env, SENTRY_DSN: 'https://leaky-key@' });
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/^ConfigError: SENTRY_DSN is not a valid Sentry DSN/).and.not.include('leaky-key');
  });

  it('every file the shell leaves in the state directory is 0600', async () => {
    const login = await runCli(['--email', bed.world.alice.email, '--password-stdin'], bed.env, `${FIXTURE_PASSWORD}\n`);
    expect(login.code, login.stderr).to.equal(0);
    const r = await runCli(['--eval', 'whoami()'], bed.env);
    expect(r.code, r.stderr).to.equal(0);
    const files = fs.readdirSync(bed.home, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(files.length).to.be.greaterThan(0);
    for (const f of files) {
      const full = path.join(f.parentPath ?? (f as unknown as { path: string }).path, f.name);
      expect(fs.statSync(full).mode & 0o777, full).to.equal(0o600);
    }
  });
});

describe('state directory: cross-process locks', function () {
  this.timeout(60_000);
  let dir: string;
  let lock: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-lock-'));
    lock = path.join(dir, 'the.lock');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const timeoutError = (holder: { pid?: number }, lockPath: string) => new Error(`locked by ${holder.pid}; remove ${lockPath}`);

  it('is created with its owner inside (a symbolic link to the process tag) and removed when released', async () => {
    await withFileLock(lock, async () => {
      expect(fs.readlinkSync(lock)).to.equal(processTag());
      expect(inspectLock(lock)?.pid).to.equal(process.pid);
      expect(holdsFileLock(lock)).to.equal(true);
    }, { onTimeout: timeoutError });
    expect(fs.existsSync(lock)).to.equal(false);
    expect(holdsFileLock(lock)).to.equal(false);
  });

  it('serialises holders of one process too', async () => {
    const order: string[] = [];
    const hold = (name: string) => withFileLock(lock, async () => {
      order.push(`${name} in`);
      await new Promise((r) => setImmediate(r));
      order.push(`${name} out`);
    }, { onTimeout: timeoutError });
    await Promise.all([hold('a'), hold('b'), hold('c')]);
    expect(order).to.deep.equal(['a in', 'a out', 'b in', 'b out', 'c in', 'c out']);
  });

  it('breaks the lock of a dead process at once', async () => {
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid as number;
    const tag = processTag(pid);
    await new Promise((r) => child.once('exit', r));
    fs.symlinkSync(tag, lock);
    const ran = await withFileLock(lock, async () => true, { timeoutMs: 1000, onTimeout: timeoutError });
    expect(ran).to.equal(true);
  });

  it('breaks a lock of a live pid whose start time differs (the pid was reused)', () => {
    fs.symlinkSync(`${process.pid}:1`, lock);
    expect(withFileLockSync(lock, () => 'ran', { timeoutMs: 1000, onTimeout: timeoutError })).to.equal('ran');
  });

  it('breaks an ownerless lock (an older version\'s directory with an empty pid file) only once it is a few seconds old', () => {
    fs.mkdirSync(lock);
    fs.writeFileSync(path.join(lock, 'pid'), '');
    expect(() => withFileLockSync(lock, () => 'ran', { timeoutMs: 300, staleMs: 60_000, onTimeout: timeoutError })).to.throw(/remove .*the\.lock/);
    const old = new Date(Date.now() - 10_000);
    fs.utimesSync(lock, old, old);
    expect(withFileLockSync(lock, () => 'ran', { timeoutMs: 1000, onTimeout: timeoutError })).to.equal('ran');
    expect(fs.existsSync(lock)).to.equal(false);
  });

  it('waits for a live holder, then times out naming the path to remove', async () => {
    const sleeper = spawn('sleep', ['30']);
    try {
      fs.symlinkSync(processTag(sleeper.pid as number), lock);
      let error: Error | undefined;
      await withFileLock(lock, async () => undefined, { timeoutMs: 300, onTimeout: timeoutError }).catch((e: Error) => (error = e));
      expect(error?.message).to.equal(`locked by ${sleeper.pid}; remove ${lock}`);
      expect(fs.readlinkSync(lock), 'a live holder\'s lock is left alone').to.equal(processTag(sleeper.pid as number));
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('loses no update when 8 processes change one file 50 times each under the lock', async () => {
    const counter = path.join(dir, 'counter');
    await Promise.all(Array.from({ length: 8 }, () => run(process.execPath, [worker, 'count', lock, counter, '50'])));
    expect(fs.readFileSync(counter, 'utf8')).to.equal('400');
    expect(fs.existsSync(lock)).to.equal(false);
  });

  it('creates a file once and whole when several try at the same time', () => {
    const file = path.join(dir, 'secret');
    const results = ['a', 'b', 'c'].map((text) => createPrivateFileOnce(file, text));
    expect(results).to.deep.equal([true, false, false]);
    expect(fs.readFileSync(file, 'utf8')).to.equal('a');
    expect(fs.statSync(file).mode & 0o777).to.equal(0o600);
    expect(fs.readdirSync(dir)).to.deep.equal(['secret']);
    expect(readPrivateFile(file), 'linked into place, it passes the private-file check').to.equal('a');
  });

  it('a lock is a link read as one, never through the private-file check; the file it guards is', () => {
    const store = path.join(dir, 'tokens.json');
    writePrivateFile(store, '{}');
    withFileLockSync(`${store}.lock`, () => {
      expect(fs.lstatSync(`${store}.lock`).isSymbolicLink()).to.equal(true);
      expect(inspectLock(`${store}.lock`)?.pid).to.equal(process.pid);
      expect(readPrivateFile(store)).to.equal('{}');
    }, { onTimeout: timeoutError });
    expect(fs.existsSync(`${store}.lock`)).to.equal(false);
  });

  it('breaks an older version\'s regular lock file (0600, a dead pid inside)', () => {
    const child = spawn(process.execPath, ['-e', '']);
    return new Promise((r) => child.once('exit', r)).then(() => {
      fs.writeFileSync(lock, String(child.pid), { mode: 0o600 });
      expect(withFileLockSync(lock, () => 'ran', { timeoutMs: 1000, onTimeout: timeoutError })).to.equal('ran');
      expect(fs.existsSync(lock)).to.equal(false);
    });
  });
});
