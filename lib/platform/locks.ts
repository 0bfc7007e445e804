/**
 * Cross-process locks and process identity: a lock is a symbolic link whose
 * target is its owner's tag (pid and start time), so a crashed owner is seen
 * and its lock taken over; the state directory's files (lib/platform/state.ts) and the
 * embedded server's leases (lib/db/embedded/lock.ts) are guarded by them.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * A process as the kernel knows it: its pid and, on Linux, its start time
 * (field 22 of /proc/PID/stat), so a pid reused by another process after a
 * crash is not taken for the one that wrote it.
 */
export function processTag(pid = process.pid): string {
  const started = processStart(pid);
  return started ? `${pid}:${started}` : String(pid);
}

function processStart(pid: number): string | undefined {
  if (os.platform() !== 'linux') return undefined;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Is the process a tag names still running, and the same process (not a reused pid)? */
export function tagAlive(tag: string): boolean {
  const [pidText, started] = tag.trim().split(':');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0 || !pidAlive(pid)) return false;
  if (!started) return true;
  const now = processStart(pid);
  return now === undefined || now === started;
}

export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Who holds a lock, as read from it (undefined: nobody). */
export interface LockHolder {
  /** The owner's tag (pid[:start]); empty when none could be read (an older version's lock, half written). */
  owner: string;
  pid?: number;
  ageMs: number;
}

export interface LockOptions {
  /** Give up after this long (default 120 s) with `onTimeout`'s error. */
  timeoutMs?: number;
  /** A lock with no readable owner is stale once this old (default 5 s). */
  staleMs?: number;
  /** The error thrown at the time-out: it should name the lock's path (what to remove). */
  onTimeout: (holder: LockHolder, lockPath: string) => Error;
}

/** Locks this process holds (path → its tag): re-entry from an exit handler, clean-up at exit. */
const held = new Map<string, string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // However this process ends (short of SIGKILL), it leaves no lock behind.
  process.on('exit', () => {
    for (const file of [...held.keys()]) releaseFileLock(file);
  });
}

/**
 * A lock file created atomically with its owner inside: a symbolic link whose
 * target is the owner's tag. symlink(2) is one system call that fails when
 * the name exists, and needs no data block, so it works on a full disk too
 * (where writing a pid into a file would fail and leave an empty lock).
 */
function tryCreate(lockPath: string): boolean {
  try {
    fs.symlinkSync(processTag(), lockPath);
    held.set(lockPath, processTag());
    installExitHook();
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** Read a lock: our symlink, or an older version's directory with a `pid` file inside. */
export function inspectLock(lockPath: string): LockHolder | undefined {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(lockPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  let owner = '';
  try {
    if (st.isSymbolicLink()) owner = fs.readlinkSync(lockPath);
    else if (st.isDirectory()) owner = fs.readFileSync(path.join(lockPath, 'pid'), 'utf8');
    else owner = fs.readFileSync(lockPath, 'utf8');
  } catch {
    // being removed, or an empty lock
  }
  owner = owner.trim();
  const pid = Number(owner.split(':')[0]);
  return { owner, pid: Number.isInteger(pid) && pid > 0 ? pid : undefined, ageMs: Date.now() - st.mtimeMs };
}

/** Stale: its owner is gone (dead, or its pid reused), or it names none and is older than `staleMs`. */
function isStale(holder: LockHolder, staleMs: number): boolean {
  if (holder.pid !== undefined) return !tagAlive(holder.owner);
  return holder.ageMs > staleMs;
}

/**
 * Remove a stale lock. Breakers take a lock of their own (`PATH.break`) and
 * look again under it, so two processes that both saw the same stale lock
 * cannot remove the fresh one the first of them created meanwhile.
 */
function breakStale(lockPath: string, staleMs: number): void {
  const breaker = `${lockPath}.break`;
  if (!tryCreate(breaker)) {
    // A breaker that died between two system calls: its own lock is stale.
    const other = inspectLock(breaker);
    if (other && isStale(other, staleMs)) fs.rmSync(breaker, { force: true });
    return;
  }
  try {
    const again = inspectLock(lockPath);
    if (again && isStale(again, staleMs)) fs.rmSync(lockPath, { recursive: true, force: true });
  } finally {
    releaseFileLock(breaker);
  }
}

/** Give a lock back: removed only while it is still ours. */
export function releaseFileLock(lockPath: string): void {
  const tag = held.get(lockPath);
  held.delete(lockPath);
  if (!tag) return;
  try {
    if (fs.readlinkSync(lockPath) === tag) fs.unlinkSync(lockPath);
  } catch {
    // already gone
  }
}

/** True when this process holds the lock now. */
export function holdsFileLock(lockPath: string): boolean {
  return held.has(lockPath);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pause = new Int32Array(new SharedArrayBuffer(4));
const sleepSync = (ms: number) => void Atomics.wait(pause, 0, 0, ms);

/** One attempt: acquired, the holder to wait for, or try again at once (released, or a stale one broken). */
function attempt(lockPath: string, staleMs: number): 'acquired' | 'again' | LockHolder {
  if (tryCreate(lockPath)) return 'acquired';
  const holder = inspectLock(lockPath);
  if (!holder) return 'again';
  if (!isStale(holder, staleMs)) return holder;
  breakStale(lockPath, staleMs);
  return inspectLock(lockPath) ? holder : 'again';
}

/** In-process queue per lock path: one holder at a time inside this process too. */
const queues = new Map<string, Promise<unknown>>();

/** Run `fn` holding the lock at `lockPath` (across processes and within this one). */
export async function withFileLock<T>(lockPath: string, fn: () => Promise<T>, options: LockOptions): Promise<T> {
  const previous = queues.get(lockPath) ?? Promise.resolve();
  const mine = previous.catch(() => undefined).then(async () => {
    const timeoutMs = options.timeoutMs ?? 120_000;
    const staleMs = options.staleMs ?? 5000;
    const deadline = Date.now() + timeoutMs;
    let delay = 5;
    for (;;) {
      const holder = attempt(lockPath, staleMs);
      if (holder === 'acquired') break;
      if (holder === 'again') continue;
      if (Date.now() > deadline) throw options.onTimeout(holder, lockPath);
      await sleep(delay);
      delay = Math.min(delay * 2, 100);
    }
    try {
      return await fn();
    } finally {
      releaseFileLock(lockPath);
    }
  });
  queues.set(lockPath, mine);
  mine.catch(() => undefined).finally(() => {
    if (queues.get(lockPath) === mine) queues.delete(lockPath);
  });
  return mine;
}

/**
 * The same lock for code that cannot wait asynchronously (an exit handler,
 * the token store's synchronous writes). When this process already holds it
 * (an exit while an asynchronous holder runs), `fn` runs at once: nothing of
 * this process will run after it.
 */
export function withFileLockSync<T>(lockPath: string, fn: () => T, options: LockOptions): T {
  if (held.has(lockPath)) return fn();
  const timeoutMs = options.timeoutMs ?? 120_000;
  const staleMs = options.staleMs ?? 5000;
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  for (;;) {
    const holder = attempt(lockPath, staleMs);
    if (holder === 'acquired') break;
    if (holder === 'again') continue;
    if (Date.now() > deadline) throw options.onTimeout(holder, lockPath);
    sleepSync(delay);
    delay = Math.min(delay * 2, 50);
  }
  try {
    return fn();
  } finally {
    releaseFileLock(lockPath);
  }
}
