/**
 * Long output at the interactive prompt goes through a pager ($PAGER, else
 * `less -FRSX`; the pager setting): a result with more lines than the
 * terminal has rows. Never in scripts, --eval or --json (only the REPL asks),
 * never when the terminal's size is unknown. The shell stops reading keys
 * while the pager runs (it reads them from the terminal itself), and takes
 * the terminal back when it ends. It runs with LESSSECURE=1 (no saving, no
 * commands, no editor from inside less). (`it`, the next page of a list, is
 * lib/shell/pager.ts.)
 */
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

export interface PagerTerminal {
  input: Readable & { isTTY?: boolean; isRaw?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: Writable & { isTTY?: boolean; rows?: number };
}

/** More lines than the terminal shows at once (its size known). */
export function needsPager(text: string, rows: number | undefined): boolean {
  if (!rows || rows < 2) return false;
  let lines = 1;
  for (let at = text.indexOf('\n'); at >= 0 && lines < rows; at = text.indexOf('\n', at + 1)) lines++;
  return lines >= rows;
}

/**
 * Show `text` through `command` (run by the shell, as git runs its pager) on
 * the process's own terminal; resolves once the pager has ended, false when
 * it could not start (then nothing was shown: the caller prints the text).
 */
export function showInPager(text: string, command: string, terminal: PagerTerminal): Promise<boolean> {
  const { input } = terminal;
  const wasRaw = input.isRaw === true;
  input.pause();
  if (wasRaw) input.setRawMode?.(false);
  const restore = () => {
    if (wasRaw) input.setRawMode?.(true);
    input.resume();
  };
  return new Promise<boolean>((resolve) => {
    let started = false;
    // LESSSECURE=1: less cannot save the text to a file, run a command or open an editor from the pager.
    const child = spawn(command, { shell: true, stdio: ['pipe', 'inherit', 'inherit'], env: { ...process.env, LESSSECURE: '1' } });
    child.once('spawn', () => (started = true));
    child.stdin?.on('error', () => undefined); // the pager quit before reading everything (q)
    child.stdin?.end(text.endsWith('\n') ? text : `${text}\n`);
    child.once('error', () => {
      restore();
      resolve(false);
    });
    child.once('close', (code) => {
      restore();
      // 127: the shell found no such command.
      resolve(started && code !== 127);
    });
  });
}
