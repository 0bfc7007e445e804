/**
 * The batch front-end: a script file, --eval and piped stdin, run
 * non-interactively on the shell's runtime (lib/shell/runtime.ts). Never
 * prompts for a session: an expired or revoked one ends the run with exit
 * code 3. passwordPrompt() asks on the terminal a script was started from,
 * never from piped input.
 */
import { Console } from 'node:console';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { ExitRequest, type ReplHandle } from './engine.js';
import { SIGINT_EXIT, type BatchResult, type BatchSource } from './loader.js';
import type { Login } from './login.js';
import { visible } from './output.js';
import { startRepl } from './repl-adapter.js';
import { ShellRuntime } from './runtime.js';
import type { ShellIO } from './shell-io.js';
import { reportFault } from './faults.js';
import { ask } from '../platform/prompt.js';

/**
 * Run a script, --eval code or piped stdin non-interactively. Resolves 0, 1
 * (first error) or 3 (session expired or revoked).
 */
export async function runBatch(login: Login, source: BatchSource, io: ShellIO, prepared?: vm.Context): Promise<number> {
  // Statements run in a context of their own, built as the REPL builds its
  // own. A REPL (for top-level await, or what else only its eval accepts) is
  // made on first need and evaluates in that same context, so declarations
  // carry across statements either way. A script of plain statements never
  // makes one, and so never pays for the domain a REPL puts around every
  // asynchronous operation.
  const context = prepared ?? scriptContext(io.output);
  const repl = replOnFirstNeed();
  const ctrlC = ctrlCBetweenStatements();
  // A fault in the instants before the batch starts or after it ends: one line and exit code 1 once it is over.
  let idle: { error: unknown } | undefined;
  const runtime = new ShellRuntime(login, io, {
    context,
    repl: repl.make,
    sigint: ctrlC.sigint,
    askSecret: (question) => askOnTerminal(io, question),
    loggedOut: () => {
      throw new ExitRequest(0, 'logged out');
    },
    notice: (line) => void io.errorOutput.write(`${line}\n`),
    progressLabel: source.filename,
    idleFault: (error) => void (idle ??= { error }),
    stopRequested: ctrlC.interrupted,
    plainUnguarded: true,
  });
  runtime.inject(context);
  try {
    return exitCode(await runtime.run(source), io);
  } finally {
    runtime.close();
    ctrlC.dispose();
    repl.close();
    if (idle) reportFault(idle.error);
  }
}

/** The batch's result as the exit code, its one line on stderr. */
function exitCode(result: BatchResult, io: ShellIO): number {
  if (result.kind === 'done') return 0;
  if (result.kind === 'exit') {
    if (result.message && result.exitCode !== 0) io.errorOutput.write(`${visible(result.message)}\n`);
    return result.exitCode;
  }
  io.errorOutput.write(`${visible(result.message)}\n`);
  return result.interrupted ? SIGINT_EXIT : 1;
}

/** A REPL of its own (silent, no terminal), made when a statement first needs one. */
function replOnFirstNeed(): { make: () => ReplHandle; close: () => void } {
  let made: ReplHandle | undefined;
  return {
    make: () => {
      const sink = new Writable({ write: (_chunk, _enc, done) => done() });
      made = startRepl({ input: new PassThrough(), output: sink, prompt: '', terminal: false, useColors: false, preview: false, breakEvalOnSigint: true });
      return made;
    },
    close: () => made?.server.close(),
  };
}

/**
 * Ctrl+C reaches the engine through a plain emitter: listening on the process
 * for each statement would start and stop a signal watcher every line.
 * Between two statements (nobody listening) it stops the batch.
 */
function ctrlCBetweenStatements(): { sigint: EventEmitter; interrupted: () => boolean; dispose: () => void } {
  const sigint = new EventEmitter();
  let interrupted = false;
  const forward = () => {
    if (sigint.listenerCount('SIGINT') === 0) interrupted = true;
    else sigint.emit('SIGINT');
  };
  process.on('SIGINT', forward);
  return { sigint, interrupted: () => interrupted, dispose: () => void process.removeListener('SIGINT', forward) };
}

/** passwordPrompt() and passwd() in a batch: on a terminal (a script started from one), asked there without echo; never from piped input. */
async function askOnTerminal(io: ShellIO, question: string): Promise<string> {
  if (!io.input.isTTY) throw new Error('a password is asked only on a terminal (standard input is not one): passwordPrompt() and passwd() cannot run here');
  const answer = await ask({ input: io.input, output: io.errorOutput }, question, { hidden: true });
  if (answer === undefined) throw new Error('no password given (end of input)');
  return answer;
}

/**
 * A context for scripts with what the REPL's has: the process's globals
 * (console, timers, Buffer, process, URL…), `require`, and `global`. Making
 * one is a few milliseconds of CPU: the caller may make it while the
 * database answers the login, and hand it to runBatch (`prepared`).
 */
export function scriptContext(output: Writable): vm.Context {
  const context = vm.createContext();
  for (const name of Object.getOwnPropertyNames(globalThis)) {
    if (name === 'global' || name === 'globalThis' || name === 'console' || name in context) continue;
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, name);
    if (descriptor) Object.defineProperty(context, name, descriptor);
  }
  Object.defineProperty(context, 'console', { value: new Console(output), writable: true, configurable: true });
  Object.defineProperty(context, 'require', { value: createRequire(path.join(process.cwd(), 'batch.js')), writable: true, configurable: true });
  Object.defineProperty(context, 'global', { value: vm.runInContext('globalThis', context), writable: true, configurable: true });
  return context;
}
