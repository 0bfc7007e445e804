/**
 * The auth clock (lib/auth/clock.ts) moved by a test instead of a real wait
 * for a token to expire. In this process: `shiftAuthClock(s)`. In a spawned
 * CLI: `authClockEnv(file)` loads this module first (NODE_OPTIONS --import),
 * and the child's clock then runs `file`'s number of seconds ahead of the
 * real one (written by `shiftChildClock`, read at each check; no file, no shift).
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setAuthClock } from '../../lib/auth/clock.js';

const FILE_VARIABLE = 'EPIC_TEST_AUTH_CLOCK_FILE';

/** The auth clock of this process runs `seconds` ahead (0: the system clock again). */
export function shiftAuthClock(seconds: number): void {
  setAuthClock(seconds === 0 ? undefined : () => Date.now() + seconds * 1000);
}

/** The environment that makes a spawned CLI read its auth clock's shift from `file`. */
export function authClockEnv(file: string): NodeJS.ProcessEnv {
  return { NODE_OPTIONS: `--import=${fileURLToPath(import.meta.url)}`, [FILE_VARIABLE]: file };
}

/** Move the auth clock of the CLI children started with authClockEnv(file) `seconds` ahead. */
export function shiftChildClock(file: string, seconds: number): void {
  fs.writeFileSync(file, String(seconds));
}

function shiftFrom(file: string): number {
  try {
    return Number(fs.readFileSync(file, 'utf8')) || 0;
  } catch {
    return 0;
  }
}

// Loaded by a spawned CLI (NODE_OPTIONS): follow the file.
const file = process.env[FILE_VARIABLE];
if (file) setAuthClock(() => Date.now() + shiftFrom(file) * 1000);
