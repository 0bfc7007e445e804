/** A small file system of our own for full-disk and read-only tests (needs root; undefined when this runner may not mount). */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function mountTmpfs(size: string, readOnly = false): { dir: string; unmount: () => void } | undefined {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-mount-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0777${readOnly ? ',ro' : ''}`, 'tmpfs', dir], { stdio: 'ignore' });
  if (r.status !== 0) {
    fs.rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return {
    dir,
    unmount: () => {
      spawnSync('umount', [dir], { stdio: 'ignore' });
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
