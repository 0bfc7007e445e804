/**
 * Drive the built CLI under a pseudo-terminal (PtySession, through util-linux
 * `script`, which gives the child a pty while
 * we write to its stdin and read its stdout). Everything waits for output
 * patterns with generous timeouts, never for durations, and every child is
 * killed by the test that started it (killAll in afterEach).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { packageRoot } from '../../lib/platform/paths.js';
import { CLI, NO_LINGERING, track } from './cli.js';

const DEFAULT_WAIT_MS = 20_000;
/** How long the list may take after the second Tab before the presses are taken to have merged (then it grows fourfold). */
const TAB_LIST_WINDOW_MS = 250;

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Terminal control sequences out, \r\n → \n: what a person would read. A
 * move to the first column (CHA, `ESC[G` or `ESC[1G`: how newer Node.js
 * readline redraws the line being typed) starts a line, as \r does.
 */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[1?G/g, '\r').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r+\n/g, '\n').replace(/\r/g, '\n');
}

function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export const KEY = { tab: '\t', ctrlC: '\x03', ctrlD: '\x04', ctrlU: '\x15', enter: '\r', up: '\x1b[A' } as const;

/** The CLI under a pseudo-terminal. */
export class PtySession {
  private raw = '';
  /** Output before this index has been consumed by waitFor. */
  private mark = 0;
  readonly exited: Promise<number | null>;

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (c: Buffer) => (this.raw += c.toString('utf8')));
    child.stderr?.on('data', (c: Buffer) => (this.raw += c.toString('utf8')));
    child.stdin?.on('error', () => undefined);
    this.exited = new Promise((resolve) => child.once('close', (code) => resolve(code)));
  }

  /** `size`: the terminal's columns and rows (else a pty of unknown size, as `script` makes it from a pipe). */
  static start(args: string[], env: NodeJS.ProcessEnv, size?: { columns: number; rows: number }): PtySession {
    const cli = [process.execPath, CLI, ...args].map(shellQuote).join(' ');
    // exec: the CLI replaces the shell `script` starts, so a Ctrl+C that is a signal (SIGINT while
    // user code runs) reaches the CLI alone; a waiting sh would die of it and report 130.
    const command = size ? `stty cols ${size.columns} rows ${size.rows} && exec ${cli}` : `exec ${cli}`;
    // -q quiet, -f flush at once, -e the child's exit code, -c the command; no typescript file.
    return new PtySession(track(spawn('script', ['-qfec', command, '/dev/null'], { env: { ...NO_LINGERING, ...env }, cwd: packageRoot, stdio: ['pipe', 'pipe', 'pipe'] })));
  }

  /** Everything printed so far, as plain text. */
  get output(): string {
    return plain(this.raw);
  }

  /** Everything printed so far, control sequences included. */
  get rawOutput(): string {
    return this.raw;
  }

  /** Wait until the output printed since the last wait matches; returns that output (plain). */
  async waitFor(pattern: RegExp, timeoutMs = DEFAULT_WAIT_MS): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const fresh = plain(this.raw.slice(this.mark));
      const m = pattern.exec(fresh);
      if (m) {
        // Consume up to the end of the match (in raw terms: conservatively, everything read so far).
        this.mark = this.raw.length;
        return fresh;
      }
      if (this.child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`waited for ${pattern} ${this.child.exitCode !== null ? `but the CLI exited (${this.child.exitCode})` : 'in vain'}; output since the last match:\n${fresh}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  send(keys: string): void {
    this.child.stdin?.write(keys);
  }

  /**
   * Type `line` and press Tab twice, until the completions matching
   * `pattern` are listed; returns the output. readline lists them at the
   * second of two Tab presses (the first only inserts a common prefix), and
   * takes a Tab as text unless it ends the chunk it reads. So the first press
   * goes in one write with the line, and the second once the line shows (the
   * first was read with it). Should the presses still reach it as one chunk
   * (a split write on a busy machine: the list does not come), the line is
   * cleared and typed again, the wait growing each time.
   */
  async completions(line: string, pattern: RegExp, attempts = 4): Promise<string> {
    const typed = new RegExp(`${escapeRegExp(line)}$`);
    for (let attempt = 1, window = TAB_LIST_WINDOW_MS; ; attempt++, window *= 4) {
      this.send(`${line}${KEY.tab}`);
      await this.waitFor(typed);
      this.send(KEY.tab);
      try {
        return await this.waitFor(pattern, attempt < attempts ? window : DEFAULT_WAIT_MS);
      } catch (err) {
        if (attempt >= attempts) throw err;
        this.send(KEY.ctrlU);
      }
    }
  }

  /** Type a line and press Enter. */
  sendLine(line: string): void {
    this.send(`${line}${KEY.enter}`);
  }

  /** Wait for the exit code (script -e passes the CLI's own). */
  async exitCode(timeoutMs = DEFAULT_WAIT_MS): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the CLI did not exit in ${timeoutMs} ms; output:\n${this.output}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * A collaborator's first login on a terminal: the password management gave
 * them (`given`) replaced by their own (`chosen`) before the shell opens
 * (lib/auth/login.ts); their token is stored, and the shell left at once.
 */
export async function replaceGivenPassword(env: NodeJS.ProcessEnv, email: string, given: string, chosen: string): Promise<void> {
  const shell = PtySession.start(['--email', email], { TERM: 'xterm', ...env });
  await shell.waitFor(/Password for [^\n]*: $/, 60_000);
  shell.sendLine(given);
  await shell.waitFor(/New password \(12\+ characters\): $/, 60_000);
  shell.sendLine(chosen);
  await shell.waitFor(/New password again: $/);
  shell.sendLine(chosen);
  await shell.waitFor(/Password changed\.[\s\S]*> $/, 60_000);
  shell.send(KEY.ctrlD);
  const code = await shell.exitCode(60_000);
  if (code !== 0) throw new Error(`the first login of ${email} ended with ${code}:\n${shell.output}`);
}
