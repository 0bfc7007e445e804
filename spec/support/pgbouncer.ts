/**
 * A PgBouncer (Debian's `pgbouncer` package) on loopback in front of a test
 * server, in session or transaction pooling mode. Roles log in with their
 * own passwords: PgBouncer asks the server for their SCRAM secrets
 * (auth_query, as auth_user, the server's administrator), so any role the
 * server has can come through, those created while it runs too. As root it
 * runs as the postgres system user (PgBouncer refuses to run as root).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ConnectionParams } from '../../lib/platform/config.js';

export type PoolMode = 'session' | 'transaction';

/** The pgbouncer binary, or undefined when the machine has none. */
export function pgbouncerBinary(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin'];
  return dirs.map((d) => path.join(d, 'pgbouncer')).find((file) => {
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

export interface Bouncer {
  host: string;
  port: number;
  /** The server's parameters with PgBouncer's address. */
  through(params: ConnectionParams): ConnectionParams;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    }).on('error', reject);
  });
}

async function accepting(port: number, deadline: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true); }).on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`pgbouncer did not listen on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Start PgBouncer in `mode` in front of `admin`'s server (its user must be able to read pg_shadow). */
export async function startPgbouncer(admin: ConnectionParams, mode: PoolMode): Promise<Bouncer> {
  const binary = pgbouncerBinary();
  if (!binary) throw new Error('no pgbouncer binary');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-pgbouncer-'));
  const port = await freePort();
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  fs.writeFileSync(path.join(dir, 'userlist.txt'), `${quote(admin.user)} ${quote(admin.password ?? '')}\n`, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'pgbouncer.ini'), [
    '[databases]',
    `* = host=${admin.host} port=${admin.port}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = scram-sha-256',
    `auth_file = ${path.join(dir, 'userlist.txt')}`,
    `auth_user = ${admin.user}`,
    'auth_query = SELECT usename, passwd FROM pg_shadow WHERE usename = $1',
    `pool_mode = ${mode}`,
    'default_pool_size = 20',
    'max_client_conn = 500',
    // node-postgres sends the pool's statement_timeout as a startup parameter, which PgBouncer 1.18 refuses unless ignored.
    'ignore_startup_parameters = extra_float_digits,statement_timeout,options',
    `logfile = ${path.join(dir, 'pgbouncer.log')}`,
    `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
    '',
  ].join('\n'), { mode: 0o600 });
  const root = process.getuid?.() === 0;
  if (root) execFileSync('chown', ['-R', 'postgres:', dir]);
  const child: ChildProcess = root
    ? spawn('runuser', ['-u', 'postgres', '--', binary, path.join(dir, 'pgbouncer.ini')], { stdio: 'ignore' })
    : spawn(binary, [path.join(dir, 'pgbouncer.ini')], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await Promise.race([accepting(port, Date.now() + 15_000), exited.then(() => {
      throw new Error(`pgbouncer exited: ${fs.existsSync(path.join(dir, 'pgbouncer.log')) ? fs.readFileSync(path.join(dir, 'pgbouncer.log'), 'utf8').slice(-500) : ''}`);
    })]);
  } catch (err) {
    child.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    host: '127.0.0.1',
    port,
    through: (params) => ({ ...params, host: '127.0.0.1', port }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        // PgBouncer's own pid (under runuser as root): SIGINT shuts it down at once.
        try {
          process.kill(Number(fs.readFileSync(path.join(dir, 'pgbouncer.pid'), 'utf8').trim()), 'SIGINT');
        } catch {
          child.kill('SIGINT');
        }
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
