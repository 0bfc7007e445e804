/**
 * One evaluation, the same for the prompt, `.load`/`load()` and scripts:
 * gate → Node's own eval (top-level await, let/const across lines) → await
 * the result (so `clients.list()` prints rows) → remember a page for `it`.
 * Ctrl+C while waiting cancels the query on the server.
 */
import type { EventEmitter } from 'node:events';
import { Interrupted } from './errors.js';
import vm from 'node:vm';
import { passGate } from './gate.js';
import { whileUserCodeRuns } from './signals.js';
import { PlainRun } from './plain-calls.js';
import { ShapedStatement, type Compiled } from './shapes.js';
import { declaredNames, isShellName, mistypedMethod, mistypedName, reflex } from './names.js';
import { ShellText } from './output.js';
import { NotFound, PermissionDenied, SessionRevoked, ValidationError } from '../domain/errors.js';
import { Pager } from './pager.js';
import { holdsThenable, isThenable, settleNested } from './settle.js';
import type { FaultTakers } from './faults.js';
import { shellSyntax } from './tokens.js';
import type { AdaptedRepl } from './repl-adapter.js';
import type { AskPassword, InterruptReport, Login } from './login.js';

/** What evaluating one input came to: its value, its error, or the end of the shell. */
export type Evaluation =
  | { kind: 'value'; value: unknown }
  | { kind: 'error'; error: unknown }
  /** `session`: the session ended it (expired, revoked); otherwise logout() or a nested load() asked. */
  | { kind: 'exit'; exitCode: number; message?: string; session?: boolean };

/** Thrown through user code (load(), logout()) to end the shell. */
export class ExitRequest extends Error {
  constructor(readonly exitCode: number, readonly detail?: string) {
    super(detail ?? 'exit');
    this.name = 'ExitRequest';
  }
}

const IT = /^\s*it\s*;?\s*$/;

/** Commands that do the same typed bare as called: `help` is help(). */
const BARE_COMMAND = /^\s*(help|whoami|exit|quit|clear|cls)\s*;?\s*$/;

/** A REPL whose own eval the engine uses (top-level await, what the prompt accepts). */
export type ReplHandle = Pick<AdaptedRepl, 'server' | 'nodeEval' | 'onError'>;

export interface EngineOptions {
  /**
   * The REPL: given (the prompt), or made on first need (batches: a script
   * whose statements are all plain never makes one, and so never pays for the
   * domain that a REPL puts around every asynchronous operation).
   */
  repl: ReplHandle | (() => ReplHandle);
  /** Where statements run: the REPL's eval is given this context too. */
  context: vm.Context;
  /** Where Ctrl+C comes from: the REPL (terminal) or the process (scripts). */
  sigint: EventEmitter;
  /** Present when a person can answer a password question. */
  askPassword?: AskPassword;
  /** Who takes a fault nobody awaited: each evaluation, while it runs, is the innermost taker. */
  faults: FaultTakers;
  /** An error Node's eval took from user code outside any evaluation (a timer it set): the runtime's fault policy. */
  onStrayError: (err: unknown) => void;
  /** A line for the person waiting (Ctrl+C waiting for a call to stop). */
  notice?: (line: string) => void;
  /**
   * A batch in a context of its own (lib/shell/batch.ts): while every statement
   * so far was plain (lib/shell/plain-calls.ts), a plain one runs without the
   * Ctrl+C watchdog and without setting signal listeners aside.
   */
  plainUnguarded?: boolean;
}

export class Engine {
  readonly pager = new Pager();

  private readonly evaluating: Array<{ reject: (err: unknown) => void }> = [];

  private replHandle?: ReplHandle;

  /** A batch's plain statements so far (options.plainUnguarded). */
  private readonly plainRun?: PlainRun;

  constructor(readonly login: Login, private readonly options: EngineOptions) {
    if (typeof options.repl !== 'function') this.useRepl(options.repl);
    if (options.plainUnguarded) this.plainRun = new PlainRun((name) => isShellName(this.options.context, name));
  }

  private useRepl(handle: ReplHandle): ReplHandle {
    this.replHandle = handle;
    this.captureErrors(handle, this.options.onStrayError);
    return handle;
  }

  private repl(): ReplHandle {
    if (this.replHandle) return this.replHandle;
    return this.useRepl((this.options.repl as () => ReplHandle)());
  }

  /**
   * `script`: the statement already compiled as a plain script, or read by its
   * shape (batches), run without the REPL's eval. A fault nobody awaited that comes while it runs
   * fails it, even when its value was ready at the same moment (a throw in a
   * microtask the statement queued).
   */
  async evaluate(code: string, file: string, script?: Compiled): Promise<Evaluation> {
    const bare = BARE_COMMAND.exec(code);
    if (bare) script = new vm.Script(`${bare[1]}()`, { filename: file });
    const habit = reflex(code);
    if (habit && 'say' in habit) return { kind: 'value', value: new ShellText(habit.say) };
    if (habit) script = new vm.Script(habit.run, { filename: file });
    // `const contracts = …` would hide the shell's own name for the session: refused, as an assignment is.
    const shaped = script instanceof ShapedStatement ? script : undefined;
    const declared = shaped ? shaped.declared() : declaredNames(code);
    const hidden = declared.find((name) => isShellName(this.options.context, name));
    if (hidden) return { kind: 'error', error: new TypeError(`${hidden} belongs to the shell and cannot be declared again (choose another name)`) };
    const unguarded = this.plainRun?.unguarded(code, declared, shaped?.shape.key) ?? false;
    let fault: { error: unknown } | undefined;
    let failWith: (err: unknown) => void = () => undefined;
    const faulted = new Promise<never>((_, reject) => (failWith = reject));
    faulted.catch(() => undefined);
    const leave = this.options.faults.enter((err) => {
      fault ??= { error: err };
      failWith(err);
    });
    const step = <T>(work: Promise<T>, keepNodeHandlers = false) => this.interruptible(Promise.race([work, faulted]), keepNodeHandlers);
    try {
      const gate = await step(passGate(this.login, this.options.askPassword));
      if (!gate.pass) return { kind: 'exit', exitCode: gate.exitCode, message: gate.message, session: true };
      let value: unknown = IT.test(code)
        ? await step(this.pager.next())
        : script
          ? await step(this.runCompiled(script, unguarded && declared.length === 0, unguarded))
          : await step(this.runDefaultEval(shellSyntax(code), file), /\bawait\b/.test(code));
      if (isThenable(value) || holdsThenable(value)) value = await step(settleNested(value));
      if (fault) return { kind: 'error', error: fault.error };
      this.pager.remember(value);
      return { kind: 'value', value };
    } catch (error) {
      if (error instanceof ExitRequest) return { kind: 'exit', exitCode: error.exitCode, message: error.detail };
      // Ctrl+C that Node's own eval took (it comes as a signal while user code runs
      // synchronously, the terminal out of raw mode): the same as the shell's own.
      if ((error as { code?: unknown } | null)?.code === 'ERR_SCRIPT_EXECUTION_INTERRUPTED') {
        return { kind: 'error', error: new Interrupted(await this.stopCalls().catch(() => undefined)) };
      }
      // The session ended under the call (revoked, the account deleted since the gate let it through): end as the gate would, saying why.
      if (error instanceof SessionRevoked || error instanceof ValidationError || error instanceof PermissionDenied || error instanceof NotFound) {
        const ended = await this.login.sessionEnded?.().catch(() => undefined);
        if (ended) return { kind: 'exit', exitCode: 3, message: `AuthError: ${ended}`, session: true };
        if (error instanceof SessionRevoked) return { kind: 'exit', exitCode: 3, message: `AuthError: ${error.message}`, session: true };
      }
      const context = this.options.context;
      const shellNames = Object.keys(context).filter((name) => isShellName(context, name));
      return { kind: 'error', error: mistypedMethod(error, code, this.login.actor().department) ?? mistypedName(error, code, (name) => name in context, shellNames) ?? error };
    } finally {
      leave();
    }
  }

  /** Ctrl+C: stop the calls in flight from writing, wait until they have ended, and say what became of them (Login.interrupt). */
  private stopCalls(): Promise<InterruptReport> {
    return this.login.interrupt(this.options.notice);
  }

  /** The REPL's .clear made a new context: statements run there from now on. */
  useContext(context: vm.Context): void {
    this.options.context = context;
  }

  /**
   * A batch's statement (a script, `.load`, load()): stopped by Ctrl+C even
   * while it never yields (`while (true) {}`), as a typed line is: SIGINT
   * interrupts it (the terminal out of raw mode meanwhile, so that Ctrl+C is a
   * signal), and SIGTERM or SIGHUP end the process (lib/shell/signals.ts).
   */
  private async runCompiled(compiled: Compiled, byShape: boolean, unguarded: boolean): Promise<unknown> {
    if (byShape && compiled instanceof ShapedStatement) return compiled.run(this.options.context);
    const script = compiled instanceof ShapedStatement ? compiled.script() : compiled;
    if (unguarded) return script.runInContext(this.options.context, { displayErrors: false });
    return whileUserCodeRuns(this.replHandle?.server.input, () => script.runInContext(this.options.context, { displayErrors: false, breakOnSigint: true }));
  }

  private runDefaultEval(code: string, file: string): Promise<unknown> {
    const { server, nodeEval } = this.repl();
    return new Promise((resolve, reject) => {
      const pending = { reject };
      this.evaluating.push(pending);
      const settle = (err: unknown, result?: unknown) => {
        const at = this.evaluating.indexOf(pending);
        if (at < 0) return;
        this.evaluating.splice(at, 1);
        if (err) reject(err);
        else resolve(result);
      };
      pending.reject = (err: unknown) => settle(err);
      try {
        nodeEval.call(server, code, this.options.context, file, (err, result) => settle(err, result));
      } catch (err) {
        settle(err);
      }
    });
  }

  /**
   * Node's eval takes errors thrown by the user's code (printing "Uncaught …"
   * with a stack and never calling back). Route them to the evaluation that
   * raised them instead, or, when none is running (a throw in a timer), print
   * them the shell's way.
   */
  private captureErrors(handle: ReplHandle, onStray: (err: unknown) => void): void {
    handle.onError((err: unknown) => {
      const pending = this.evaluating[this.evaluating.length - 1];
      if (pending) pending.reject(err);
      else onStray(err);
    });
  }

  /**
   * Wait for `work`, or stop waiting at Ctrl+C (and ask the server to cancel
   * the running query). With top-level await Node's own handler must also
   * run (it releases the input it paused), so it is kept; otherwise it is
   * set aside meanwhile (it would print "press Ctrl+C again" and a prompt).
   */
  private async interruptible<T>(work: Promise<T>, keepNodeHandlers: boolean): Promise<T> {
    const source = this.options.sigint;
    const saved = keepNodeHandlers ? [] : source.listeners('SIGINT');
    for (const l of saved) source.removeListener('SIGINT', l as (...args: unknown[]) => void);
    let onSigint: (() => void) | undefined;
    work.catch(() => undefined); // settled later after an interrupt: not an unhandled rejection
    try {
      return await new Promise<T>((resolve, reject) => {
        let stopped = false;
        onSigint = () => {
          if (stopped) return; // a second Ctrl+C while the first is being honoured
          stopped = true;
          // Stop the calls in flight from writing, wait until they have ended, then say what became of them.
          this.stopCalls().then((report) => reject(new Interrupted(report)), () => reject(new Interrupted()));
        };
        source.prependListener('SIGINT', onSigint);
        // After Ctrl+C the work's own outcome no longer decides (the report does).
        work.then((value) => !stopped && resolve(value), (err: unknown) => !stopped && reject(err));
      });
    } finally {
      if (onSigint) source.removeListener('SIGINT', onSigint);
      for (const l of saved) source.on('SIGINT', l as (...args: unknown[]) => void);
    }
  }
}
