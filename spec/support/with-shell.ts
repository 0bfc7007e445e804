/**
 * The shell specs' set-up in one place: the REPL started on a login (a
 * department's fake one, spec/support/fake-api.ts) and a FakeTerminal, the
 * test's steps, then the input ended; the shell's exit code.
 */
import type { Department } from '../../lib/domain/departments.js';
import { startShell, type Login, type ShellIO } from '../../lib/shell/index.js';
import { FakeTerminal, fakeLogin } from './fake-api.js';

export async function withShell(who: Department | Login, steps: (term: FakeTerminal) => Promise<void>, io: Partial<ShellIO> = {}): Promise<number> {
  const login = typeof who === 'string' ? fakeLogin(who) : who;
  const term = new FakeTerminal();
  const done = startShell(login, term.io(io));
  try {
    await steps(term);
  } finally {
    term.input.end();
  }
  return done;
}
