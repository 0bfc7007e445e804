/** A fresh temporary working directory for each test of the calling describe (process.cwd() there), removed afterwards. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export function tempWorkingDir(prefix: string): { readonly path: string } {
  const dir = { path: '' };
  let previous = '';
  beforeEach(() => {
    dir.path = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    previous = process.cwd();
    process.chdir(dir.path);
  });
  afterEach(() => {
    process.chdir(previous);
    fs.rmSync(dir.path, { recursive: true, force: true });
  });
  return dir;
}
