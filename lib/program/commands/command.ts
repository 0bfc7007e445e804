/**
 * What every command (lib/program/commands/*) receives from the command line
 * (lib/program/cli.ts): its parsed options and its streams and environment.
 */
import { loadConfig, readEnvironment, type Config } from '../../platform/config.js';
import type { Terminal } from '../../platform/prompt.js';

export interface CliIO {
  stdin: Terminal['input'];
  stdout: Terminal['output'];
  stderr: Terminal['output'];
  env: NodeJS.ProcessEnv;
}

export interface CliOptions {
  command: 'shell' | 'setup' | 'logout' | 'stop' | 'unlock' | 'types' | 'help' | 'version';
  /** unlock EMAIL: the email whose lockout to lift. */
  unlockEmail?: string;
  email?: string;
  passwordStdin: boolean;
  json: boolean;
  /** --csv: results as CSV (batches: --eval, a script, piped input). */
  csv?: boolean;
  quiet: boolean;
  /** --norc: do not run the start-up file (rc.js in the state directory). */
  norc?: boolean;
  /** --reset (with --demo): the demo data put back as first loaded. */
  reset?: boolean;
  demo?: 'management' | 'sales' | 'support';
  file?: string;
  eval?: string;
}

export type CommandRunner = (opts: CliOptions, io: CliIO) => Promise<number>;

/** The configuration from the command's environment (and .env). */
export function configFrom(io: CliIO): Config {
  return loadConfig(readEnvironment(io.env, process.cwd(), (line) => io.stderr.write(`${line}\n`)));
}
