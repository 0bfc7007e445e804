/**
 * Batches: `.load file`, `load('file')`, script files, --eval and piped
 * stdin. Statements run in order, each awaited; the first failure stops the
 * batch and names the file, the line and how many statements ran (an error,
 * the session ending, a fault nobody awaited, a value that cannot be
 * printed). Non-interactive runs never prompt: an expired or revoked session
 * ends them with exit code 3.
 */
import { Console } from 'node:console';
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import fs from 'node:fs';
import path from 'node:path';
import type { REPLServer } from 'node:repl';
import { PassThrough, Writable } from 'node:stream';
import { contextValues, injectContext } from './context.js';
import { Engine, ExitRequest } from './engine.js';
import { describeError } from './errors.js';
import { printed, render, visible, wantsColor, type OutputOptions } from './output.js';
import { startRepl } from './repl-adapter.js';
import type { ShellIO, Login } from './login.js';
import { splitStatements } from './statements.js';
import { takeFaults } from '../faults.js';
import { ask } from '../prompt.js';

/** What a batch prints: nothing (scripts), each result (piped stdin), the last result (--eval). */
export type PrintMode = 'none' | 'each' | 'last';

export interface BatchSource {
  code: string;
  filename: string;
  print?: PrintMode;
}

export type BatchResult =
  | { kind: 'done'; statements: number }
  | { kind: 'failed'; line: number; completed: number; message: string }
  | { kind: 'exit'; exitCode: number; message?: string };

export interface BatchRun {
  engine: Engine;
  output: OutputOptions;
  write: (text: string) => void;
  /** Progress on stderr when it is a terminal. */
  progress?: (done: number, total: number) => void;
  /** Ctrl+C came between two statements: stop before the next. */
  stopRequested?: () => boolean;
  /** A fault nobody awaited came between two statements (a throw in a timer): the batch fails with it. */
  strayFault?: () => { error: unknown } | undefined;
}

const PROGRESS_FROM = 20;

export async function runStatements(run: BatchRun, source: BatchSource): Promise<BatchResult> {
  const statements = splitStatements(source.code, source.filename);
  const mode = source.print ?? 'none';
  let last: unknown;
  /**
   * Where it stopped and how far it got: the file, the line, and how many
   * statements ran. `after`: the line had run whole (a fault nobody awaited
   * came once it was done), so it counts among those that ran.
   */
  const stoppedAt = (line: number, completed: number, what: string, after = false) =>
    `${source.filename}:${line}: ${what} ${after ? `(stopped after it; ${completed} statements ran)` : `(stopped there; ${completed} statements before it ran)`}`;
  const failed = (line: number, completed: number, error: unknown, after = false): BatchResult => {
    run.progress?.(-1, statements.length);
    return { kind: 'failed', line, completed, message: stoppedAt(line, completed, describeError(error, run.engine.login.monitor), after) };
  };
  /** Rendered, or the failure to render (a toJSON that throws) as the statement's own error. */
  const print = (value: unknown, line: number, completed: number): BatchResult | undefined => {
    try {
      run.write(`${render(value, run.output)}\n`);
      return undefined;
    } catch (error) {
      return failed(line, completed, error);
    }
  };
  let lastLine = 0;
  for (const [index, statement] of statements.entries()) {
    const stray = run.strayFault?.();
    if (stray) return lastLine ? failed(lastLine, index, stray.error, true) : failed(statement.line, index, stray.error);
    if (run.stopRequested?.()) return { kind: 'exit', exitCode: 1, message: `${source.filename}:${statement.line}: interrupted (Ctrl+C) before this line; ${index} statements ran` };
    if (run.progress && statements.length >= PROGRESS_FROM) run.progress(index, statements.length);
    const outcome = await run.engine.evaluate(statement.code, source.filename, statement.script);
    if (outcome.kind === 'exit') {
      // Stopped by the session (expired, revoked): where, and how far it got, as every failure does.
      if (!outcome.session) return outcome;
      run.progress?.(-1, statements.length);
      return { kind: 'exit', exitCode: outcome.exitCode, message: stoppedAt(statement.line, index, outcome.message ?? 'the session ended') };
    }
    if (outcome.kind === 'error') return failed(statement.line, index, outcome.error);
    if (mode === 'each' && outcome.value !== undefined) {
      const failure = print(outcome.value, statement.line, index);
      if (failure) return failure;
    }
    last = outcome.value;
    lastLine = statement.line;
  }
  run.progress?.(-1, statements.length);
  if (mode === 'last' && last !== undefined) {
    const failure = print(last, lastLine, statements.length - 1);
    if (failure) return failure;
  }
  const stray = run.strayFault?.();
  if (stray) return failed(lastLine, statements.length, stray.error, true);
  return { kind: 'done', statements: statements.length };
}

/** Raised by load() inside the shell when the file stops at a failure. */
export class BatchStopped extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BatchStopped';
  }
}

/** load(file) for the context: run the file's statements, throw at the first failure. */
export function loader(run: () => BatchRun): (file: string) => Promise<void> {
  return async (file: string) => {
    if (typeof file !== 'string' || file === '') throw new TypeError('load(file) takes a file name');
    const code = await fs.promises.readFile(path.resolve(file), 'utf8');
    const result = await runStatements(run(), { code, filename: file, print: 'none' });
    if (result.kind === 'exit') throw new ExitRequest(result.exitCode, result.message);
    if (result.kind === 'failed') throw new BatchStopped(result.message);
  };
}

export function progressWriter(stream: Writable & { isTTY?: boolean }, label: string): BatchRun['progress'] {
  if (!stream.isTTY) return undefined;
  return (done, total) => {
    if (done < 0) stream.write('\r\x1b[K');
    else if (done % 10 === 0) stream.write(`\r${label}: ${done}/${total}`);
  };
}

/**
 * A context for scripts with what the REPL's has: the process's globals
 * (console, timers, Buffer, process, URL…), `require`, and `global`.
 */
function scriptContext(output: Writable): vm.Context {
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

/**
 * Run a script, --eval code or piped stdin non-interactively. Resolves 0, 1
 * (first error) or 3 (session expired or revoked).
 */
export async function runBatch(login: Login, source: BatchSource, io: ShellIO): Promise<number> {
  const output: OutputOptions = { json: io.json, color: wantsColor(io.color, io.output) };
  // Statements run in a context of their own, built as the REPL builds its
  // own. A REPL (for top-level await, or what else only its eval accepts) is
  // made on first need and evaluates in that same context, so declarations
  // carry across statements either way. A script of plain statements never
  // makes one, and so never pays for the domain a REPL puts around every
  // asynchronous operation.
  const context = scriptContext(io.output);
  let server: REPLServer | undefined;
  const makeRepl = () => {
    const sink = new Writable({ write: (_chunk, _enc, done) => done() });
    const adapted = startRepl({ input: new PassThrough(), output: sink, prompt: '', terminal: false, useColors: false, preview: false });
    server = adapted.server;
    return adapted;
  };
  const write = (text: string) => void io.output.write(text);
  // Ctrl+C reaches the engine through a plain emitter: listening on the process
  // for each statement would start and stop a signal watcher every line.
  // Between two statements (nobody listening) it stops the batch.
  const sigint = new EventEmitter();
  let interrupted = false;
  const forward = () => {
    if (sigint.listenerCount('SIGINT') === 0) interrupted = true;
    else sigint.emit('SIGINT');
  };
  process.on('SIGINT', forward);
  // A fault nobody awaited fails the statement running, or else the batch before its next statement.
  let stray: { error: unknown } | undefined;
  const onStray = (error: unknown) => {
    if (engine.failCurrent(error)) return;
    stray ??= { error };
  };
  const engine = new Engine(login, { repl: makeRepl, context, sigint, onStrayError: onStray, notice: (line) => void io.errorOutput.write(`${line}\n`) });
  const giveBackFaults = takeFaults(onStray);
  let exitRequested: ExitRequest | undefined;
  const run = (): BatchRun => ({
    engine, output, write, progress: progressWriter(io.errorOutput, source.filename), stopRequested: () => interrupted, strayFault: () => stray,
  });
  injectContext(context, contextValues(login, {
    logout: async () => {
      await login.logout();
      exitRequested = new ExitRequest(0, 'logged out');
      throw exitRequested;
    },
    load: loader(run),
    print: (...values) => write(`${printed(values, output)}\n`),
    askSecret: async (question) => {
      // On a terminal (a script started from one), asked there without echo; never from piped input.
      if (!io.input.isTTY) throw new Error('passwordPrompt() needs a terminal (standard input is not one)');
      const answer = await ask({ input: io.input, output: io.errorOutput }, question, { hidden: true });
      if (answer === undefined) throw new Error('no password given (end of input)');
      return answer;
    },
  }));
  try {
    const result = await runStatements(run(), source);
    if (result.kind === 'done') return 0;
    if (result.kind === 'exit') {
      if (result.message && result.exitCode !== 0) io.errorOutput.write(`${visible(result.message)}\n`);
      return result.exitCode;
    }
    io.errorOutput.write(`${visible(result.message)}\n`);
    return 1;
  } finally {
    giveBackFaults();
    process.removeListener('SIGINT', forward);
    server?.close();
  }
}
