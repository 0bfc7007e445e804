/**
 * The state directory: token store, history, JWT secret, embedded data.
 * Private to its user: refused when another user owns it or others may write
 * to it; every file in it is created 0600 and checked when read. Locks and
 * leases are symbolic links (lib/platform/locks.ts): never read as files.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../domain/errors.js';

export function ensureStateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/** Write a file readable by its owner only: temp file, chmod 0600, rename (atomic). */
export function writePrivateFile(file: string, text: string): void {
  ensureStateDir(path.dirname(file));
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, text, { mode: 0o600 });
    fs.chmodSync(tmp, 0o600);
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

/**
 * Create a private file only if it does not exist yet, atomically and whole:
 * written to a temp file, then hard-linked into place (link fails when the
 * name exists, so a concurrent creator never overwrites it). True when this
 * call created it, false when it already existed.
 */
export function createPrivateFileOnce(file: string, text: string): boolean {
  ensureStateDir(path.dirname(file));
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(6).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, text, { mode: 0o600 });
    fs.chmodSync(tmp, 0o600);
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

const currentUid = (): number | undefined => (typeof process.getuid === 'function' ? process.getuid() : undefined);

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, '0');

/** Why a file of the state directory may not be trusted (another owner, open to others, not a plain file), or undefined. */
function privateFileProblem(file: string, st: fs.Stats): string | undefined {
  if (!st.isFile()) return `${file} is not a regular file; remove it: rm -r ${file}`;
  const uid = currentUid();
  if (uid !== undefined && st.uid !== uid) return `${file} belongs to another user (uid ${st.uid}); take it back with: chown ${uid} ${file} (or remove it)`;
  if ((st.mode & 0o077) !== 0) return `${file} has mode ${octal(st.mode)}, open to others; fix it with: chmod 600 ${file}`;
  return undefined;
}

/** Refuse a secret file that is not ours or that group or others can read or write, as ssh does with keys. */
export function assertPrivateFile(file: string): void {
  const problem = privateFileProblem(file, fs.lstatSync(file));
  if (problem) throw new ConfigError(problem);
}

/**
 * Read a file of the state directory, checked first (ours, 0600, a plain
 * file, not a symbolic link) on the descriptor that is then read. Undefined
 * when it does not exist.
 */
export function readPrivateFile(file: string): string | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'ELOOP') throw new ConfigError(`${file} is a symbolic link; the state directory keeps its own files (remove it: rm ${file})`);
    throw err;
  }
  try {
    const problem = privateFileProblem(file, fs.fstatSync(fd));
    if (problem) throw new ConfigError(problem);
    return fs.readFileSync(fd, 'utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The state directory must be ours and closed to others: a directory another
 * user owns or can write to would let them swap the JWT secret, the token
 * store or the embedded server's files. One line with the fix.
 */
export function assertOwnStateDir(dir: string): void {
  const st = fs.statSync(dir);
  const uid = currentUid();
  if (uid !== undefined && st.uid !== uid) {
    throw new ConfigError(`the state directory ${dir} belongs to another user (uid ${st.uid}); use your own (EPIC_EVENTS_HOME) or take it with: chown -R ${uid} ${dir}`);
  }
  if ((st.mode & 0o022) !== 0) {
    throw new ConfigError(`the state directory ${dir} has mode ${octal(st.mode)}, writable by others; fix it with: chmod 700 ${dir}`);
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
    assertOwnStateDir(dir);
    fs.writeFileSync(probe, 'epic-events state directory probe\n', { mode: 0o600 });
  } catch (err) {
    if (err instanceof ConfigError) throw err;
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

/** The JWT secret's file in the state directory (created once, 0600; lib/auth/secret.ts). */
export const SECRET_FILE = 'jwt-secret';
