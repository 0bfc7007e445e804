/**
 * Faults nobody awaited — a throw in a timer, a promise rejected with nobody
 * to handle it — print one line, never a Node stack. While the shell's
 * runtime runs (lib/shell/runtime.ts) it takes them: they fail the statement
 * or batch running (exit code 1), or at the prompt print one line and the
 * prompt; at any other moment (after a script's last statement, say) they
 * print one line and the process exits 1.
 */
import type { Monitor } from '../platform/monitoring.js';
import { describeError } from './errors.js';

/** Stray faults are the user's code: nothing to report. */
const quiet: Monitor = { event: () => undefined, exception: () => undefined, flush: async () => undefined };

export type FaultHandler = (err: unknown) => void;

const handlers: FaultHandler[] = [];
let listening = false;
let permanent = false;
let faulted = false;
let finished = false;
let writeLine: (line: string) => void = (line) => void process.stderr.write(`${line}\n`);

/** One fault can arrive twice (a listener that re-emits 'unhandledRejection', as mocha's does on Node 26): one line. */
const dispatched = new WeakSet<object>();

function dispatch(err: unknown): void {
  if (typeof err === 'object' && err !== null) {
    if (dispatched.has(err)) return;
    dispatched.add(err);
  }
  const handler = handlers[handlers.length - 1];
  if (handler) {
    try {
      handler(err);
      return;
    } catch (inner) {
      err = inner;
    }
  }
  if (faulted) return; // one line, even if a timer keeps throwing
  faulted = true;
  writeLine(describeError(err, quiet));
  process.exitCode = 1;
  if (finished) process.exit(1);
}

const onException = (err: unknown) => dispatch(err);
const onRejection = (reason: unknown) => dispatch(reason);

function listen(): void {
  if (listening) return;
  listening = true;
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
}

function unlisten(): void {
  if (!listening || permanent || handlers.length > 0) return;
  listening = false;
  process.removeListener('uncaughtException', onException);
  process.removeListener('unhandledRejection', onRejection);
}

/** For the CLI process, for its whole life: faults outside the shell and batches are one line and exit code 1. */
export function installFaultHandlers(write?: (line: string) => void): void {
  if (write) writeLine = write;
  permanent = true;
  listen();
}

/** Take the faults while `handler` is in charge (the shell, a batch); returns the function that gives them back. */
export function takeFaults(handler: FaultHandler): () => void {
  handlers.push(handler);
  listen();
  return () => {
    const at = handlers.lastIndexOf(handler);
    if (at >= 0) handlers.splice(at, 1);
    unlisten();
  };
}

/**
 * A fault nobody awaited that did not come through the process's events (Node's
 * REPL took it from user code, after the shell or batch it belonged to had
 * ended): the same as if the process had raised it.
 */
export function reportFault(err: unknown): void {
  dispatch(err);
}

/** The command returned `code`: the exit code, 1 when a fault came meanwhile; a later fault exits at once. */
export function commandFinished(code: number): number {
  finished = true;
  return faulted && code === 0 ? 1 : code;
}

/**
 * Who takes a fault nobody awaited (a throw in a timer, a rejection nobody
 * handled): the innermost evaluation or batch running. They nest: load()
 * is an evaluation that runs a batch whose statements are evaluations.
 */
export class FaultTakers {
  private readonly stack: Array<(err: unknown) => void> = [];

  /** `taker` takes the faults until the returned function is called. */
  enter(taker: (err: unknown) => void): () => void {
    this.stack.push(taker);
    return () => {
      const at = this.stack.lastIndexOf(taker);
      if (at >= 0) this.stack.splice(at, 1);
    };
  }

  /** Hand `err` to the innermost taker; false when nothing is running. */
  give(err: unknown): boolean {
    const taker = this.stack[this.stack.length - 1];
    if (!taker) return false;
    taker(err);
    return true;
  }
}
