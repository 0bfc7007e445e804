/**
 * Shell history in the state directory: mode 0600, bounded, shared by every
 * shell of the user, and without any entry that carries a secret.
 *
 * - Redaction reads the entry as JavaScript (lib/shell/tokens.ts): an entry
 *   is kept out when a password-like name (`password`, `passwd`, `pwd`,
 *   `newPw`, `secret`, `token`, `apiKey`…) as an identifier or property key
 *   is given a value holding a literal (`{password: 'x'}`, `const pwd = '…'`,
 *   `setToken('…')`), or when a literal looks like a token or a bcrypt hash.
 *   Innocent words (`{search: 'compass'}`, `'secretariat'`) and values that
 *   are not literals (`{password: passwordPrompt()}`) are kept.
 * - Concurrent shells append: each entry is one write to a file opened with
 *   O_APPEND, and trimming to the last lines happens under a lock (the
 *   state directory's lock primitive, withFileLockSync), which appends take
 *   too, so no shell loses another's lines.
 * - A history file that cannot be used (a directory in its place, not ours,
 *   open to others, unwritable) is a one-line warning and the shell goes on
 *   without it.
 */
import fs from 'node:fs';
import { readPrivateFile } from '../platform/state.js';
import { withFileLockSync } from '../platform/locks.js';
import { tokenize, type Token } from './tokens.js';

export const DEFAULT_HISTORY_LINES = 1000;

/** Words that name a secret, once an identifier is cut into words (newPw → new, pw). */
const SECRET_WORD = /^(?:new|old|my|user|admin|db|app|api|access|auth|private|refresh|session|current|the)?(?:pw|pwd|pass|passwd|passphrase|password|secret|token|apikey|credentials?|dsn|jwt|otp)s?$/;
/** Word pairs that name a secret (apiKey, private_key). */
const SECRET_PAIRS = new Set(['api key', 'private key', 'access key', 'auth key', 'secret key', 'signing key']);
/** Literals that are secrets whatever they are called: a JWT, a bcrypt hash. */
const SECRET_SHAPE = /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.|\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{22}/;

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z]+|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])/)
    .map((w) => w.toLowerCase())
    .filter(Boolean);
}

/** Whether a name (identifier or property key) names a secret. */
export function isSecretName(name: string): boolean {
  const ws = words(name);
  if (ws.some((w) => SECRET_WORD.test(w) || w.includes('password') || w.includes('passwd'))) return true;
  return ws.some((w, k) => k + 1 < ws.length && SECRET_PAIRS.has(`${w} ${ws[k + 1]}`));
}

const isPunct = (t: Token | undefined, ...values: string[]) => t?.type === 'punct' && values.includes(t.value);
const isLiteral = (t: Token) => t.type === 'string' || t.type === 'template' || t.type === 'number' || t.type === 'regex';

/**
 * Whether the value starting at tokens[from] holds a literal, up to the end of
 * the expression (`,` `;` or a closing bracket at its own depth). A
 * passwordPrompt(…) call's own arguments (its question) do not count.
 */
function valueHoldsLiteral(tokens: Token[], from: number): boolean {
  let depth = 0;
  for (let k = from; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.type === 'punct') {
      if (['(', '[', '{'].includes(t.value)) depth++;
      else if ([')', ']', '}'].includes(t.value)) {
        if (depth === 0) return false;
        depth--;
      } else if ((t.value === ',' || t.value === ';') && depth === 0) return false;
      continue;
    }
    if (t.type === 'ident' && t.value === 'passwordPrompt' && isPunct(tokens[k + 1], '(')) {
      // Skip its arguments.
      let d = 0;
      for (k = k + 1; k < tokens.length; k++) {
        if (isPunct(tokens[k], '(')) d++;
        else if (isPunct(tokens[k], ')') && --d === 0) break;
      }
      continue;
    }
    if (isLiteral(t)) return true;
  }
  return false;
}

/** Whether an entry (one line, or a whole multi-line statement) carries a secret. */
export function isSensitive(entry: string): boolean {
  const tokens = tokenize(entry);
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k];
    if ((t.type === 'string' || t.type === 'template') && SECRET_SHAPE.test(t.value)) return true;
    const named = (t.type === 'ident' || t.type === 'string') && t.value !== 'passwordPrompt' && isSecretName(t.value);
    if (!named) continue;
    // ['password']: … / obj['token'] = …
    let next = k + 1;
    if (t.type === 'string' && isPunct(tokens[next], ']')) next++;
    // { password: … }, pwd = …, token += …, setPassword(…)
    if (isPunct(tokens[next], ':', '=', '+=', '??=', '||=', '(') && valueHoldsLiteral(tokens, next + 1)) return true;
  }
  return false;
}

export interface HistoryOptions {
  maxEntries?: number;
  /** Told once when the file cannot be used; the shell then goes on without it. */
  warn?: (line: string) => void;
}

const LOCK_WAIT_MS = 2000;
const LOCK_STALE_MS = 10_000;

export class HistoryFile {
  readonly maxEntries: number;
  private readonly lockFile: string;
  private readonly warn: (line: string) => void;
  private disabled = false;
  /** Lines appended by this shell since the file was last trimmed, to trim now and then rather than each time. */
  private appended = 0;
  private lineCount = 0;

  constructor(readonly file: string, options: HistoryOptions | number = {}) {
    const opts = typeof options === 'number' ? { maxEntries: options } : options;
    this.maxEntries = opts.maxEntries ?? DEFAULT_HISTORY_LINES;
    this.warn = opts.warn ?? (() => undefined);
    this.lockFile = `${file}.lock`;
  }

  /** Whether the file is in use (false after a problem was reported). */
  get usable(): boolean {
    return !this.disabled;
  }

  private giveUp(err: unknown): void {
    if (this.disabled) return;
    this.disabled = true;
    const e = err as NodeJS.ErrnoException;
    const why = e?.code === 'EISDIR' ? 'it is a directory' : e?.code && e.code !== 'E_CONFIG' ? e.code : (e?.message ?? String(err));
    this.warn(`history not kept: ${this.file} cannot be used (${why})`);
  }

  /** Entries, oldest first. A missing file is an empty history; one that cannot be read, a warning. */
  load(): string[] {
    if (this.disabled) return [];
    let text: string | undefined;
    try {
      text = readPrivateFile(this.file);
    } catch (err) {
      this.giveUp(err);
      return [];
    }
    // Older files may hold lines from before the redaction rules: drop them on load too.
    const entries = (text ?? '').split('\n').filter((l) => l.trim() !== '' && !isSensitive(l));
    this.lineCount = entries.length;
    return entries.slice(-this.maxEntries);
  }

  /**
   * Append one entry (each line of a multi-line statement); false when it is
   * refused as sensitive (or the history is not kept).
   */
  add(entry: string): boolean {
    const lines = entry.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
    if (lines.length === 0 || isSensitive(entry)) return false;
    if (this.disabled) return true;
    try {
      this.locked(() => {
        const fd = fs.openSync(this.file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT | (fs.constants.O_NOFOLLOW ?? 0), 0o600);
        try {
          fs.writeSync(fd, `${lines.join('\n')}\n`);
        } finally {
          fs.closeSync(fd);
        }
        this.appended += lines.length;
        if (this.lineCount + this.appended > this.maxEntries + Math.max(50, this.maxEntries / 10)) this.trim();
      });
    } catch (err) {
      this.giveUp(err);
    }
    return true;
  }

  /** Keep the last maxEntries lines (under the lock): temp file, 0600, rename. */
  private trim(): void {
    const lines = (readPrivateFile(this.file) ?? '').split('\n').filter((l) => l.trim() !== '');
    const kept = lines.slice(-this.maxEntries);
    const tmp = `${this.file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, kept.length ? `${kept.join('\n')}\n` : '', { mode: 0o600 });
    fs.renameSync(tmp, this.file);
    this.lineCount = kept.length;
    this.appended = 0;
  }

  /**
   * Run fn holding the history's lock (`history.lock`): the state directory's
   * one lock primitive (lib/platform/state.ts), a symbolic link naming its owner; a
   * lock of a dead process, or an ownerless one older than a few seconds, is broken.
   */
  private locked(fn: () => void): void {
    withFileLockSync(this.lockFile, fn, {
      timeoutMs: LOCK_WAIT_MS,
      staleMs: LOCK_STALE_MS,
      onTimeout: (_holder, lockPath) => Object.assign(new Error(`${lockPath} is held by another shell`), { code: 'ELOCKED' }),
    });
  }
}
