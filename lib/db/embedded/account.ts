/**
 * The operating-system account the embedded server runs as. PostgreSQL
 * refuses to run as root: as root, it runs as the `postgres` user (created
 * when absent), which must be able to pass through the directories above
 * its data (search, x, never listing).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseUnavailable } from '../../domain/errors.js';

/** Whom to run initdb, pg_ctl and the server as: this process's user when both are unset. */
export interface RunAs {
  uid?: number;
  gid?: number;
}

export const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** The mode of the server's base directory: as root, `postgres` must be able to pass through (x only). */
export function baseDirMode(): number {
  return isRoot() ? 0o711 : 0o700;
}

/** As root, the `postgres` user (created when absent); otherwise this process's own user. */
export function serverAccount(): RunAs {
  if (!isRoot()) return {};
  const lookup = () => {
    const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    if (uid.status !== 0 || gid.status !== 0) return undefined;
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  let ids = lookup();
  if (!ids) {
    spawnSync('groupadd', ['--system', 'postgres']);
    spawnSync('useradd', ['--system', '-g', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
    ids = lookup();
  }
  if (!ids) throw new DatabaseUnavailable('running as root, and no "postgres" user could be created to run the embedded server');
  return ids;
}

/** As root, the server's user must be able to reach its data directory: add search (x) on ancestors. */
export function ensureTraversable(dir: string, account: RunAs, log: (s: string) => void): void {
  if (account.uid === undefined) return;
  let current = path.dirname(path.resolve(dir));
  const fixed: string[] = [];
  while (true) {
    const st = fs.statSync(current);
    if (st.uid !== account.uid && (st.mode & 0o001) === 0) {
      fs.chmodSync(current, (st.mode & 0o7777) | 0o001);
      fixed.push(current);
    }
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  if (fixed.length) log(`embedded database: gave the postgres user search access (x, no listing) to ${fixed.join(', ')}`);
}

/** Hand a file or directory to the server's account (as root). */
export function giveTo(file: string, account: RunAs): void {
  if (account.uid !== undefined) fs.chownSync(file, account.uid, account.gid as number);
}
