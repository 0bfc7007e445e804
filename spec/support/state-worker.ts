/**
 * A separate process for the state-directory tests: `count LOCK FILE N` adds
 * one to the number in FILE N times, each under the lock (read, change,
 * write, as the token store does); `token STATE_DIR EMAIL` stores a token.
 */
import fs from 'node:fs';
import { saveToken } from '../../lib/auth/store.js';
import { withFileLockSync } from '../../lib/platform/locks.js';

const [mode, a, b, c] = process.argv.slice(2);
if (mode === 'count') {
  for (let i = 0; i < Number(c); i++) {
    withFileLockSync(a, () => {
      const n = Number(fs.existsSync(b) ? fs.readFileSync(b, 'utf8') : '0');
      fs.writeFileSync(b, String(n + 1));
    }, { onTimeout: () => new Error('lock timeout') });
  }
} else if (mode === 'token') {
  saveToken({ stateDir: a }, b, `token-of-${b}`);
}
