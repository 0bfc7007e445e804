/**
 * Running code statement by statement, the same for every batch: `.load
 * file` and `load('file')` at the prompt or in a script, script files,
 * --eval and piped stdin. Statements run in order, each awaited; the first
 * failure stops the batch and names the file, the line and how many
 * statements ran (an error, the session ending, a fault nobody awaited, a
 * value that cannot be printed).
 */
import type { Writable } from 'node:stream';
import type { Compiled } from './shapes.js';
import type { Evaluation } from './engine.js';
import { Interrupted } from './errors.js';
import { lineCount, readStatements } from './statements.js';

/** The exit code of a batch Ctrl+C (SIGINT) stopped: 128 + 2, as a shell reports it. */
export const SIGINT_EXIT = 130;

/** What a batch prints: nothing (scripts), each result (piped stdin), the last result (--eval). */
export type PrintMode = 'none' | 'each' | 'last';

export interface BatchSource {
  code: string;
  filename: string;
  print?: PrintMode;
}

export type BatchResult =
  | { kind: 'done'; statements: number }
  /** `interrupted`: Ctrl+C (SIGINT) stopped it. */
  | { kind: 'failed'; line: number; completed: number; message: string; interrupted?: boolean }
  | { kind: 'exit'; exitCode: number; message?: string };

/** What a batch runs on (lib/shell/runtime.ts). */
export interface BatchRun {
  /** One statement, the token checked first. */
  evaluate(code: string, file: string, script?: Compiled): Promise<Evaluation>;
  /** Print a result as the shell does; throws when it cannot be rendered (a toJSON that throws); --csv streams a list. */
  show(value: unknown): void | Promise<void>;
  /** An error as its one line. */
  describe(error: unknown): string;
  /**
   * While the batch runs, faults nobody awaited that come between two of its
   * statements go to `taker` (until the returned function is called).
   */
  holdFaults(taker: (err: unknown) => void): () => void;
  /** Progress on stderr when it is a terminal: lines run of the file's lines. */
  progress?: (done: number, total: number) => void;
  /** Ctrl+C came between two statements: stop before the next. */
  stopRequested?: () => boolean;
}

const PROGRESS_FROM = 20;

export async function runStatements(run: BatchRun, source: BatchSource): Promise<BatchResult> {
  // Read one statement at a time, as they run: memory stays the script's text plus one statement.
  const lines = lineCount(source.code);
  let index = 0;
  const mode = source.print ?? 'none';
  // A fault nobody awaited that came between two statements (a throw in a timer): the batch fails with it.
  let stray: { error: unknown } | undefined;
  const release = run.holdFaults((error) => void (stray ??= { error }));
  try {
    let last: unknown;
    /**
     * Where it stopped and how far it got: the file, the line, and how many
     * statements ran. `after`: the line had run whole (a fault nobody awaited
     * came once it was done), so it counts among those that ran.
     */
    const stoppedAt = (line: number, completed: number, what: string, after = false) =>
      `${source.filename}:${line}: ${what} ${after ? `(stopped after it; ${completed} statements ran)` : `(stopped there; ${completed} statements before it ran)`}`;
    const failed = (line: number, completed: number, error: unknown, after = false): BatchResult => {
      run.progress?.(-1, lines);
      return { kind: 'failed', line, completed, message: stoppedAt(line, completed, run.describe(error), after), interrupted: error instanceof Interrupted };
    };
    /** Shown, or the failure to render (a toJSON that throws) as the statement's own error. */
    const show = async (value: unknown, line: number, completed: number): Promise<BatchResult | undefined> => {
      try {
        await run.show(value);
        return undefined;
      } catch (error) {
        return failed(line, completed, error);
      }
    };
    let lastLine = 0;
    for (const statement of readStatements(source.code, source.filename)) {
      if (stray) return lastLine ? failed(lastLine, index, stray.error, true) : failed(statement.line, index, stray.error);
      if (run.stopRequested?.()) return { kind: 'exit', exitCode: SIGINT_EXIT, message: `${source.filename}:${statement.line}: interrupted (Ctrl+C) before this line; ${index} statements ran` };
      if (run.progress && lines >= PROGRESS_FROM) run.progress(statement.line - 1, lines);
      const outcome = await run.evaluate(statement.code, source.filename, statement.script);
      if (outcome.kind === 'exit') {
        // Stopped by the session (expired, revoked): where, and how far it got, as every failure does.
        if (!outcome.session) return outcome;
        run.progress?.(-1, lines);
        return { kind: 'exit', exitCode: outcome.exitCode, message: stoppedAt(statement.line, index, outcome.message ?? 'the session ended') };
      }
      if (outcome.kind === 'error') return failed(statement.line, index, outcome.error);
      if (mode === 'each' && outcome.value !== undefined) {
        const failure = await show(outcome.value, statement.line, index);
        if (failure) return failure;
      }
      last = outcome.value;
      lastLine = statement.line;
      index++;
    }
    run.progress?.(-1, lines);
    if (mode === 'last' && last !== undefined) {
      const failure = await show(last, lastLine, index - 1);
      if (failure) return failure;
    }
    if (stray) return failed(lastLine, index, stray.error, true);
    return { kind: 'done', statements: index };
  } finally {
    release();
  }
}

/** Raised by load() when the file stops at a failure. */
export class BatchStopped extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BatchStopped';
  }
}

export function progressWriter(stream: Writable & { isTTY?: boolean }, label: string): BatchRun['progress'] {
  if (!stream.isTTY) return undefined;
  // Lines done of the file's lines (statements are read as they run: their count is not known before).
  let shown = -Infinity;
  return (done, total) => {
    if (done < 0) {
      stream.write('\r\x1b[K');
      shown = -Infinity;
    } else if (done >= shown + 10 || done === 0) {
      shown = done;
      stream.write(`\r${label}: ${done}/${total}`);
    }
  };
}
