/** Run the real CLI (bin/epic-events.js) as a child process against the test database. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConnectionParams } from '../../lib/config.js';
import { APP_PASSWORD } from './server.js';

export const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'bin', 'epic-events.js');

export const CLI_JWT_SECRET = 'reliability-cli-jwt-secret-0123456789abcdef';

/** The environment of a CLI run on the test database (external server, no .env read). */
export function cliEnv(admin: ConnectionParams, stateDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const url = `postgres://${encodeURIComponent(admin.user)}:${encodeURIComponent(admin.password ?? '')}@${admin.host}:${admin.port}/${encodeURIComponent(admin.database)}`;
  return {
    PATH: process.env.PATH,
    HOME: stateDir,
    DATABASE_URL: url,
    APP_DB_PASSWORD: APP_PASSWORD,
    JWT_SECRET: CLI_JWT_SECRET,
    EPIC_EVENTS_HOME: stateDir,
    EPIC_EVENTS_NO_DOTENV: '1',
    BCRYPT_ROUNDS: '4',
    NO_COLOR: '1',
    ...extra,
  };
}

export interface CliRun {
  child: ChildProcess;
  /** Resolves when the process has ended. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv, stdin?: string): CliRun {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin!.on('error', () => undefined);
  child.stdin!.end(stdin ?? '');
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv, stdin?: string): CliRun['done'] {
  return startCli(args, env, stdin).done;
}
