/**
 * The token store: one JSON file in the state directory, tokens keyed by
 * lower-cased email, plus the last email used (so a script can run with the
 * stored token). Written 0600 every time (temp file, chmod, rename); read
 * through readPrivateFile, so a store that is not ours, is open to others or
 * is a symbolic link is refused, as ssh refuses such keys.
 *
 * Many processes may log in at once: every change (read, change, write)
 * holds the store's lock (`tokens.json.lock`, lib/platform/state.ts), so none is
 * lost; readers need no lock, since the rename replaces the file whole.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../platform/config.js';
import { ConfigError } from '../domain/errors.js';
import { readPrivateFile, writePrivateFile } from '../platform/state.js';
import { withFileLockSync } from '../platform/locks.js';

export const TOKEN_STORE_FILE = 'tokens.json';

interface StoreContent {
  lastEmail?: string;
  tokens: Record<string, string>;
}

export function tokenStorePath(config: Pick<Config, 'stateDir'>): string {
  return path.join(config.stateDir, TOKEN_STORE_FILE);
}

function normalise(email: string): string {
  return email.trim().toLowerCase();
}

function readStore(config: Pick<Config, 'stateDir'>): StoreContent {
  const file = tokenStorePath(config);
  const text = readPrivateFile(file);
  if (text === undefined) return { tokens: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(`${file} is not a valid token store; delete it and log in again`);
  }
  const content = parsed as Partial<StoreContent>;
  const tokens: Record<string, string> = {};
  if (content && typeof content.tokens === 'object' && content.tokens !== null) {
    for (const [email, token] of Object.entries(content.tokens)) if (typeof token === 'string') tokens[email] = token;
  }
  return { lastEmail: typeof content?.lastEmail === 'string' ? content.lastEmail : undefined, tokens };
}

function writeStore(config: Pick<Config, 'stateDir'>, content: StoreContent): void {
  writePrivateFile(tokenStorePath(config), `${JSON.stringify(content, null, 2)}\n`);
}

/** Read, change and write the store under its lock; `change` returns its result. */
function changeStore<T>(config: Pick<Config, 'stateDir'>, change: (content: StoreContent) => T): T {
  const file = tokenStorePath(config);
  fs.mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
  return withFileLockSync(`${file}.lock`, () => {
    const content = readStore(config);
    const result = change(content);
    writeStore(config, content);
    return result;
  }, {
    timeoutMs: 30_000,
    onTimeout: (holder, lockPath) =>
      new ConfigError(`the token store is locked by process ${holder.pid ?? '(unknown)'}; if no epic-events process is running, remove ${lockPath}`),
  });
}

export function readToken(config: Pick<Config, 'stateDir'>, email: string): string | undefined {
  return readStore(config).tokens[normalise(email)];
}

/** Store the token and remember the email as the last one used; returns the token it replaced, if any. */
export function saveToken(config: Pick<Config, 'stateDir'>, email: string, token: string): string | undefined {
  const key = normalise(email);
  return changeStore(config, (content) => {
    const replaced = content.tokens[key];
    content.tokens[key] = token;
    content.lastEmail = key;
    return replaced === token ? undefined : replaced;
  });
}

/** Forget the token of this email; true when there was one. */
export function removeToken(config: Pick<Config, 'stateDir'>, email: string): boolean {
  const file = tokenStorePath(config);
  if (!fs.existsSync(file)) return false;
  const key = normalise(email);
  return changeStore(config, (content) => {
    const had = key in content.tokens;
    delete content.tokens[key];
    if (content.lastEmail === key) delete content.lastEmail;
    return had;
  });
}

export function lastEmail(config: Pick<Config, 'stateDir'>): string | undefined {
  return readStore(config).lastEmail;
}
