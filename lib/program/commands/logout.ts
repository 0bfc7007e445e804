/**
 * `epic-events logout [--email X]`: end the stored session in the database and
 * forget its token (of X, else of the last email used). When the database
 * cannot be reached the token is still forgotten, and the user is told the
 * session lasts until it expires.
 */
import { configFrom, type CliIO, type CliOptions } from './command.js';
import type { Config } from '../../platform/config.js';
import { lastEmail, readToken, removeToken } from '../../auth/store.js';
import { tokenSecret } from '../../auth/secret.js';
import { verifyToken, type TokenClaims } from '../../auth/tokens.js';
import { endSession } from '../../auth/sessions.js';
import { openTarget } from '../../db/connect.js';
import { releaseOnExit } from './lifecycle.js';
import { Database } from '../../db/index.js';
import { formatDate } from '../../platform/dates.js';

export async function runLogoutCommand(opts: CliOptions, io: CliIO): Promise<number> {
  const config = configFrom(io);
  const email = opts.email?.trim().toLowerCase() || lastEmail(config);
  if (!email) {
    io.stdout.write('Not logged in: no stored token.\n');
    return 0;
  }
  const token = readToken(config, email);
  const verdict = token ? verifyToken(tokenSecret(config), token, config.tokenTtlSeconds) : undefined;
  if (verdict?.ok) {
    try {
      await endInDatabase(config, verdict.claims);
    } catch (err) {
      io.stderr.write(`! the session could not be ended in the database (${(err as Error).message}); it lasts until ${formatDate(new Date(verdict.claims.expiresAt * 1000))}\n`);
    }
  }
  io.stdout.write(removeToken(config, email) ? `Logged out ${email}: session ended, stored token removed.\n` : `No stored token for ${email}.\n`);
  return 0;
}

async function endInDatabase(config: Config, claims: TokenClaims): Promise<void> {
  const target = await openTarget(config, { onLease: releaseOnExit });
  try {
    const db = new Database(target.runtime, { connectTimeoutMs: config.connectTimeoutMs, max: 1 });
    try {
      await endSession(db, claims.sessionKey);
    } finally {
      await db.close();
    }
  } finally {
    await target.release();
  }
}
