/**
 * Run the built CLI (bin/epic-events.js) as a child process with pipes
 * (stdin is not a TTY), pointed at the test run's server. Every child is
 * tracked, so a test's afterEach can kill what is still running (killAll).
 * Under a pseudo-terminal: spec/support/pty.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ConnectionParams } from '../../lib/platform/config.js';
import { packageRoot } from '../../lib/platform/paths.js';
import fs from 'node:fs';
import os from 'node:os';
import { buildWorld, type World } from './fixtures.js';
import { APP_PASSWORD, adminUrl, ctx, resetData } from './server.js';

export const CLI = path.join(packageRoot, 'bin', 'epic-events.js');

/** A fixed secret (48 characters) for the spawned CLIs, so tests can issue and check their tokens. */
export const CLI_JWT_SECRET = 'cli-test-jwt-secret-0123456789abcdefghijklmnopqr';

/** The environment of a CLI on the test database: no .env, the admin URL, the runtime role's password, fast bcrypt, its own state dir. */
export function cliEnv(admin: ConnectionParams, stateDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    EPIC_EVENTS_NO_DOTENV: '1',
    DATABASE_URL: adminUrl(admin),
    APP_DB_PASSWORD: APP_PASSWORD,
    EPIC_EVENTS_HOME: stateDir,
    BCRYPT_ROUNDS: '4',
    JWT_SECRET: CLI_JWT_SECRET,
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TERM: 'xterm',
    ...extra,
  };
}

/**
 * An embedded server started by a spawned CLI stops when its last user leaves
 * (no lingering server outlives a test) unless the test sets EMBEDDED_IDLE itself.
 */
export const NO_LINGERING = { EMBEDDED_IDLE: '0' } as const;

const running = new Set<ChildProcess>();

/** Kill every child still running (afterEach). */
export async function killAll(): Promise<void> {
  await Promise.all([...running].map(async (child) => {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((resolve) => child.once('close', () => resolve()));
      child.kill('SIGKILL');
      await gone;
    }
    running.delete(child);
  }));
}

export function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('close', () => running.delete(child));
  return child;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ChildProcess;
  /** Resolves when the process has ended. */
  done: Promise<CliResult>;
}

/** Start `node bin/epic-events.js ...args`, feed `input` and close stdin. */
export function startCli(args: string[], env: NodeJS.ProcessEnv, input = ''): CliRun {
  const child = track(spawn(process.execPath, [CLI, ...args], { env: { ...NO_LINGERING, ...env }, cwd: packageRoot, stdio: ['pipe', 'pipe', 'pipe'] }));
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  child.stdin?.on('error', () => undefined); // the CLI may exit before reading everything
  child.stdin?.end(input);
  const done = new Promise<CliResult>((resolve) => child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

/** Run it to the end (killed, and an error, after `timeoutMs`). */
export async function runCli(args: string[], env: NodeJS.ProcessEnv, input = '', timeoutMs = 60_000): Promise<CliResult> {
  const run = startCli(args, env, input);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      run.child.kill('SIGKILL');
      reject(new Error(`epic-events ${args.join(' ')} did not finish in ${timeoutMs} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([run.done, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export interface CliTestbed {
  /** The CLI's state directory, fresh for each test. */
  readonly home: string;
  /** cliEnv for that directory. */
  readonly env: NodeJS.ProcessEnv;
  /** The fixture world (spec/support/fixtures.ts), fresh for each test. */
  readonly world: World;
}

/**
 * For each test of the calling describe: the fixture world, a fresh state
 * directory and its environment; afterwards no child left running and the
 * directory removed.
 */
export function cliTestbed(prefix: string): CliTestbed {
  const bed = {} as { home: string; env: NodeJS.ProcessEnv; world: World };
  beforeEach(async () => {
    await resetData();
    bed.world = await buildWorld();
    bed.home = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    bed.env = cliEnv(ctx().target.admin, bed.home);
  });
  afterEach(async () => {
    await killAll();
    fs.rmSync(bed.home, { recursive: true, force: true });
  });
  return bed;
}
