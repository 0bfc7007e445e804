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
import fs from 'node:fs';
import path from 'node:path';
import type vm from 'node:vm';
import type { Compiled } from './shapes.js';
import { FaultTakers, reportFault, takeFaults } from './faults.js';
import { contextValues, injectContext } from './context.js';
import { Engine, ExitRequest, type Evaluation } from './engine.js';
import { describeError } from './errors.js';
import { BatchStopped, progressWriter, runStatements, type BatchResult, type BatchRun, type BatchSource } from './loader.js';
import type { Login } from './login.js';
import { printed, render, ShellText, visible, type OutputOptions } from './output.js';
import { outputOptions, type FrontEnd, type ShellIO } from './shell-io.js';
import { Settings } from './settings.js';
import { showResult } from './machine-output.js';
import { chooseNewPassword, WRONG_CURRENT_PASSWORD } from '../auth/own-password.js';
import { AuthError } from '../domain/errors.js';
import { insideFile, resolveUserPath, setStartDir, startDir } from '../platform/user-paths.js';

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
      plainUnguarded: front.plainUnguarded,
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
  evaluate(code: string, file: string, script?: Compiled): Promise<Evaluation> {
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
