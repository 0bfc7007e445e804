/** The state directory: token store, history, JWT secret, embedded data. Private to its user. */
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from './errors.js';

export function ensureStateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Write a file readable by its owner only: temp file, chmod 0600, rename (atomic). */
export function writePrivateFile(file: string, text: string): void {
  ensureStateDir(path.dirname(file));
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    fs.writeFileSync(tmp, text, { mode: 0o600 });
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/** Refuse a secret file that group or others can read or write, as ssh does with keys. */
export function assertPrivateFile(file: string): void {
  const st = fs.statSync(file);
  if ((st.mode & 0o077) !== 0) {
    const mode = (st.mode & 0o777).toString(8).padStart(4, '0');
    throw new ConfigError(`${file} has mode ${mode}, readable by others; fix it with: chmod 600 ${file}`);
  }
}
