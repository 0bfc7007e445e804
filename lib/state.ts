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

const STATE_DIR_PROBLEMS: Record<string, string> = {
  ENOTDIR: 'a file is in the way (part of the path is not a directory)',
  EEXIST: 'it exists and is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'it is on a read-only file system',
  ENOSPC: 'the disk is full (no space left on the device)',
  EDQUOT: 'the disk quota is exhausted',
};

/**
 * Check at start that the state directory can be created and written (a
 * probe file), so a bad one is one clear line, not a failure deep inside a
 * login or the embedded server. As root, permission bits do not stop writes;
 * a read-only or full file system still does, and is reported here.
 */
export function assertUsableStateDir(dir: string): void {
  const probe = path.join(dir, `.probe.${process.pid}`);
  try {
    try {
      // Not recursive first: a recursive mkdir reports ENOENT for a read-only file system.
      fs.mkdirSync(dir, { mode: 0o700 });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') ensureStateDir(dir);
      else if (code !== 'EEXIST') throw err;
    }
    if (!fs.statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'EEXIST' });
    fs.writeFileSync(probe, 'epic-events state directory probe\n', { mode: 0o600 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw new ConfigError(`the state directory ${dir} cannot be used: ${STATE_DIR_PROBLEMS[code] ?? (err as Error).message} (set EPIC_EVENTS_HOME to a writable directory)`);
  } finally {
    try {
      fs.rmSync(probe, { force: true });
    } catch {
      // nothing was written
    }
  }
}
