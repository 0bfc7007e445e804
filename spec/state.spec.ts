/** Cross-process locks of the state directory (lib/state.ts). */
import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createPrivateFileOnce, holdsFileLock, inspectLock, processTag, withFileLock, withFileLockSync } from '../lib/state.js';

const worker = path.join(path.dirname(fileURLToPath(import.meta.url)), 'support', 'state-worker.js');
const run = promisify(execFile);

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
  });
});
