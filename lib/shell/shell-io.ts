/**
 * What a front-end (lib/shell/repl.ts, lib/shell/batch.ts) gives the shell's
 * runtime (lib/shell/runtime.ts): the streams and options of this run
 * (ShellIO), what differs between the prompt and a script (FrontEnd), and how
 * results are shown now.
 */
import type { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import type vm from 'node:vm';
import type { ReplHandle } from './engine.js';
import type { AskPassword } from './login.js';
import { wantsColor, type OutputOptions } from './output.js';
import type { Settings } from './settings.js';

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
  /** A batch in its own context: plain statements run unguarded while all so far were plain (lib/shell/plain-calls.ts). */
  plainUnguarded?: boolean;
}

/** How results are shown now: the settings (config.set) apply from the next result on. */
export function outputOptions(io: ShellIO, settings?: Settings): OutputOptions {
  const color = wantsColor(io.color, io.output);
  const width = io.width ?? (io.output.isTTY ? (io.output as { columns?: number }).columns : undefined);
  return { json: io.json, color: settings ? settings.color(color) : color, width: width || undefined, display: settings?.display() };
}
