/**
 * The bench's world: its own embedded PostgreSQL in a temporary
 * EPIC_EVENTS_HOME (durable: false — no fsync, a benchmark loses nothing
 * worth keeping), provisioned by the real setup, and the CLI spawned against
 * it as an external server so no run pays for starting PostgreSQL.
 */
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import format from 'pg-format';
import { loadConfig, type Config, type ConnectionParams } from '../lib/platform/config.js';
import type { DatabaseTarget } from '../lib/db/connect.js';
import { EmbeddedServer, SUPERUSER } from '../lib/db/embedded/index.js';
import { AdminConnection } from '../lib/db/index.js';
import { queries } from '../lib/db/sql.js';
import { runSetup } from '../lib/program/provision.js';

const sq = queries('setup', ['createDatabase'] as const);

export const BENCH_DATABASE = 'epic_bench';
export const ADMIN_EMAIL = 'bench-admin@epic.events';

/** dist/bench → the package root (bin/epic-events.js). */
export const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface BenchWorld {
  tmpDir: string;
  config: Config;
  target: DatabaseTarget;
  /** Environment for spawned CLI runs (external server, bench state dir). */
  cliEnv: NodeJS.ProcessEnv;
  password: string;
  stop(): Promise<void>;
}

export async function startWorld(log: (line: string) => void): Promise<BenchWorld> {
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-events-bench-'));
  let release: (() => Promise<void>) | undefined;
  const stop = async () => {
    await release?.().catch(() => undefined);
    fs.rmSync(tmpDir, { recursive: true, force: true });
  };
  try {
    const server = new EmbeddedServer(path.join(tmpDir, 'server'), { durable: false });
    const lease = await server.acquire();
    release = () => lease.release();
    const serverAdmin: ConnectionParams = { host: lease.host, port: lease.port, database: 'postgres', user: SUPERUSER, password: lease.state.superuserPassword };
    const conn = await AdminConnection.open(serverAdmin);
    try {
      await conn.exec({ ...sq.createDatabase, text: format(sq.createDatabase.text, BENCH_DATABASE) });
    } finally {
      await conn.close();
    }
    const admin = { ...serverAdmin, database: BENCH_DATABASE };
    const password = crypto.randomBytes(12).toString('base64url');
    const url = `postgres://${encodeURIComponent(admin.user)}:${encodeURIComponent(admin.password ?? '')}@${admin.host}:${admin.port}/${BENCH_DATABASE}`;
    const env: Record<string, string> = {
      DATABASE_URL: url,
      APP_DB_PASSWORD: crypto.randomBytes(18).toString('base64url'),
      EPIC_EVENTS_HOME: path.join(tmpDir, 'state'),
      EPIC_EVENTS_NO_DOTENV: '1',
    };
    // Default bcrypt cost (12): the login figure measures the real thing.
    const config = loadConfig({ ...env, ADMIN_EMAIL, ADMIN_PASSWORD: password });
    const target: DatabaseTarget = { kind: 'external', admin, runtime: { ...admin, user: config.appDbUser, password: config.appDbPassword }, release: async () => undefined };
    log('setup (migrations, roles, first collaborator)');
    await runSetup(config, target, { log: () => undefined });
    const cliEnv: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ...env };
    return { tmpDir, config, target, cliEnv, password, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

export interface Spawned {
  code: number;
  ms: number;
  stdout: string;
  stderr: string;
  /** Peak resident memory (VmHWM) in kB, sampled while it ran (Linux). */
  peakKb: number;
}

/** Run `node ARGS`, timing wall clock from spawn to exit. */
export function runNode(args: string[], env: NodeJS.ProcessEnv, stdin?: string, sampleMemory = false): Promise<Spawned> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // BENCH_NODE_ARGS go to spawned CLI runs (e.g. --cpu-prof while investigating).
    const nodeArgs = args[0] === 'bin/epic-events.js' && process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];
    const child = spawn(process.execPath, [...nodeArgs, ...args], { cwd: packageRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peakKb = 0;
    child.stdout.on('data', (d: Buffer) => void (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => void (stderr += d.toString()));
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) peakKb = Math.max(peakKb, Number(m[1]));
      } catch {
        // gone already: the last sample stands
      }
    };
    const timer = sampleMemory ? setInterval(sample, 50) : undefined;
    child.on('error', reject);
    child.on('exit', (code) => {
      if (timer) clearInterval(timer);
      resolve({ code: code ?? 1, ms: performance.now() - started, stdout, stderr, peakKb });
    });
    child.stdin.end(stdin ?? '');
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export async function medianOf(runs: number, fn: () => Promise<number>): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < runs; i++) values.push(await fn());
  return median(values);
}

/** The machine's CPU time so far, from /proc/stat: busy and in all (jiffies), or undefined off Linux. */
function cpuTimes(): { busy: number; all: number } | undefined {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n', 1)[0];
    const [user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).slice(1, 9).map(Number);
    const busy = user + nice + system + irq + softirq + steal;
    return { busy, all: busy + idle + iowait };
  } catch {
    return undefined;
  }
}

/** How many cores other processes keep busy (the bench waiting meanwhile), measured over `ms`: 0 where it cannot be read. */
export async function busyCores(ms = 1000): Promise<number> {
  const before = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = cpuTimes();
  if (!before || !after || after.all === before.all) return 0;
  return ((after.busy - before.busy) / (after.all - before.all)) * os.availableParallelism();
}
