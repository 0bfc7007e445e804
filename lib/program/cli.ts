/** argv → command. Each command gets its dependencies (streams, environment) passed in. */
import type { CliIO, CliOptions, CommandRunner } from './commands/command.js';
import { ConfigError, isEpicError } from '../domain/errors.js';
import { checkNodeVersion } from '../platform/node-version.js';
import { visible } from '../platform/text.js';
import { commandFinished, installFaultHandlers } from '../shell/faults.js';

export const USAGE = `Usage: epic-events [options] [FILE.js]
       epic-events setup | logout | stop | unlock EMAIL | types [FILE.d.ts]

Commands:
  (none)                 log in and open the shell
  setup                  provision the database (idempotent)
  logout                 forget the stored token
  stop                   stop the embedded database now (it lingers EMBEDDED_IDLE)
  unlock EMAIL           lift a lockout of EMAIL (the administrator's connection)
  types [FILE]           write TypeScript declarations of the shell's globals for
                         checked scripts (default ./epic-events.d.ts; - for stdout)
  FILE.js, --file FILE   run a script with the stored token; the first error stops it
  --eval CODE            evaluate CODE, print the result, exit (--eval - reads CODE
                         from standard input: arguments are visible to all in ps)

Options:
  --email ADDRESS        log in as ADDRESS without asking
  --password-stdin       read the password from standard input
  --demo DEPARTMENT      embedded demo data, logged in as management, sales or support
  --reset                with --demo: put the demo data back as it was first loaded
  --json                 print results as JSON (a list with more rows says so on stderr)
  --csv                  print results as CSV, lists whole (every page); with --eval,
                         a script or piped input
  --quiet                no banner
  --norc                 do not run rc.js from the state directory at start
  -h, --help             this help
  -v, --version          the version

Exit codes: 0 ok, 1 error in a script or command, 2 bad usage, 3 authentication refused.`;

export function parseArgs(argv: readonly string[]): CliOptions {
  const opts: CliOptions = { command: 'shell', passwordStdin: false, json: false, quiet: false };
  const positional: string[] = [];
  const value = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || (v.startsWith('--') && v.length > 2)) throw new ConfigError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const inline = eq > 0 ? arg.slice(eq + 1) : undefined;
    const take = () => {
      if (inline !== undefined) return inline;
      const v = value(i, flag);
      i++;
      return v;
    };
    switch (flag) {
      case '--email': opts.email = take(); break;
      case '--password-stdin': opts.passwordStdin = true; break;
      case '--json': opts.json = true; break;
      case '--csv': opts.csv = true; break;
      case '--quiet': case '-q': opts.quiet = true; break;
      case '--norc': opts.norc = true; break;
      case '--reset': opts.reset = true; break;
      case '--file': case '-f': opts.file = take(); break;
      case '--eval': case '-e': opts.eval = take(); break;
      case '--demo': {
        const d = take();
        if (d !== 'management' && d !== 'sales' && d !== 'support') throw new ConfigError(`--demo takes management, sales or support (got "${d}")`);
        opts.demo = d;
        break;
      }
      case '--help': case '-h': opts.command = 'help'; break;
      case '--version': case '-v': opts.command = 'version'; break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new ConfigError(`unknown option ${flag} (see epic-events --help)`);
        positional.push(arg);
    }
  }
  if (opts.command === 'help' || opts.command === 'version') return opts;
  if (positional[0] === 'types') {
    positional.shift();
    opts.command = 'types';
    if (positional.length > 1) throw new ConfigError(`unexpected argument "${positional[1]}" (see epic-events --help)`);
    if (positional.length === 1) opts.file = positional[0];
    return opts;
  }
  if (positional[0] === 'setup' || positional[0] === 'logout' || positional[0] === 'stop') {
    opts.command = positional.shift() as 'setup' | 'logout' | 'stop';
  } else if (positional[0] === 'unlock') {
    opts.command = 'unlock';
    positional.shift();
    if (positional.length !== 1) throw new ConfigError('unlock takes one email: epic-events unlock EMAIL');
    opts.unlockEmail = positional.shift();
  } else if (positional[0] === 'help') {
    opts.command = 'help';
    return opts;
  }
  if (positional.length > 1) throw new ConfigError(`unexpected argument "${positional[1]}" (see epic-events --help)`);
  if (positional.length === 1) {
    if (opts.command !== 'shell') throw new ConfigError(`${opts.command} takes no file argument`);
    if (opts.file) throw new ConfigError('give the script either as FILE.js or with --file, not both');
    opts.file = positional[0];
  }
  if (opts.csv && opts.json) throw new ConfigError('--csv and --json cannot be used together');
  if (opts.file && opts.eval !== undefined) throw new ConfigError('--file and --eval cannot be used together');
  if (opts.eval === '-' && opts.passwordStdin) throw new ConfigError('--eval - and --password-stdin both read standard input: log in first, then run --eval -');
  if (opts.reset && !opts.demo) throw new ConfigError('--reset puts the demo data back: it goes with --demo DEPARTMENT');
  if (opts.demo && (opts.command !== 'shell')) throw new ConfigError('--demo opens the shell; it cannot be combined with setup, logout or stop');
  return opts;
}

const commands: Record<string, () => Promise<CommandRunner>> = {
  setup: async () => (await import('./commands/setup.js')).runSetupCommand,
  shell: async () => (await import('./commands/shell.js')).runShellCommand,
  logout: async () => (await import('./commands/logout.js')).runLogoutCommand,
  stop: async () => (await import('./commands/stop.js')).runStopCommand,
  unlock: async () => (await import('./commands/unlock.js')).runUnlockCommand,
  types: async () => (await import('./commands/types.js')).runTypesCommand,
};

export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    io.stderr.write(`${visible((err as Error).message)}\n`);
    return 2;
  }
  if (opts.command === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (opts.command === 'version') {
    const { packageVersion } = await import('../platform/version.js');
    io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  try {
    checkNodeVersion();
    const run = await commands[opts.command]();
    return await run(opts, io);
  } catch (err) {
    return reportFatal(err, io);
  }
}

/** Last-resort reporting: our errors as one line, anything else briefly (never a secret, never a stack). */
export function reportFatal(err: unknown, io: Pick<CliIO, 'stderr'>): number {
  if (isEpicError(err)) {
    io.stderr.write(`${visible(`${err.name}: ${err.message}`)}\n`);
    return err.exitCode;
  }
  io.stderr.write(`${visible(`Error: ${(err as Error)?.message ?? String(err)}`)}\n`);
  return 1;
}

/**
 * The program (bin/epic-events.js): faults nobody awaited are one line (lib/shell/faults.ts),
 * then main; the process exits with its code once everything is closed.
 */
export async function runProgram(argv: readonly string[]): Promise<void> {
  installFaultHandlers();
  const code = commandFinished(await main(argv));
  process.exitCode = code;
  // Everything is closed by now; should a stray handle linger, do not hang on it.
  setTimeout(() => process.exit(process.exitCode ?? code), 500).unref();
}

function processIO(): CliIO {
  // Standard input is made at its first use: a call that never reads it (--eval CODE, a script file) does not set it up.
  return {
    get stdin() {
      return process.stdin;
    },
    stdout: process.stdout, stderr: process.stderr, env: process.env,
  };
}
