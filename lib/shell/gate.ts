/**
 * The evaluation gate: before each user evaluation the session is verified
 * (signature, expiry, revocation). Expired: ask the password again when a
 * person is there; revoked, or expired with nobody to ask: the shell ends
 * with exit code 3. Completion never comes here.
 */
import type { Login, AskPassword } from './login.js';

export type GateOutcome = { pass: true } | { pass: false; exitCode: 3; message: string };

export async function passGate(login: Login, askPassword: AskPassword | undefined): Promise<GateOutcome> {
  const verdict = await login.verify();
  if (verdict.ok) return { pass: true };
  if (verdict.reason === 'expired') {
    if (!askPassword) {
      return { pass: false, exitCode: 3, message: `AuthError: ${verdict.message} (log in again with: epic-events)` };
    }
    if (await login.relogin(askPassword)) return { pass: true };
    return { pass: false, exitCode: 3, message: 'AuthError: the session expired and the password was not confirmed' };
  }
  return { pass: false, exitCode: 3, message: `AuthError: ${verdict.message}` };
}
