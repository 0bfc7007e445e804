/**
 * The start-up file (rc.js in the state directory; --norc skips it): read
 * only when it can be trusted, run as the prompt's first turn, a failure one
 * line and the shell goes on (lib/shell/repl.ts).
 */
import type { REPLServer } from 'node:repl';
import { readPrivateFile } from '../platform/state.js';
import type { Turns } from './repl-lines.js';
import type { ShellRuntime } from './runtime.js';

/** The start-up file's code (rc.js in the state directory): undefined when there is none, or it cannot be trusted (one line). */
export function readStartupFile(file: string, writeError: (line: string) => void): string | undefined {
  try {
    return readPrivateFile(file);
  } catch (err) {
    writeError(`${file} not run: ${(err as Error).message}`);
    return undefined;
  }
}

/** Run the start-up file as the first turn, then show the prompt; a failure is one line, and the shell goes on. */
export function runStartupFile(code: string, file: string, parts: { runtime: ShellRuntime; turns: Turns; server: REPLServer; writeError: (line: string) => void; prompt: string }): void {
  const { runtime, turns, server, writeError, prompt } = parts;
  turns.add(async () => {
    const result = await runtime.run({ code, filename: file, print: 'none' }).catch((err: unknown) => ({ kind: 'failed' as const, message: runtime.describe(err) }));
    if (result.kind === 'exit') {
      if (result.message && result.exitCode !== 0) writeError(result.message);
      turns.exitCode = result.exitCode;
      server.close();
      return;
    }
    // The message names the file and the line already.
    if (result.kind === 'failed') writeError(`${result.message.split('\n', 1)[0]} (the shell goes on; --norc skips ${file})`);
    server.setPrompt(prompt);
    server.displayPrompt();
  });
}
