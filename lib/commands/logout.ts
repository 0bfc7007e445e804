/** `epic-events logout [--email X]`: forget the stored token (of X, else of the last email used). */
import type { CliIO, CliOptions } from '../cli.js';
import { configFrom } from '../cli.js';
import { lastEmail, removeToken } from '../auth/store.js';

export async function runLogoutCommand(opts: CliOptions, io: CliIO): Promise<number> {
  const config = configFrom(io);
  const email = opts.email?.trim().toLowerCase() || lastEmail(config);
  if (!email) {
    io.stdout.write('Not logged in: no stored token.\n');
    return 0;
  }
  io.stdout.write(removeToken(config, email) ? `Logged out ${email}: stored token removed.\n` : `No stored token for ${email}.\n`);
  return 0;
}
