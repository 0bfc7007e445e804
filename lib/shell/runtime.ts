/**
 * The shell's runtime: one for the REPL and for every batch form (--eval, a
 * script, piped stdin; .load and load() inside either). It holds what they
 * share — the output options and print, the context's values (clients,
 * contracts, events, users, whoami, help, load, print, passwordPrompt,
 * logout…), the evaluation of a statement once the token has been checked
 * again (lib/shell/engine.ts), load(file), and the policy for faults nobody
 * awaited — and leaves a front-end (lib/shell/repl.ts, lib/shell/batch.ts)
 * only what differs: where statements come from and run, how a password is
 * asked, what logout leaves, and what a fault does while nothing runs.
 */
import type { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type vm from 'node:vm';
import { reportFault, takeFaults } from './faults.js';
import { contextValues, injectContext } from './context.js';
import { Engine, ExitRequest, FaultTakers, type Outcome, type ReplHandle } from './engine.js';
import { describeError } from './errors.js';
import { BatchStopped, progressWriter, runStatements, type BatchResult, type BatchRun, type BatchSource } from './loader.js';
import type { AskPassword, Login } from './login.js';
import { printed, render, ShellText, visible, wantsColor, type OutputOptions } from './output.js';
import { Settings } from './settings.js';
import { showResult } from './machine-output.js';
import { chooseNewPassword, WRONG_CURRENT_PASSWORD } from '../auth/own-password.js';
import { AuthError } from '../domain/errors.js';
import { insideFile, resolveUserPath, setStartDir, startDir } from '../platform/user-paths.js';

export interface ShellIO {
  input: Readable & { isTTY?: boolean };
  output: Writable & { isTTY?: boolean };
  errorOutput: Writable & { isTTY?: boolean };
  /** History file (state directory); none: no history kept. */
  historyFile?: string;
  json: boolean;
  /** --csv: lists (every page), records and arrays of records print as CSV. */
  csv?: boolean;
  quiet: boolean;
  /** Default: output is a TTY and NO_COLOR is not set. */
  color?: boolean;
  /** Default: input and output are TTYs. */
  terminal?: boolean;
  /** Printed at start unless quiet (e.g. the demo notice). */
  banner?: string;
  /** Where config.set keeps the settings (state directory); none: for this session only. */
  settingsFile?: string;
  /** A start-up file run when the prompt opens (rc.js in the state directory); none: --norc. */
  rcFile?: string;
  /** The terminal's width; default: the output's columns when it is a TTY. */
  width?: number;
  /** The folder the user started in, for relative paths (lib/shell/user-paths.ts); default: INIT_CWD under npm, else the working directory. */
  startDir?: string;
}

/** What a front-end brings to the runtime. */
export interface FrontEnd {
  /** Where statements run: the REPL's context, or a script's. */
  context: vm.Context;
  /** Node's REPL, for what only its eval runs (top-level await): given, or made on first need. */
  repl: ReplHandle | (() => ReplHandle);
  /** Where Ctrl+C comes from. */
  sigint: EventEmitter;
  /** The password again when the token expired; without it an expired session ends the run (exit code 3). */
  askPassword?: AskPassword;
  /** passwordPrompt(): a password asked without echo. */
  askSecret(question: string): Promise<string>;
  /** A yes/no question (y/N) a person answers; absent: nobody to ask (scripts, --eval, piped input). */
  askYesNo?(question: string): Promise<boolean>;
  /** logout() has ended the database session and forgotten the token: leave. */
  loggedOut(): void;
  /** A line for the person waiting (Ctrl+C waiting for a call to stop). */
  notice(line: string): void;
  /** The label of a batch's progress on a terminal. */
  progressLabel: string;
  /** A fault nobody awaited while no statement or batch runs (at the prompt). */
  idleFault(err: unknown): void;
  /** Ctrl+C came between two statements: a batch stops before its next. */
  stopRequested?: () => boolean;
}

/** How results are shown now: the settings (config.set) apply from the next result on. */
export function outputOptions(io: ShellIO, settings?: Settings): OutputOptions {
  const color = wantsColor(io.color, io.output);
  const width = io.width ?? (io.output.isTTY ? (io.output as { columns?: number }).columns : undefined);
  return { json: io.json, color: settings ? settings.color(color) : color, width: width || undefined, display: settings?.display() };
}

export class ShellRuntime implements BatchRun {
  readonly settings: Settings;
  readonly engine: Engine;
  /** The context's values, put in a context by inject(). */
  readonly values: Record<string, unknown>;
  readonly progress: BatchRun['progress'];
  readonly stopRequested?: () => boolean;
  private readonly takers = new FaultTakers();
  private readonly giveBackFaults: () => void;
  private readonly restoreStartDir: () => void;
  private closed = false;
  /** Files being loaded (.load, load()): their statements never ask for confirmation. */
  private loading = 0;

  constructor(readonly login: Login, readonly io: ShellIO, private readonly front: FrontEnd) {
    this.settings = new Settings(io.settingsFile, (line) => void io.errorOutput.write(`${visible(line)}\n`));
    this.restoreStartDir = setStartDir(io.startDir ?? startDir());
    this.progress = progressWriter(io.errorOutput, front.progressLabel);
    this.stopRequested = front.stopRequested;
    this.engine = new Engine(login, {
      repl: front.repl,
      context: front.context,
      sigint: front.sigint,
      askPassword: front.askPassword,
      faults: this.takers,
      onStrayError: this.fault,
      notice: front.notice,
    });
    this.values = contextValues(login, {
      logout: async () => {
        await login.logout();
        front.loggedOut();
      },
      load: async (file) => void (await this.load(file)),
      print: (...values) => this.print(...values),
      askSecret: (question) => front.askSecret(question),
      settings: this.settings,
      // Home, erase the screen and the scrollback: what `clear` does.
      clear: () => void (io.output.isTTY && io.output.write('\x1b[H\x1b[2J\x1b[3J')),
      confirm: () => this.asker(),
      passwd: (...args) => this.passwd(args),
    });
    this.giveBackFaults = takeFaults(this.fault);
  }

  get output(): OutputOptions {
    return outputOptions(this.io, this.settings);
  }

  /** Put the shell's names in `context` (again after the REPL's .clear). */
  inject(context: vm.Context): void {
    injectContext(context, this.values);
    this.engine.useContext(context);
  }

  write(text: string): void {
    this.io.output.write(text);
  }

  /** print(...values) in the context. */
  print(...values: unknown[]): void {
    this.write(`${printed(values, this.output)}\n`);
  }

  /** A result as the shell shows it; throws when it cannot be rendered (a toJSON that throws). */
  render(value: unknown): string {
    return render(value, this.output);
  }

  /** Print a result (lib/shell/machine-output.ts: --csv, --json, pipes; a front-end without askYesNo is a batch). */
  show(value: unknown): void | Promise<void> {
    return showResult(value, this.io, this.output, !this.front.askYesNo);
  }

  describe(error: unknown): string {
    return describeError(error, this.login.monitor);
  }

  /** One statement: the token checked again first, then evaluated and awaited. */
  evaluate(code: string, file: string, script?: vm.Script): Promise<Outcome> {
    return this.engine.evaluate(code, file, script);
  }

  holdFaults(taker: (err: unknown) => void): () => void {
    return this.takers.enter(taker);
  }

  /** Run code statement by statement (lib/shell/loader.ts). */
  run(source: BatchSource): Promise<BatchResult> {
    return runStatements(this, source);
  }

  /**
   * load(file) in the context: run the file's statements, throw at the first
   * failure; how many statements ran. A relative path is the start folder's,
   * or inside a loaded file that file's folder (lib/shell/user-paths.ts).
   */
  async load(file: unknown): Promise<number> {
    if (typeof file !== 'string' || file.trim() === '') throw new TypeError('load(file) takes a file name');
    const resolved = resolveUserPath(file);
    const code = await fs.promises.readFile(resolved, 'utf8').catch((err: NodeJS.ErrnoException) => {
      const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a folder' : err.code === 'EACCES' ? 'permission denied' : err.message;
      throw new Error(`cannot read ${file}${path.isAbsolute(file) ? '' : ` (${resolved})`}: ${why}`);
    });
    this.loading++;
    const result = await insideFile(resolved, () => this.run({ code, filename: file, print: 'none' })).finally(() => this.loading--);
    if (result.kind === 'exit') throw new ExitRequest(result.exitCode, result.message);
    if (result.kind === 'failed') throw new BatchStopped(result.message);
    return result.statements;
  }

  /**
   * passwd(): the current password, then the new one twice, each asked
   * without echo (never in a line, the history or `ps`); the database checks
   * the current one. This session goes on, the others end.
   */
  private async passwd(args: unknown[]): Promise<ShellText> {
    if (args.length > 0) throw new TypeError('passwd() takes no arguments: it asks for each password without echo, so none is in a line, the history or ps');
    const ask = (question: string) => this.front.askSecret(question);
    const say = (line: string) => void this.io.errorOutput.write(`${line}\n`);
    const current = await ask(`Current password for ${this.login.actor().email}: `);
    if (current !== undefined && this.login.checkPassword && !(await this.login.checkPassword(current))) throw new AuthError(WRONG_CURRENT_PASSWORD);
    const next = await chooseNewPassword(ask, say, undefined, (typed) => (typed === current ? 'must differ from the current one' : undefined));
    if (next === undefined) throw new Error('no new password given; nothing was changed');
    if (!(await this.login.changePassword(current, next))) throw new AuthError(WRONG_CURRENT_PASSWORD);
    return new ShellText('Password changed. Your other sessions have ended; this one goes on.');
  }

  /**
   * Who confirms a call that cannot be undone, typed at the prompt: the
   * person, y/N. A loaded file's statements never ask (nor scripts, which
   * have nobody to ask).
   */
  private asker(): ((question: string) => Promise<boolean>) | undefined {
    const ask = this.front.askYesNo;
    return this.loading > 0 || !ask ? undefined : (question) => ask.call(this.front, question);
  }

  /**
   * The policy for a fault nobody awaited — a throw in a timer, a rejection
   * nobody handled — whether it came through the process's events
   * (lib/shell/faults.ts) or Node's REPL took it from user code: it fails the
   * statement running, else the batch running before its next statement
   * (exit code 1 for a batch form), else at the prompt it is one line and
   * the prompt. Once the front-end is done, the process's policy has it:
   * one line, exit code 1. Never a stack.
   */
  readonly fault = (err: unknown): void => {
    if (this.takers.give(err)) return;
    if (this.closed) return reportFault(err);
    this.front.idleFault(err);
  };

  /** The front-end is done: faults go back to the process. */
  close(): void {
    this.closed = true;
    this.giveBackFaults();
    this.restoreStartDir();
  }
}
