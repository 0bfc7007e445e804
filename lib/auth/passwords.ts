/** bcrypt (a native addon) is loaded by the first hash or check: most calls need neither. */
const bcrypt = async () => (await import('bcrypt')).default;
import { AuthError, ValidationError } from '../domain/errors.js';

export const MIN_PASSWORD_CHARS = 12;
/** bcrypt only reads the first 72 bytes: longer passwords are refused, never truncated. */
export const MAX_PASSWORD_BYTES = 72;

/** The problem with a candidate password, or undefined when it is acceptable. */
export function passwordProblem(password: unknown): string | undefined {
  if (typeof password !== 'string') return 'must be a string';
  if ([...password].length < MIN_PASSWORD_CHARS) return `must be at least ${MIN_PASSWORD_CHARS} characters`;
  const bytes = Buffer.byteLength(password, 'utf8');
  if (bytes > MAX_PASSWORD_BYTES) return `is ${bytes} bytes long; at most ${MAX_PASSWORD_BYTES} bytes (UTF-8) are allowed, accented letters and emoji count for several`;
  if (password.includes('\0')) return 'must not contain a NUL character';
  return undefined;
}

export function assertAcceptablePassword(password: unknown, field = 'password'): asserts password is string {
  const problem = passwordProblem(password);
  if (problem) throw new ValidationError([{ field, problem }]);
}

export async function hashPassword(password: string, rounds: number): Promise<string> {
  assertAcceptablePassword(password);
  return (await bcrypt()).hash(password, rounds);
}

export async function verifyPassword(password: string, hash: string): Promise<boolean> {
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return (await bcrypt()).compare('', hash).then(() => false);
  return (await bcrypt()).compare(password, hash);
}

/** The refusal while an email is locked out after too many failed logins (login and passwd alike). */
export function lockedError(until: Date): AuthError {
  const minutes = Math.max(1, Math.ceil((until.getTime() - Date.now()) / 60_000));
  return new AuthError(`too many failed logins for this email; try again in ${minutes} minute${minutes > 1 ? 's' : ''}`);
}
