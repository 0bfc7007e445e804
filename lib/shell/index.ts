/**
 * The shell: Node's own REPL (its eval kept and wrapped, so top-level await
 * and Ctrl+C keep working) with the CRM objects in its context, the
 * evaluation gate before each input, awaited and formatted results, help and
 * completion from the permission table, and a private redacted history.
 */
import repl, { type REPLEval, type REPLServer } from 'node:repl';
import { OBJECTS } from '../permissions.js';
import type { Context } from 'node:vm';
import type { Actor } from '../actor.js';
import { BatchStopped, loader, progressWriter, runBatch, type BatchRun } from './batch.js';
import { SHELL_FUNCTIONS, completeShellLine, safeToDelegate, shellNamesFor, type Completion } from './completion.js';
import { contextValues, injectContext } from './context.js';
import { Engine } from './engine.js';
import { describeError } from './errors.js';
import { HistoryFile, isSensitive } from './history.js';
import { HideableOutput } from '../prompt.js';
import { startRepl, type Completer } from './repl-adapter.js';
import { paint, printed, render, visible, wantsColor, type OutputOptions } from './output.js';
import type { AskPassword, ShellIO, Login } from './login.js';
import { isIncomplete } from './statements.js';
import { usesAwait } from './tokens.js';
import { takeFaults } from '../faults.js';

export type { Login, ShellIO, AskPassword, Verdict, ShellApi } from './login.js';
export { runBatch, BatchStopped };
export type { BatchSource, PrintMode } from './batch.js';

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

export function startShell(login: Login, io: ShellIO): Promise<number> {
  return openShell(login, io).done;
}

export function openShell(login: Login, io: ShellIO): OpenShell {
  const output: OutputOptions = { json: io.json, color: wantsColor(io.color, io.output) };
  const terminal = io.terminal ?? Boolean(io.input.isTTY && io.output.isTTY);
  const writeError = (line: string) => void io.errorOutput.write(`${paint(visible(line), 'red', output.color)}\n`);
  if (!io.quiet && io.banner) io.output.write(`${io.banner}\n`);
  if (!io.quiet) io.output.write(`${visible(`Logged in as ${login.actor().fullName} (${login.actor().department}).`)} Type help() for help.\n`);

  const history = io.historyFile ? new HistoryFile(io.historyFile, { warn: (line) => writeError(line) }) : undefined;
  const saved = history?.load() ?? [];

  // The REPL writes through an output the password question can hide (public stream API, lib/prompt.ts).
  const replOutput = new HideableOutput(io.output);
  const adapted = startRepl({
    prompt: promptFor(login.actor()),
    input: io.input,
    output: replOutput,
    terminal,
    useColors: output.color,
    preview: false, // previews evaluate as you type: never against the API
    breakEvalOnSigint: true,
    ignoreUndefined: true,
    // shellEval renders each result first (a failure to render is the evaluation's error); the writer prints that text.
    writer: (value: unknown) => (rendered && rendered.value === value ? rendered.text : render(value, output)),
  });
  const { server } = adapted;
  for (const note of adapted.notes) writeError(`note: ${note}`);
  if (terminal) adapted.seedHistory(saved);

  // The Up-arrow memory, as the 'history' event hands it over (the public way
  // to keep a line out of it): never a password answer, never a line that
  // carries one.
  let asking = false;
  let recalled: string[] | undefined;
  server.on('history', (entries: string[]) => {
    recalled = entries;
    const typed = server.line;
    forget((entry) => (asking && entry === typed) || isSensitive(entry));
  });
  function forget(drop: (entry: string) => boolean): void {
    if (!recalled) return;
    for (let i = recalled.length - 1; i >= 0; i--) if (drop(recalled[i])) recalled.splice(i, 1);
  }

  const askPassword: AskPassword = (question) =>
    new Promise((resolve) => setImmediate(() => {
      // Through the REPL's own reader (a second reader would race it for the input), hidden and kept out of history.
      // Asked once the statement that asks (passwordPrompt()) has run its synchronous part: while it runs,
      // Node keeps the terminal out of raw mode (for Ctrl+C), and the terminal itself would echo what is typed.
      io.output.write(question);
      replOutput.hidden = true;
      asking = true;
      const cancel = new AbortController();
      const finish = (answer: string | undefined) => {
        replOutput.hidden = false;
        asking = false;
        server.removeListener('close', onClose);
        server.removeListener('SIGINT', onSigint);
        resolve(answer);
      };
      const onClose = () => finish(undefined);
      // Ctrl+C at the question: drop it (the evaluation is interrupted) and show the shell again.
      const onSigint = () => {
        cancel.abort();
        if (terminal) io.output.write('\n');
        finish(undefined);
      };
      server.once('close', onClose);
      server.once('SIGINT', onSigint);
      server.question(question, { signal: cancel.signal }, (answer) => {
        if (terminal) io.output.write('\n');
        finish(answer);
      });
    }));

  let rendered: { value: unknown; text: string } | undefined;
  const engine = new Engine(login, {
    repl: adapted,
    context: server.context,
    sigint: server,
    askPassword,
    onStrayError: (err) => onStray(err),
    notice: (line) => void io.errorOutput.write(`\n${paint(line, 'dim', output.color)}\n`),
  });
  /** A fault nobody awaited: it fails the evaluation running, or prints one line and the prompt. */
  function onStray(err: unknown): void {
    if (engine.failCurrent(err)) return;
    writeError(describeError(err, login.monitor));
    server.displayPrompt();
  }
  const batchRun = (): BatchRun => ({ engine, output, write: (t) => void io.output.write(t), progress: progressWriter(io.errorOutput, 'load') });
  let exitCode = 0;
  const values = contextValues(login, {
    logout: async () => {
      await login.logout();
      io.output.write('Logged out.\n');
      server.close();
    },
    load: loader(batchRun),
    print: (...vals) => void io.output.write(`${printed(vals, output)}\n`),
    askSecret: async (question) => {
      // While a line with top-level await runs, Node's REPL holds every key back until it ends: the question could never be answered.
      if (evaluatingAwait) throw new Error('passwordPrompt() cannot be awaited at the prompt: write users.create({…, password: passwordPrompt()}), the shell waits for it');
      const answer = await askPassword(question);
      if (answer === undefined) throw new Error('no password given (end of input)');
      return answer;
    },
  });
  const inject = (context: Context) => injectContext(context, values);
  inject(server.context);
  server.on('reset', inject);

  let evaluatingAwait = false;
  let queue: Promise<void> = Promise.resolve();
  const shellEval: REPLEval = function (code, context, file, callback) {
    if (code.trim() === '') return callback(null, undefined);
    if (isIncomplete(code)) return callback(new repl.Recoverable(new SyntaxError('Unexpected end of input')), undefined);
    recordHistory(code);
    // One evaluation at a time, in order, even when lines arrive faster than calls finish.
    queue = queue.then(async () => {
      evaluatingAwait = terminal && usesAwait(code);
      const outcome = await engine.evaluate(code, file).finally(() => (evaluatingAwait = false));
      if (outcome.kind === 'exit') {
        if (outcome.message && outcome.exitCode !== 0) writeError(outcome.message);
        exitCode = outcome.exitCode;
        server.close();
        return;
      }
      if (outcome.kind === 'error') {
        writeError(describeError(outcome.error, login.monitor));
        return callback(null, undefined);
      }
      if (outcome.value !== undefined) {
        try {
          rendered = { value: outcome.value, text: render(outcome.value, output) };
        } catch (err) {
          // A toJSON or an inspect hook that throws: one line, like any error.
          writeError(describeError(err, login.monitor));
          return callback(null, undefined);
        }
      }
      callback(null, outcome.value);
    });
  };
  adapted.setEval(shellEval);

  function recordHistory(code: string): void {
    if (!history) return;
    if (!history.add(code) && terminal) {
      // The line reader already put the lines in its memory: take them out.
      const lines = new Set(code.split('\n').map((l) => l.trim()));
      forget((entry) => entry.split(/\r|\n/).some((l) => lines.has(l.trim())));
    }
  }

  // Node's .save writes every line of the session, passwords included, to a world-readable file.
  adapted.removeCommand('save');

  server.defineCommand('load', {
    help: 'Run a file statement by statement (the first failure stops it)',
    action(file: string) {
      queue = queue.then(async () => {
        try {
          await loader(batchRun)(file.trim());
        } catch (err) {
          writeError(describeError(err, login.monitor));
        }
        server.displayPrompt();
      });
    },
  });

  const complete = (line: string, nodeComplete: Completer | undefined): Promise<Completion> => {
    const department = login.actor().department;
    const ours = completeShellLine(line, department);
    if (ours) return Promise.resolve(ours);
    if (!safeToDelegate(line)) return Promise.resolve([[], line]);
    const names = shellNamesFor(line, department);
    if (!nodeComplete) return Promise.resolve(names ?? [[], line]);
    return new Promise((resolve) => {
      nodeComplete(line, (err, result) => {
        if (err || !result) return resolve(names ?? [[], line]);
        if (!names) return resolve(result);
        // Node lists our accessors too, methods and all: keep its globals, put ours first without duplicates.
        const merged = [...names[0], ...result[0].filter((n) => n !== '' && !names[0].includes(n) && !isShellName(n))];
        resolve([merged, names[1]]);
      });
    });
  };
  const tab = adapted.setCompleter(complete);

  const giveBackFaults = takeFaults(onStray);

  const done = new Promise<number>((resolve) => {
    server.once('exit', () => {
      giveBackFaults();
      queue.then(() => login.monitor.flush(2000)).catch(() => undefined).then(() => resolve(exitCode));
    });
  });

  return {
    server,
    done,
    complete: tab,
  };
}

function isShellName(name: string): boolean {
  return (OBJECTS as readonly string[]).includes(name) || (SHELL_FUNCTIONS as readonly string[]).includes(name);
}
