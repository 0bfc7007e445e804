/**
 * Shell history in the state directory: mode 0600, bounded, and without any
 * line that carries a password (users.create({…password…}), users.update(id,
 * {password…}) or anything else naming a password, secret or token).
 */
import fs from 'node:fs';
import { writePrivateFile } from '../state.js';

export const DEFAULT_HISTORY_LINES = 1000;

const SENSITIVE = /pass(word|wd|phrase)?\b|passw|\bpw\b|secret|token|dsn/i;

export function isSensitive(entry: string): boolean {
  return SENSITIVE.test(entry);
}

export class HistoryFile {
  private entries: string[] = [];

  constructor(readonly file: string, readonly maxEntries = DEFAULT_HISTORY_LINES) {}

  /** Entries, oldest first. A missing file is an empty history. */
  load(): string[] {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return (this.entries = []);
      throw err;
    }
    // Older files may hold lines from before redaction rules: drop them on load too.
    this.entries = text.split('\n').filter((l) => l.trim() !== '' && !isSensitive(l)).slice(-this.maxEntries);
    return [...this.entries];
  }

  /** Add one entry (each line of a multi-line command); false when refused as sensitive. */
  add(entry: string): boolean {
    const lines = entry.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '');
    if (lines.length === 0) return false;
    if (lines.some(isSensitive)) return false;
    for (const line of lines) {
      if (this.entries[this.entries.length - 1] !== line) this.entries.push(line);
    }
    if (this.entries.length > this.maxEntries) this.entries.splice(0, this.entries.length - this.maxEntries);
    return true;
  }

  save(): void {
    writePrivateFile(this.file, this.entries.length ? `${this.entries.join('\n')}\n` : '');
  }
}
