/**
 * Asking for a password a bounded number of times: at login, and when a
 * session expires in the shell (lib/program/session.ts).
 */
export const PASSWORD_TRIES = 3;
export const BAD_CREDENTIALS = 'wrong email or password';

/**
 * Ask for the password up to PASSWORD_TRIES times (at login, and when a
 * session expires in the shell); the collaborator, or undefined when every
 * try was wrong or nobody answered.
 */
export async function passwordTries<T>(
  askPassword: (question: string) => Promise<string | undefined>,
  question: string,
  check: (password: string) => Promise<T | undefined>,
  log: (line: string) => void,
): Promise<T | undefined> {
  for (let attempt = 1; attempt <= PASSWORD_TRIES; attempt++) {
    const password = await askPassword(question);
    if (password === undefined) return undefined; // end of input: stop asking
    const actor = await check(password);
    if (actor) return actor;
    if (attempt < PASSWORD_TRIES) log(`${capitalise(BAD_CREDENTIALS)}; try again.`);
  }
  return undefined;
}

export function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
