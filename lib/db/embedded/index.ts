/**
 * The zero-config database: a real PostgreSQL whose data lives under the
 * state directory, shared by every process of the user. Three parts:
 *
 *   lock.ts     the leases (who uses it) and the lock joining, leaving and restarting hold
 *   server.ts   the server itself: initdb, pg_ctl start and stop, its port, a stale postmaster.pid
 *   account.ts  the system user it runs as (`postgres` when we are root) and its way to the data
 *
 * Each process holds a lease while it uses the server; the last one to leave
 * stops it, or with `idleSeconds` (EMBEDDED_IDLE) leaves it running that long
 * for the next call (idle.ts: a watcher process stops it then). A crash never leaves the directory unusable: dead leases are
 * pruned and a stale postmaster.pid removed, under the lock.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseUnavailable } from '../../domain/errors.js';
import type { LockHolder } from '../../platform/locks.js';
import { baseDirMode } from './account.js';
import { IdleTimer } from './idle.js';
import { ServerLock } from './lock.js';
import { PostgresServer, type ServerState } from './server.js';

export { SUPERUSER, StartFailure, initdbReason, type ServerState } from './server.js';

export const EMBEDDED_DATABASE = 'epic_events';

export interface EmbeddedOptions {
  /** Skip fsync (tests and benchmarks only: a crash may lose the last writes). */
  durable?: boolean;
  log?: (line: string) => void;
  /** The server's max_connections (default 100). */
  maxConnections?: number;
  /** How long to wait for the lock before saying which file to remove (default 120 s). */
  lockTimeoutMs?: number;
  /** How long it keeps running once its last user left (EMBEDDED_IDLE; default 0: stops at once). */
  idleSeconds?: number;
}

export interface EmbeddedLease {
  host: string;
  port: number;
  state: ServerState;
  /** Give the server back; the last holder stops it. Idempotent. */
  release(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class EmbeddedServer {
  readonly baseDir: string;
  readonly dataDir: string;
  private readonly lock: ServerLock;
  private readonly server: PostgresServer;
  private readonly idle: IdleTimer;
  private readonly idleSeconds: number;

  constructor(stateDir: string, options: EmbeddedOptions = {}) {
    this.baseDir = path.join(stateDir, 'postgres');
    this.idle = new IdleTimer(stateDir, this.baseDir);
    this.idleSeconds = options.idleSeconds ?? 0;
    this.lock = new ServerLock(this.baseDir, options.lockTimeoutMs);
    this.server = new PostgresServer(this.baseDir, { durable: options.durable, maxConnections: options.maxConnections, log: options.log ?? (() => undefined) });
    this.dataDir = this.server.dataDir;
  }

  /** Start (or join) the server and hold a lease on it. */
  async acquire(): Promise<EmbeddedLease> {
    let state!: ServerState;
    try {
      fs.mkdirSync(this.lock.leasesDir, { recursive: true, mode: 0o700 });
      fs.chmodSync(this.baseDir, baseDirMode());
    } catch (err) {
      throw new DatabaseUnavailable(`cannot write the embedded database directory ${this.baseDir}: ${(err as Error).message}`);
    }
    await this.lock.hold(async () => {
      state = await this.server.ensureRunning();
      this.lock.writeLease();
    });
    let released = false;
    return {
      host: '127.0.0.1',
      port: state.port,
      state,
      release: async () => {
        if (released) return;
        released = true;
        await this.releaseLease();
      },
    };
  }

  /**
   * Synchronous release for `process.on('exit')` and signal handlers, where
   * nothing async runs: the same lock as joining, so a process leaving never
   * stops the server under one that is joining it.
   */
  releaseSync(): void {
    try {
      this.lock.holdSync(() => {
        this.lock.removeLease();
        if (this.lock.liveLeases().length > 0) return;
        if (this.lingers()) return;
        this.server.stopSync();
        this.idle.clear();
      }, 60_000);
    } catch {
      // Exiting anyway: give the lease back at least (the server stays for the others, or the next one).
      this.lock.removeLease();
    }
  }

  private async releaseLease(): Promise<void> {
    await this.lock.hold(async () => {
      this.lock.removeLease();
      if (this.lock.liveLeases().length > 0) return;
      if (this.lingers()) return;
      await this.server.stop();
      this.idle.clear();
    });
  }

  /** Under the lock, the last user gone: keep it running for the next one (EMBEDDED_IDLE)? */
  private lingers(): boolean {
    if (this.idleSeconds <= 0 || !this.server.isRunning()) return false;
    try {
      this.idle.linger(this.idleSeconds);
      return true;
    } catch {
      return false; // cannot write its files (a full disk): stop it as before
    }
  }

  /**
   * The watcher's loop (idle-watch.ts): once the idle time has passed, under
   * the lock, stop the server if nobody uses it and nobody left since.
   */
  async watchIdle(): Promise<void> {
    await this.lock.hold(async () => undefined); // the leaver that started us has written our link by then
    for (;;) {
      const until = this.idle.until();
      if (until === undefined || !this.idle.isWatcher()) return;
      if (Date.now() < until) {
        await sleep(Math.min(until - Date.now() + 50, 2 ** 31 - 1));
        continue;
      }
      const done = await this.lock.hold(async () => {
        if (!this.idle.isWatcher()) return true;
        if (this.lock.liveLeases().length === 0) {
          const again = this.idle.until();
          if (again !== undefined && Date.now() < again) return false; // someone came and left since: wait more
          await this.server.stop();
        }
        this.idle.clear();
        return true;
      });
      if (done) return;
    }
  }

  /**
   * `epic-events stop`: stop it now, unless processes use it (their pids are
   * returned, nothing is stopped). 'stopped', 'not-running' or the pids.
   */
  async stopNow(): Promise<'stopped' | 'not-running' | number[]> {
    if (!fs.existsSync(this.lock.leasesDir)) return 'not-running';
    return this.lock.hold(async () => {
      const users = this.lock.liveLeases();
      if (users.length > 0) return users;
      const running = this.server.isRunning();
      await this.server.stop();
      this.idle.clear();
      return running ? 'stopped' : 'not-running';
    });
  }

  /**
   * The server of a process that holds a lease died (killed, crashed, the
   * machine's OOM killer): start it again, under the lock. Resolves
   * 'running' when it was (another process restarted it, or only the
   * connection was lost), 'restarted', or 'moved' when its port was taken
   * meanwhile (connections must be opened anew on the new port).
   */
  async revive(): Promise<'running' | 'restarted' | 'moved'> {
    return this.lock.hold(async () => {
      const before = this.server.readState()?.port;
      if (this.server.isRunning()) return 'running';
      // The dead postmaster's children may take a moment to go (their shared
      // memory must be released before a new server may start): try thrice.
      let state!: ServerState;
      for (let attempt = 1; ; attempt++) {
        try {
          state = await this.server.ensureRunning();
          break;
        } catch (err) {
          if (attempt === 3 || (err as DatabaseUnavailable).reason === 'disk-full') throw err;
          await sleep(500 * attempt);
        }
      }
      this.lock.writeLease();
      return state.port === before ? 'restarted' : 'moved';
    });
  }

  /** The lock joining, leaving and restarting hold. */
  get lockPath(): string {
    return this.lock.lockFile;
  }

  /** Is a postmaster running on our data directory (per postmaster.pid)? Removes a stale one. */
  isRunning(): boolean {
    return this.server.isRunning();
  }

  async stop(): Promise<void> {
    await this.server.stop();
    this.idle.clear();
  }

  /** The lingering server's watcher process, if one runs (tests, diagnostics). */
  idleWatcher(): number | undefined {
    return this.idle.watcher();
  }

  /** Who holds the lock now (tests, diagnostics). */
  lockHolder(): LockHolder | undefined {
    return this.lock.holder();
  }
}
