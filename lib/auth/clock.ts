/**
 * The clock the client-side token checks read: when a token is issued, and
 * whether it has expired (lib/auth/tokens.ts, lib/auth/token-check.ts). It only
 * decides when the shell asks the password again: the session itself ends by
 * the database's clock, whatever this one says. Tests inject a clock instead
 * of waiting for real expiry (spec/support/auth-clock.ts, also in a spawned CLI).
 *
 * The injected clock is kept on the process (a registered symbol), not in
 * this module: a spawned CLI runs the bundle (lib/program/bundle.ts), which
 * holds its own copy of this module, while a test's preload sets the clock
 * through dist/lib/; both read the one slot.
 */

/** Milliseconds since the epoch. */
export type Clock = () => number;

const SLOT = Symbol.for('epic-events.auth-clock');
const shared = globalThis as { [SLOT]?: Clock };

/** Now, by the injected clock (the system's unless a test set another). */
export function authNow(): number {
  const injected = shared[SLOT];
  return injected ? injected() : Date.now();
}

/** Use `clock` from now on; no argument restores the system clock. */
export function setAuthClock(clock?: Clock): void {
  if (clock) shared[SLOT] = clock;
  else delete shared[SLOT];
}
