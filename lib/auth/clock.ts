/**
 * The clock the client-side token checks read: when a token is issued, and
 * whether it has expired (lib/auth/tokens.ts, lib/auth/token-check.ts). It only
 * decides when the shell asks the password again: the session itself ends by
 * the database's clock, whatever this one says. Tests inject a clock instead
 * of waiting for real expiry (spec/support/auth-clock.ts, also in a spawned CLI).
 */

/** Milliseconds since the epoch. */
export type Clock = () => number;

const systemClock: Clock = () => Date.now();
let current: Clock = systemClock;

/** Now, by the injected clock (the system's unless a test set another). */
export function authNow(): number {
  return current();
}

/** Use `clock` from now on; no argument restores the system clock. */
export function setAuthClock(clock: Clock = systemClock): void {
  current = clock;
}
