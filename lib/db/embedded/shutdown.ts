/**
 * Stopping the embedded server so that it always ends up stopped. A fast
 * shutdown asked while PostgreSQL is in crash recovery (a backend was killed
 * a moment before, by kill -9 or the OOM killer) can leave the postmaster
 * stuck at `stopping` for good: every later start would wait on it. So:
 *
 *   1. a server still starting (crash recovery) is given time to be ready first;
 *   2. a fast shutdown (pg_ctl stop -m fast), bounded;
 *   3. if it still runs, an immediate one (-m immediate: crash recovery at the next start, no data lost);
 *   4. if it still runs, kill -9 of the postmaster and its children.
 *
 * The same escalation (without step 2) clears a server found stuck at
 * `stopping` by a process that holds the lock: nobody else is stopping it then.
 */
import { execFile, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { pidAlive } from '../../platform/locks.js';
import type { RunAs } from './account.js';

const execFileAsync = promisify(execFile);

/** The postmaster's own word on what it is doing (postmaster.pid, line 8). */
export type PostmasterStatus = 'starting' | 'stopping' | 'ready' | 'standby' | 'unknown';

export interface Postmaster {
  pid: number;
  status: PostmasterStatus;
}

/** Step timeouts, in seconds (the bench and tests may shorten them). */
export const STOP_TIMEOUTS = { ready: 20, fast: 20, immediate: 10, stuck: 5 };

/** What postmaster.pid says (without checking that the process is alive). */
export function readPostmaster(dataDir: string): Postmaster | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  const status = (lines[7] ?? '').trim();
  return { pid, status: (['starting', 'stopping', 'ready', 'standby'].includes(status) ? status : 'unknown') as PostmasterStatus };
}

export interface StopContext {
  pgCtl: string;
  dataDir: string;
  account: RunAs;
  /** Is the postmaster of dataDir running (removes a stale postmaster.pid)? */
  running: () => boolean;
  log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sleepSync = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Wait (up to `seconds`) while `busy()` holds; true when it stopped holding. */
async function waitWhile(busy: () => boolean, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (busy()) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

function waitWhileSync(busy: () => boolean, seconds: number): boolean {
  const deadline = Date.now() + seconds * 1000;
  while (busy()) {
    if (Date.now() > deadline) return false;
    sleepSync(100);
  }
  return true;
}

const status = (ctx: StopContext) => (ctx.running() ? readPostmaster(ctx.dataDir)?.status : undefined);
const pgCtlStop = (ctx: StopContext, mode: 'fast' | 'immediate', seconds: number) => ['stop', '-D', ctx.dataDir, '-m', mode, '-w', '-t', String(seconds), '-s'];

/** A server in crash recovery: wait (up to 60 s) until it takes connections again. */
export async function waitUntilReady(dataDir: string, running: () => boolean): Promise<void> {
  await waitWhile(() => running() && readPostmaster(dataDir)?.status === 'starting', 60);
}

/** Stop the server however it is (see the top of this file); resolves once it is stopped. */
export async function stopServer(ctx: StopContext): Promise<void> {
  if (!ctx.running()) return;
  await waitWhile(() => status(ctx) === 'starting', STOP_TIMEOUTS.ready);
  if (status(ctx) !== 'stopping') {
    await execFileAsync(ctx.pgCtl, pgCtlStop(ctx, 'fast', STOP_TIMEOUTS.fast), { ...ctx.account }).catch(() => undefined);
  }
  await forceStop(ctx);
}

/** The same, synchronously (exit handlers). */
export function stopServerSync(ctx: StopContext): void {
  if (!ctx.running()) return;
  waitWhileSync(() => status(ctx) === 'starting', STOP_TIMEOUTS.ready);
  if (status(ctx) !== 'stopping') spawnSync(ctx.pgCtl, pgCtlStop(ctx, 'fast', STOP_TIMEOUTS.fast), { ...ctx.account, stdio: 'ignore' });
  forceStopSync(ctx);
}

/**
 * A server still running after a fast shutdown, or found stuck at `stopping`:
 * an immediate shutdown, then kill -9 (postmaster and children).
 */
export async function forceStop(ctx: StopContext): Promise<void> {
  if (!ctx.running()) return;
  // Stopping by itself? Give it a moment; still there, it is stuck.
  await waitWhile(() => status(ctx) === 'stopping', STOP_TIMEOUTS.stuck);
  if (!ctx.running()) return;
  ctx.log('embedded database: it did not stop (stuck in crash recovery); stopping it immediately');
  await execFileAsync(ctx.pgCtl, pgCtlStop(ctx, 'immediate', STOP_TIMEOUTS.immediate), { ...ctx.account }).catch(() => undefined);
  if (ctx.running()) await waitWhile(killPostmaster(ctx), 10);
  ctx.running(); // removes the postmaster.pid left behind
}

export function forceStopSync(ctx: StopContext): void {
  if (!ctx.running()) return;
  waitWhileSync(() => status(ctx) === 'stopping', STOP_TIMEOUTS.stuck);
  if (!ctx.running()) return;
  ctx.log('embedded database: it did not stop (stuck in crash recovery); stopping it immediately');
  spawnSync(ctx.pgCtl, pgCtlStop(ctx, 'immediate', STOP_TIMEOUTS.immediate), { ...ctx.account, stdio: 'ignore' });
  if (ctx.running()) waitWhileSync(killPostmaster(ctx), 10);
  ctx.running();
}

/** kill -9 of the postmaster and its children; returns "is any of them still alive?". */
function killPostmaster(ctx: StopContext): () => boolean {
  const pm = readPostmaster(ctx.dataDir);
  if (!pm) return () => false;
  const victims = [pm.pid, ...childrenOf(pm.pid)];
  ctx.log(`embedded database: killing the stuck server (process ${pm.pid})`);
  for (const pid of victims) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  return () => victims.some((pid) => pidAlive(pid) && !isZombie(pid));
}

/** The processes whose parent is `pid` (Linux /proc; elsewhere none: they exit when their postmaster dies). */
function childrenOf(pid: number): number[] {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return [];
  }
  return entries.map(Number).filter((child) => {
    try {
      // pid (comm) state ppid …: comm may hold spaces, so read after its closing parenthesis.
      const stat = fs.readFileSync(`/proc/${child}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
    } catch {
      return false;
    }
  });
}

function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}
