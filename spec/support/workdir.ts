/**
 * A fresh temporary working directory for each test of the calling describe
 * (process.cwd() there, and the start folder relative paths resolve against:
 * a shell an earlier test left open must not send this test's files
 * elsewhere), removed afterwards.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setStartDir } from '../../lib/platform/user-paths.js';

export function tempWorkingDir(prefix: string): { readonly path: string } {
  const dir = { path: '' };
  let previous = '';
  let restoreStartDir = () => undefined as void;
  beforeEach(() => {
    dir.path = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    previous = process.cwd();
    process.chdir(dir.path);
    restoreStartDir = setStartDir(dir.path);
  });
  afterEach(() => {
    restoreStartDir();
    process.chdir(previous);
    fs.rmSync(dir.path, { recursive: true, force: true });
  });
  return dir;
}
