/**
 * The interactive front-end: Node's own REPL (its eval kept and wrapped, so
 * top-level await and Ctrl+C keep working; lib/shell/repl-adapter.ts) on the
 * shell's runtime (lib/shell/runtime.ts), with the prompt, the password
 * question of an expired session, a private redacted history, `.load`, and
 * Tab completion from the permission table.
 */
import repl, { type REPLEval, type REPLServer } from 'node:repl';
import type { Actor } from '../domain/actor.js';
import { HideableOutput } from '../platform/prompt.js';
import { shellCompleter } from './completion.js';
import { withNames } from './name-completion.js';
import { showNotices } from './notices.js';
import { loginDigest } from './digest.js';
import { fitText } from '../platform/width.js';
import { HistoryFile } from './history.js';
import type { AskPassword, Login } from './login.js';
import { paint, render, visible, type OutputOptions } from './output.js';
import { needsPager, showInPager } from './pager-command.js';
import { startRepl, type AdaptedRepl, type Completion } from './repl-adapter.js';
import { ShellRuntime } from './runtime.js';
import { outputOptions, type ShellIO } from './shell-io.js';
import { readStartupFile, runStartupFile } from './startup-file.js';
import { isIncomplete } from './statements.js';
import { LineMemory, lineQuestion, Turns } from './repl-lines.js';
import { usesAwait, withoutLeadingAwait } from './tokens.js';

export function promptFor(actor: Actor): string {
  return visible(`epic(${actor.department}:${actor.email})> `);
}

export interface OpenShell {
  server: REPLServer;
  /** The exit code, once the REPL has closed (0; 3 when the session was revoked). */
  done: Promise<number>;
  /** Tab completion as the REPL does it (for tests). */
  complete(line: string): Promise<Completion>;
}

/** The interactive shell: the greeting with the login digest (unless quiet), then the REPL until it closes. */
export async function startShell(login: Login, io: ShellIO): Promise<number> {
  const digest = io.quiet ? [] : await loginDigest(login);
  return openShell(login, io, digest).done;
}

export function openShell(login: Login, io: ShellIO, digest: readonly string[] = []): OpenShell {
  const terminal = io.terminal ?? Boolean(io.input.isTTY && io.output.isTTY);
  const output = outputOptions(io);
  const prompt = promptFor(login.actor());
  const writeError = (line: string) => void io.errorOutput.write(`${paint(visible(line), 'red', output.color)}\n`);
  greet(login, io, digest, output.width);
  const history = io.historyFile ? new HistoryFile(io.historyFile, { warn: writeError }) : undefined;
  const saved = history?.load() ?? [];

  const results = new ShownResults(() => runtime.output);
  // A start-up file shows the prompt once it has run.
  const rc = io.rcFile ? readStartupFile(io.rcFile, writeError) : undefined;
  // The REPL writes through an output the password question can hide (public stream API, lib/platform/prompt.ts).
  const replOutput = new HideableOutput(io.output);
  const adapted = startServer(rc === undefined ? prompt : '', io, replOutput, terminal, output, results.writer);
  const { server } = adapted;
  for (const note of adapted.notes) writeError(`note: ${note}`);
  if (terminal) adapted.seedHistory(saved);

  const memory = new LineMemory(server, history, terminal);
  const askLine = lineQuestion(server, replOutput, io, terminal, memory);
  const askPassword: AskPassword = (question) => askLine(question, { hidden: true });
  const turns = new Turns();
  const runtime: ShellRuntime = new ShellRuntime(login, io, {
    context: server.context,
    repl: adapted,
    sigint: server,
    askPassword,
    askSecret: async (question) => {
      // While a line with top-level await runs, Node's REPL holds every key back until it ends: the question could never be answered.
      if (turns.awaiting) throw new Error('passwordPrompt() cannot be awaited at the prompt: write users.create({…, password: passwordPrompt()}), the shell waits for it');
      const answer = await askPassword(question);
      if (answer === undefined) throw new Error('no password given (end of input)');
      return answer;
    },
    askYesNo: async (question) => {
      if (turns.awaiting) throw new Error('this call asks for confirmation first, which cannot be answered while a line with await runs: write it without await (the shell waits for it)');
      const answer = await askLine(`${question} [y/N] `, { hidden: false });
      return /^\s*y(es)?\s*$/i.test(answer ?? '');
    },
    loggedOut: () => {
      io.output.write('Logged out.\n');
      server.close();
    },
    notice: (line) => void io.errorOutput.write(`\n${paint(line, 'dim', output.color)}\n`),
    progressLabel: 'load',
    // A fault nobody awaited at the prompt: one line, and the prompt.
    idleFault: (err) => {
      writeError(runtime.describe(err));
      server.displayPrompt();
    },
  });
  runtime.inject(server.context);
  server.on('reset', (context) => runtime.inject(context));

  adapted.setEval(lineEvaluator({ runtime, turns, server, terminal, memory, results, writeError, io }));
  // Node's .save writes every line of the session, passwords included, to a world-readable file.
  adapted.removeCommand('save');
  defineLoad(server, runtime, turns, io, writeError);
  const complete = adapted.setCompleter(withNames(shellCompleter(login), () => login.candidates));
  // Notices above the prompt: the interactive shell on a terminal only (lib/shell/notices.ts).
  if (terminal) showNotices(login, { server, output: io.output, enabled: () => runtime.settings.notices(), busy: () => turns.running > 0 || memory.asking, color: output.color, width: io.width });
  if (rc !== undefined) runStartupFile(rc, io.rcFile as string, { runtime, turns, server, writeError, prompt });

  const done = new Promise<number>((resolve) => {
    server.once('exit', () => {
      runtime.close();
      turns.settled().then(() => login.monitor.flush(2000)).catch(() => undefined).then(() => resolve(turns.exitCode));
    });
  });
  return { server, done, complete };
}

/** The banner, who is logged in and the login digest (lines already made visible), unless quiet. */
function greet(login: Login, io: ShellIO, digest: readonly string[], width: number | undefined): void {
  if (io.quiet) return;
  const write = (text: string) => void io.output.write(`${fitText(text, width)}\n`);
  if (io.banner) write(io.banner);
  write(`${visible(`Logged in as ${login.actor().fullName} (${login.actor().department}).`)} Type help() for help.`);
  for (const line of digest) write(line);
}

function startServer(prompt: string, io: ShellIO, output: HideableOutput, terminal: boolean, options: OutputOptions, writer: (value: unknown) => string): AdaptedRepl {
  return startRepl({
    prompt,
    input: io.input,
    output,
    terminal,
    useColors: options.color,
    preview: false, // previews evaluate as you type: never against the API
    breakEvalOnSigint: true,
    ignoreUndefined: true,
    writer,
  });
}

/**
 * Each result is rendered by the evaluation that produced it (a failure to
 * render is that evaluation's error, one line); the REPL's writer prints
 * that text.
 */
class ShownResults {
  private last?: { value: unknown; text: string };

  constructor(private readonly output: () => OutputOptions) {}

  keep(value: unknown, text: string): void {
    this.last = { value, text };
  }

  readonly writer = (value: unknown): string => (this.last && this.last.value === value ? this.last.text : render(value, this.output()));
}

interface EvaluatorParts {
  runtime: ShellRuntime;
  turns: Turns;
  server: REPLServer;
  terminal: boolean;
  memory: LineMemory;
  results: ShownResults;
  writeError: (line: string) => void;
  io: ShellIO;
}

/** The REPL's eval: each complete line, in turn, on the runtime; an error is one line, an ended session closes the shell. */
function lineEvaluator({ runtime, turns, server, terminal, memory, results, writeError, io }: EvaluatorParts): REPLEval {
  return function (code, _context, file, callback) {
    if (code.trim() === '') return callback(null, undefined);
    if (isIncomplete(code)) return callback(new repl.Recoverable(new SyntaxError('Unexpected end of input')), undefined);
    memory.record(code);
    turns.add(async () => {
      const run = withoutLeadingAwait(code); // `await contracts.sign(4)` asks as `contracts.sign(4)` does
      turns.awaiting = terminal && usesAwait(run);
      const outcome = await runtime.evaluate(run, file).finally(() => (turns.awaiting = false));
      if (outcome.kind === 'exit') {
        if (outcome.message && outcome.exitCode !== 0) writeError(outcome.message);
        turns.exitCode = outcome.exitCode;
        server.close();
        return;
      }
      if (outcome.kind === 'error') {
        writeError(runtime.describe(outcome.error));
        return callback(null, undefined);
      }
      if (outcome.value !== undefined) {
        let text: string;
        try {
          text = runtime.render(outcome.value);
        } catch (err) {
          // A toJSON or an inspect hook that throws: one line, like any error.
          writeError(runtime.describe(err));
          return callback(null, undefined);
        }
        // Longer than the screen: through the pager (never with --json, nor when the size is unknown).
        const pager = terminal && !io.json ? runtime.settings.pager() : undefined;
        if (pager && needsPager(text, (io.output as { rows?: number }).rows) && (await showInPager(text, pager, io))) return callback(null, undefined);
        results.keep(outcome.value, text);
      }
      callback(null, outcome.value);
    });
  };
}

/** `.load file`: the file's statements in turn, then `N statements ran`, or the first failure in one line; then the prompt. */
function defineLoad(server: REPLServer, runtime: ShellRuntime, turns: Turns, io: ShellIO, writeError: (line: string) => void): void {
  server.defineCommand('load', {
    help: 'Run a file statement by statement (the first failure stops it)',
    action(file: string) {
      turns.add(async () => {
        try {
          const ran = await runtime.load(file.trim());
          io.output.write(`${ran} statement${ran === 1 ? '' : 's'} ran\n`);
        } catch (err) {
          writeError(runtime.describe(err));
        }
        server.displayPrompt();
      });
    },
  });
}
