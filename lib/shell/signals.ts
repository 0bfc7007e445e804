/**
 * Signals while a batch's statement runs synchronously (`while (true) {}` in
 * a loaded script): no listener of the process can run then, so
 *
 * - SIGINT is taken by the statement's own watchdog (vm's breakOnSigint, set
 *   by the caller), which interrupts it; on a terminal in raw mode Ctrl+C is
 *   a key, not a signal, so raw mode is off while the statement runs (as
 *   Node's REPL does for a typed line);
 * - SIGTERM and SIGHUP do what they do to any process: their listeners (the
 *   embedded server's lease, lib/program/commands/lifecycle.ts) are set aside
 *   meanwhile, so the process ends (exit status 143 or 129). A lease left
 *   behind that way is a dead process's, pruned by the next user.
 */
import type { Readable } from 'node:stream';

type Terminal = Readable & { isTTY?: boolean; isRaw?: boolean; setRawMode?: (raw: boolean) => unknown };

const ENDING = ['SIGTERM', 'SIGHUP'] as const;

/** Run `run` (synchronous user code) with the signals as above; everything put back afterwards. */
export function whileUserCodeRuns<T>(input: NodeJS.ReadableStream | Readable | undefined, run: () => T): T {
  const terminal = input as unknown as Terminal | undefined;
  const raw = Boolean(terminal?.isTTY && terminal.isRaw && terminal.setRawMode);
  let aside: Array<[NodeJS.Signals, Array<(...args: unknown[]) => void>]> | undefined;
  for (const signal of ENDING) {
    if (process.listenerCount(signal) === 0) continue;
    const listeners = process.rawListeners(signal) as Array<(...args: unknown[]) => void>;
    (aside ??= []).push([signal, listeners]); // as they are (a once-listener stays one)
    process.removeAllListeners(signal);
  }
  if (raw) terminal?.setRawMode?.(false);
  try {
    return run();
  } finally {
    if (raw) terminal?.setRawMode?.(true);
    for (const [signal, listeners] of aside ?? []) for (const l of listeners) process.on(signal, l);
  }
}
