/**
 * Sentry, when SENTRY_DSN (or the seed's SENTRY) is set; otherwise nothing is
 * loaded and nothing is sent. The SDK is imported only with a DSN, so start-up
 * stays fast. Every event and breadcrumb passes through `scrub` first: no
 * password, hash, token, secret or database password ever leaves the process.
 */
import type { Config } from './config.js';
import { noopMonitor, type Monitor } from './crm/deps.js';
import { packageVersion } from './version.js';

const REDACTED = '[redacted]';
/** Keys whose values are never sent, whatever they hold. */
const SECRET_KEY = /pass(word|wd)?|secret|token|hash|authorization|cookie|dsn|credential|api[-_]?key/i;
const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const BCRYPT = /\$2[abxy]?\$\d{2}\$[./A-Za-z0-9]{22,53}/g;
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^:@/\s]*):[^@/\s]*@/gi;

/** The configuration's own secrets, matched literally wherever they appear. */
function configSecrets(config: Config): string[] {
  const values = [config.jwtSecret, config.sentryDsn, config.appDbPassword, config.adminPassword];
  if (config.database.kind === 'external') values.push(config.database.admin.password);
  return values.filter((v): v is string => typeof v === 'string' && v.length >= 4);
}

export function createScrubber(secrets: readonly string[]): <T>(value: T) => T {
  const scrubString = (s: string): string => {
    let out = s.replace(JWT, '[token]').replace(BCRYPT, '[hash]').replace(URL_PASSWORD, `$1:${REDACTED}@`);
    for (const secret of secrets) out = out.split(secret).join(REDACTED);
    return out;
  };
  const walk = (value: unknown, seen: WeakSet<object>): unknown => {
    if (typeof value === 'string') return scrubString(value);
    if (typeof value !== 'object' || value === null || value instanceof Date) return value;
    if (seen.has(value)) return value;
    seen.add(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) value[i] = walk(value[i], seen);
      return value;
    }
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      obj[key] = SECRET_KEY.test(key) && obj[key] !== null && typeof obj[key] !== 'object' ? REDACTED : walk(obj[key], seen);
    }
    return obj;
  };
  return <T>(value: T): T => walk(value, new WeakSet()) as T;
}

export async function createMonitor(config: Config): Promise<Monitor> {
  if (!config.sentryDsn) return noopMonitor;
  const Sentry = await import('@sentry/node');
  const scrub = createScrubber(configSecrets(config));
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
