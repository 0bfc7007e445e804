/**
 * Stop a child process at a moment a test can name, whatever the machine's
 * speed: the child runs in short slices and is stopped (SIGSTOP) between
 * them until `ready()` holds while it is stopped. A fast step of the child
 * (an export of a few megabytes) is then caught in the middle, where polling
 * a running child misses it on a quick machine (Linux: /proc says when the
 * stop has taken effect).
 */
import fs from 'node:fs';
import type { ChildProcess } from 'node:child_process';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether the process is stopped (state T in /proc/PID/stat); undefined where /proc is not there. */
function stoppedState(pid: number): boolean | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
  } catch {
    return undefined;
  }
}

async function stopped(pid: number): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    const state = stoppedState(pid);
    if (state === undefined) return sleep(50);
    if (state) return;
    await tick();
  }
  throw new Error(`process ${pid} did not stop`);
}

/**
 * Run `child` in slices until `ready()` is true while it is stopped; it is
 * left stopped (SIGKILL it, or SIGCONT). False when the child ended first.
 * `near()`: the moment slices begin (before it, the child runs and is
 * polled), well before `ready()` can hold.
 */
export async function stopWhen(child: ChildProcess, ready: () => boolean, options: { near?: () => boolean; limitMs?: number } = {}): Promise<boolean> {
  const pid = child.pid;
  if (pid === undefined) return false;
  const { near, limitMs = 120_000 } = options;
  const until = Date.now() + limitMs;
  // Running freely until it is near (polled), then in slices.
  while (near && !near() && Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    await sleep(2);
  }
  while (Date.now() < until) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    process.kill(pid, 'SIGSTOP');
    await stopped(pid);
    if (ready()) return true;
    process.kill(pid, 'SIGCONT');
    await tick();
  }
  throw new Error(`stopWhen: not ready in ${limitMs} ms`);
}
