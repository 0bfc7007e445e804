/**
 * Sentry, when SENTRY_DSN (or the seed's SENTRY) is set; otherwise nothing is
 * loaded and nothing is sent. The SDK is imported only with a DSN, so start-up
 * stays fast. Every event and breadcrumb passes through `scrub` first: no
 * password, hash, token, secret or database password ever leaves the process.
 */
import type { Config } from './config.js';
import { packageVersion } from './version.js';
import path from 'node:path';

/** Monitoring as the program sees it (Sentry behind it when a DSN is set: createMonitor below). */
export interface Monitor {
  /** A business event: collaborator created/updated/deleted, contract signed, login lockout. Never pass a secret. */
  event(name: string, data: Record<string, string | number | boolean | null>): void;
  /** An unexpected error; returns a short reference to show the user. */
  exception(err: unknown): string | undefined;
  flush(timeoutMs?: number): Promise<void>;
}

export const noopMonitor: Monitor = {
  event: () => undefined,
  exception: () => undefined,
  flush: async () => undefined,
};

import { readPrivateFile, SECRET_FILE } from './state.js';

const REDACTED = '[redacted]';
/** Keys whose values are never sent, whatever they hold. */
const SECRET_KEY = /pass(word|wd)?|secret|token|hash|authorization|cookie|dsn|credential|api[-_]?key/i;
const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const BCRYPT = /\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{22,53}/g;
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^:@/\s]*):[^@/\s]*@/gi;

/**
 * Every secret the program knows, matched literally wherever they appear:
 * the configuration's (JWT_SECRET, APP_DB_PASSWORD, the DSN and its key, the
 * administrator's passwords) and the generated ones in the state directory
 * (the JWT secret file, the embedded server's passwords, the session roles'
 * passwords in the token store). Read again for
 * each event: a first start generates some after the monitor is made.
 */
export function knownSecrets(config: Config): string[] {
  const values: Array<string | undefined> = [config.jwtSecret, config.sentryDsn, config.appDbPassword, config.adminPassword];
  if (config.sentryDsn) {
    try {
      values.push(decodeURIComponent(new URL(config.sentryDsn).username));
    } catch {
      // validated by loadConfig; nothing more to learn from it
    }
  }
  if (config.database.kind === 'external') values.push(config.database.admin.password);
  const stored = (file: string): string | undefined => {
    try {
      return readPrivateFile(path.join(config.stateDir, file));
    } catch {
      return undefined;
    }
  };
  values.push(stored(SECRET_FILE)?.trim());
  const server = stored(path.join('postgres', 'server.json'));
  if (server) {
    try {
      const state = JSON.parse(server) as Record<string, unknown>;
      for (const v of Object.values(state)) if (typeof v === 'string') values.push(v);
    } catch {
      // not ours to judge here
    }
  }
  values.push(...sessionRolePasswords(stored('tokens.json')));
  const secrets = values.filter((v): v is string => typeof v === 'string' && v.length >= 4);
  // Also as they appear inside a URL (a password with @ or % in a DATABASE_URL).
  return [...new Set(secrets.flatMap((v) => [v, encodeURIComponent(v)]))].sort((a, b) => b.length - a.length);
}

/** The passwords of the sessions' own database roles (claim `rpw` of each stored token, sql/migrations/040). */
function sessionRolePasswords(store: string | undefined): string[] {
  if (!store) return [];
  try {
    const tokens = Object.values((JSON.parse(store) as { tokens?: Record<string, unknown> }).tokens ?? {});
    return tokens.flatMap((t) => {
      if (typeof t !== 'string') return [];
      const rpw = (JSON.parse(Buffer.from(t.split('.')[1] ?? '', 'base64url').toString('utf8')) as { rpw?: unknown }).rpw;
      return typeof rpw === 'string' ? [rpw] : [];
    });
  } catch {
    return [];
  }
}

export function createScrubber(secrets: readonly string[] | (() => readonly string[])): <T>(value: T) => T {
  const current = typeof secrets === 'function' ? secrets : () => secrets;
  const scrubString = (s: string, known: readonly string[]): string => {
    let out = s.replace(JWT, '[token]').replace(BCRYPT, '[hash]').replace(URL_PASSWORD, `$1:${REDACTED}@`);
    for (const secret of known) out = out.split(secret).join(REDACTED);
    return out;
  };
  const walk = (value: unknown, seen: WeakSet<object>, known: readonly string[]): unknown => {
    if (typeof value === 'string') return scrubString(value, known);
    if (typeof value !== 'object' || value === null || value instanceof Date) return value;
    if (seen.has(value)) return value;
    seen.add(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = walk(value[i], seen, known);
      return value;
    }
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      obj[key] = SECRET_KEY.test(key) && obj[key] !== null && typeof obj[key] !== 'object' ? REDACTED : walk(obj[key], seen, known);
    }
    return obj;
  };
  return <T>(value: T): T => walk(value, new WeakSet(), current()) as T;
}

export async function createMonitor(config: Config): Promise<Monitor> {
  if (!config.sentryDsn) return noopMonitor;
  const Sentry = await import('@sentry/node');
  const scrub = createScrubber(() => knownSecrets(config));
  Sentry.init({
    dsn: config.sentryDsn,
    release: `epic-events@${packageVersion()}`,
    // Only what we capture ourselves: no automatic instrumentation, no tracing, no PII.
    defaultIntegrations: false,
    integrations: [],
    sendDefaultPii: false,
    tracesSampleRate: 0,
    beforeSend: (event) => scrub(event),
    beforeBreadcrumb: (breadcrumb) => scrub(breadcrumb),
  });
  return {
    event(name, data) {
      Sentry.captureMessage(name, { level: 'info', tags: { event: name }, extra: { ...data } });
    },
    exception(err) {
      const id = Sentry.captureException(err);
      return id ? id.slice(0, 8) : undefined;
    },
    async flush(timeoutMs = 2000) {
      await Sentry.flush(timeoutMs);
    },
  };
}
