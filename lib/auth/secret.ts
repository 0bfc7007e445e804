import crypto from 'node:crypto';
import path from 'node:path';
import type { Config } from '../platform/config.js';
import { ConfigError } from '../domain/errors.js';
import { createPrivateFileOnce, readPrivateFile, SECRET_FILE } from '../platform/state.js';

/**
 * JWT_SECRET from the configuration, else the one generated into the state
 * directory (mode 0600), creating it when `create` is set.
 */
export function jwtSecret(config: Config, create: boolean): { secret: string; created: boolean } {
  if (config.jwtSecret) return { secret: config.jwtSecret, created: false };
  const file = path.join(config.stateDir, SECRET_FILE);
  const stored = readSecret(file);
  if (stored !== undefined) return { secret: stored, created: false };
  if (!create) throw new ConfigError('no JWT_SECRET: run `epic-events setup` first (or set JWT_SECRET, at least 32 bytes)');
  const secret = crypto.randomBytes(48).toString('base64url');
  // Created once, whole: of several first starts at once, one secret wins and all use it.
  if (createPrivateFileOnce(file, `${secret}\n`)) return { secret, created: true };
  const winner = readSecret(file);
  if (winner === undefined) throw new ConfigError(`${file} vanished while it was being created; run the command again`);
  return { secret: winner, created: false };
}

/** The stored secret, read through the private-file check (ours, 0600, not a symbolic link); undefined when absent. */
function readSecret(file: string): string | undefined {
  const stored = readPrivateFile(file);
  if (stored === undefined) return undefined;
  const secret = stored.trim();
  if (Buffer.byteLength(secret) < 32) throw new ConfigError(`${file} holds a JWT secret shorter than 32 bytes; delete it to generate a new one`);
  return secret;
}

/**
 * The secret tokens are signed with: JWT_SECRET, else generated on this
 * machine at the first start. It only guards the local token store (the
 * database decides who a session is), so a collaborator's machine needs
 * nothing but the server's address and the login role's password.
 */
export function tokenSecret(config: Config): string {
  return jwtSecret(config, true).secret;
}
