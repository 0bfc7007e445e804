/**
 * The shell: the interactive REPL (repl.ts) and batches (batch.ts), two
 * front-ends on one runtime (runtime.ts), given a login (login.ts).
 */
export { openShell, promptFor, startShell, type OpenShell } from './repl.js';
export { runBatch } from './batch.js';
export { BatchStopped, type BatchSource, type PrintMode } from './loader.js';
export type { ShellIO } from './shell-io.js';
export type { Login, AskPassword, Verdict } from './login.js';
