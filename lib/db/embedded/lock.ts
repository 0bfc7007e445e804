/**
 * Who uses the embedded server, and the lock they take turns under. Each
 * process using it holds a lease: a symbolic link named after its pid,
 * pointing at its process tag. Joining, leaving (normally, by a signal or
 * from an exit handler) and restarting a server that died all hold the same
 * lock (`postgres/lock`, see withFileLock in lib/platform/state.ts). Leases of dead
 * processes are pruned on the way, so a crash never keeps the server up for nobody.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseUnavailable } from '../../domain/errors.js';
import { inspectLock, processTag, tagAlive, withFileLock, withFileLockSync, type LockHolder, type LockOptions } from '../../platform/locks.js';

export class ServerLock {
  readonly lockFile: string;
  readonly leasesDir: string;

  constructor(baseDir: string, private readonly timeoutMs = 120_000) {
    this.lockFile = path.join(baseDir, 'lock');
    this.leasesDir = path.join(baseDir, 'leases');
  }

  /** Run `fn` holding the lock (joining, leaving, restarting). */
  hold<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(this.lockFile, fn, this.options());
  }

  /** The same, synchronously (exit handlers), waiting at most `timeoutMs`. */
  holdSync(fn: () => void, timeoutMs: number): void {
    withFileLockSync(this.lockFile, fn, { ...this.options(), timeoutMs });
  }

  /** Who holds the lock now (tests, diagnostics). */
  holder(): LockHolder | undefined {
    return inspectLock(this.lockFile);
  }

  private options(): LockOptions {
    return {
      timeoutMs: this.timeoutMs,
      onTimeout: (holder: LockHolder, lockPath: string) =>
        new DatabaseUnavailable(`the embedded database is locked by ${holder.pid ? `process ${holder.pid}` : 'no process that can be named'} (for ${Math.round(holder.ageMs / 1000)} s); if no epic-events process is running, remove ${lockPath}`),
    };
  }

  private leasePath(pid = process.pid): string {
    return path.join(this.leasesDir, String(pid));
  }

  /** This process's lease: a symbolic link to its tag (one system call; works on a full disk). */
  writeLease(): void {
    const lease = this.leasePath();
    fs.rmSync(lease, { force: true });
    fs.symlinkSync(processTag(), lease);
  }

  /** Give this process's lease back. */
  removeLease(): void {
    fs.rmSync(this.leasePath(), { force: true });
  }

  /** Leases whose process is alive; dead ones (or reused pids) are removed on the way. */
  liveLeases(): number[] {
    const live: number[] = [];
    for (const name of fs.readdirSync(this.leasesDir)) {
      const pid = Number(name);
      const file = path.join(this.leasesDir, name);
      let tag = name;
      try {
        tag = fs.readlinkSync(file);
      } catch {
        // an older version's lease: an empty file named after the pid
      }
      if (pid !== process.pid && !tagAlive(tag)) fs.rmSync(file, { force: true });
      else live.push(pid);
    }
    return live;
  }
}
