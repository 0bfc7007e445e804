/**
 * The embedded server that lingers (EMBEDDED_IDLE): when its last user leaves
 * it keeps running for a while, so that the next call finds it up, and a
 * watcher process stops it once that time has passed with nobody using it.
 *
 *   postgres/idle          until when it may stay up with nobody (ms since the epoch); written by each last leaver
 *   postgres/idle-watcher  the watcher: a symbolic link to its process tag (pid and start time)
 *
 * Everything here runs under the server's lock (lib/db/embedded/lock.ts), as
 * joining and leaving do: a shell joining while the watcher stops the server
 * waits for the lock, then starts it again.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { processTag, tagAlive } from '../../platform/locks.js';

const WATCHER = fileURLToPath(new URL('./idle-watch.js', import.meta.url));

export class IdleTimer {
  private readonly file: string;
  private readonly watcherLink: string;

  constructor(private readonly stateDir: string, baseDir: string) {
    this.file = path.join(baseDir, 'idle');
    this.watcherLink = path.join(baseDir, 'idle-watcher');
  }

  /** The last user left: keep the server up `seconds` more, with a watcher to stop it then. */
  linger(seconds: number): void {
    fs.writeFileSync(this.file, String(Date.now() + seconds * 1000), { mode: 0o600 });
    if (this.watcher() !== undefined) return;
    const child = spawn(process.execPath, [WATCHER, this.stateDir], { detached: true, stdio: 'ignore' });
    child.unref();
    if (child.pid === undefined) return; // could not start one: the next call's leaving tries again
    fs.rmSync(this.watcherLink, { force: true });
    fs.symlinkSync(processTag(child.pid), this.watcherLink);
  }

  /** Until when the server may stay up with nobody (undefined: it is not lingering). */
  until(): number | undefined {
    try {
      const n = Number(fs.readFileSync(this.file, 'utf8'));
      return Number.isFinite(n) ? n : undefined;
    } catch {
      return undefined;
    }
  }

  /** The live watcher's pid, if there is one. */
  watcher(): number | undefined {
    try {
      const tag = fs.readlinkSync(this.watcherLink);
      return tagAlive(tag) ? Number(tag.split(':')[0]) : undefined;
    } catch {
      return undefined;
    }
  }

  /** Is this process the watcher? */
  isWatcher(): boolean {
    return this.watcher() === process.pid;
  }

  /** Not lingering any more (stopped, or in use again); the watcher, unless it is us, is ended. */
  clear(): void {
    const watcher = this.watcher();
    if (watcher !== undefined && watcher !== process.pid) {
      try {
        process.kill(watcher, 'SIGTERM');
      } catch {
        // gone meanwhile
      }
    }
    fs.rmSync(this.file, { force: true });
    fs.rmSync(this.watcherLink, { force: true });
  }
}
