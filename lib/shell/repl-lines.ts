/**
 * The lines of the interactive shell (lib/shell/repl.ts): evaluations one
 * at a time in order (Turns), what is remembered of what was typed
 * (LineMemory: history, never a secret), and a question asked on the
 * REPL's own line reader (a password hidden, or a y/N).
 */
import type { REPLServer } from 'node:repl';
import type { HideableOutput } from '../platform/prompt.js';
import { isSensitive, type HistoryFile } from './history.js';
import type { ShellIO } from './shell-io.js';

/** One evaluation at a time, in order, even when lines arrive faster than calls finish. */
export class Turns {
  /** A line with top-level await is running on a terminal (Node holds every key back meanwhile). */
  awaiting = false;
  /** The shell's exit code: set when an evaluation ends it (3: the session ended). */
  exitCode = 0;
  /** Turns added and not yet ended (a notice waits for none to be running). */
  running = 0;
  private queue: Promise<void> = Promise.resolve();

  add(work: () => Promise<void>): void {
    this.running++;
    this.queue = this.queue.then(work).finally(() => void this.running--);
  }

  settled(): Promise<void> {
    return this.queue;
  }
}

/**
 * What the shell remembers of the lines typed: the history file, and the
 * Up-arrow memory as the 'history' event hands it over (the public way to
 * keep a line out of it) — never a password answer, never a line that
 * carries one.
 */
export class LineMemory {
  /** A password question is open: what is typed now is its answer. */
  asking = false;
  private recalled?: string[];

  constructor(server: REPLServer, private readonly file: HistoryFile | undefined, private readonly terminal: boolean) {
    server.on('history', (entries: string[]) => {
      this.recalled = entries;
      const typed = server.line;
      this.forget((entry) => (this.asking && entry === typed) || isSensitive(entry));
    });
  }

  /** An entered statement: kept in the history file, unless it carries a secret (then out of the Up arrow too). */
  record(code: string): void {
    if (!isSensitive(code)) this.recallWhole(code);
    if (!this.file) return;
    if (!this.file.add(code) && this.terminal) {
      // The line reader already put the lines in its memory: take them out.
      const lines = new Set(code.split('\n').map((l) => l.trim()));
      this.forget((entry) => entry.split(/\r|\n/).some((l) => lines.has(l.trim())));
    }
  }

  /**
   * A statement typed over several lines comes back whole at Up-arrow: where
   * the line reader kept each line apart (Node.js before 24), they become one
   * entry on one line (not when a line ends in a `//` comment).
   */
  private recallWhole(code: string): void {
    const lines = code.replace(/\n$/, '').split('\n');
    const recalled = this.recalled;
    if (lines.length < 2 || !recalled || lines.some((l) => l.includes('//') || l.trim() === '')) return;
    const newestFirst = lines.map((l) => l.trim()).reverse();
    if (!newestFirst.every((l, i) => (recalled[i] ?? '').trim() === l)) return;
    recalled.splice(0, lines.length, newestFirst.reverse().join(' '));
  }

  private forget(drop: (entry: string) => boolean): void {
    const recalled = this.recalled;
    if (!recalled) return;
    for (let i = recalled.length - 1; i >= 0; i--) if (drop(recalled[i])) recalled.splice(i, 1);
  }
}

/**
 * A question asked through the REPL's own reader (a second reader would race
 * it for the input): a password (hidden) or a y/N, kept out of history.
 * Asked once the statement that asks (passwordPrompt(), a confirmation) has
 * run its synchronous part: while it runs, Node keeps the terminal out of raw
 * mode (for Ctrl+C), and the terminal itself would echo what is typed.
 * Ctrl+C at the question drops it (undefined, as at end of input).
 */
export function lineQuestion(server: REPLServer, replOutput: HideableOutput, io: ShellIO, terminal: boolean, memory: LineMemory) {
  return (question: string, { hidden }: { hidden: boolean }): Promise<string | undefined> =>
    new Promise((resolve) => setImmediate(() => {
      if (hidden) {
        io.output.write(question);
        replOutput.hidden = true;
      }
      memory.asking = true;
      const cancel = new AbortController();
      // A y/N question: Ctrl+C answers No (`Cancelled: nothing was changed.`), it does not interrupt the call that asks.
      const others = hidden ? [] : server.rawListeners('SIGINT');
      for (const l of others) server.removeListener('SIGINT', l as () => void);
      const finish = (answer: string | undefined) => {
        replOutput.hidden = false;
        memory.asking = false;
        server.removeListener('close', onClose);
        server.removeListener('SIGINT', onSigint);
        for (const l of others) server.on('SIGINT', l as () => void);
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
        if (hidden && terminal) io.output.write('\n');
        finish(answer);
      });
    }));
}
