/**
 * The `.env` files configuration is read from, and only from places the user
 * trusts: the project root's, and the working folder's when it is the user's
 * own. A `.env` in a folder others may write (a shared imports folder) could
 * point the shell at someone else's server, which would then receive the
 * session key and, at the next login, the password: such a file is named in
 * one line and ignored.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { packageRoot } from './paths.js';

/** dotenv's parser, loaded only when there is a `.env` to read (most starts have none). */
const parseDotenv = (text: string): Record<string, string> =>
  (createRequire(import.meta.url)('dotenv') as typeof import('dotenv')).parse(text);

/** Why a working folder's `.env` is not to be trusted, or undefined when it is. */
export function untrustedEnvFile(file: string, uid = process.getuid?.()): string | undefined {
  const own = fs.lstatSync(file);
  const folder = fs.statSync(path.dirname(file));
  if (own.isSymbolicLink()) return 'it is a symbolic link';
  if (!own.isFile()) return 'it is not a file';
  if (uid !== undefined && own.uid !== uid) return 'it belongs to another user';
  if (own.mode & 0o022) return 'others may write it';
  if (uid !== undefined && folder.uid !== uid && folder.uid !== 0) return 'its folder belongs to another user';
  if (folder.mode & 0o022) return 'others may write its folder';
  return undefined;
}

function readDotenv(file: string): Record<string, string> | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return parseDotenv(text);
}

/**
 * Read `.env` (without touching process.env) under the real environment, which
 * wins: the project root's, then the working folder's when it is trusted
 * (`warn` names one that is not, and it is ignored).
 */
export function readEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
  warn: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): NodeJS.ProcessEnv {
  const fromFile: Record<string, string> = {};
  if (env.EPIC_EVENTS_NO_DOTENV !== '1') {
    Object.assign(fromFile, readDotenv(path.join(packageRoot, '.env')));
    const local = path.join(path.resolve(cwd), '.env');
    if (path.resolve(cwd) !== path.resolve(packageRoot) && fs.existsSync(local)) {
      let why: string | undefined;
      try {
        why = untrustedEnvFile(local);
      } catch {
        why = 'it cannot be checked';
      }
      if (why) warn(`Ignored ${local}: ${why} (configuration comes from the environment, the project's .env, or a .env of your own)`);
      else Object.assign(fromFile, readDotenv(local));
    }
  }
  return { ...fromFile, ...env };
}
