import fs from 'node:fs';
import { ConfigError } from '../domain/errors.js';
import { defaultStateDir } from './paths.js';
import { readEnvironment } from './env-files.js';

export { readEnvironment };

export interface ConnectionParams {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
  /** TLS to the server (sslmode, sslrootcert): true verifies the certificate against the system's CAs. */
  ssl?: boolean | TlsOptions;
}

/** What node-postgres hands to tls.connect. */
export interface TlsOptions {
  rejectUnauthorized: boolean;
  /** The CA certificates (PEM) of `sslrootcert` / PGSSLROOTCERT, instead of the system's. */
  ca?: string;
  /** verify-ca: the chain is checked, the host name is not (as libpq). */
  checkServerIdentity?: () => undefined;
}

export type DatabaseConfig =
  | { kind: 'embedded' }
  /** `admin` provisions (setup); the shell logs in as the runtime role on the same server. */
  | { kind: 'external'; admin: ConnectionParams };

export interface Config {
  stateDir: string;
  database: DatabaseConfig;
  /** Runtime login role the shell connects as. */
  appDbUser: string;
  /** Its password; required with an external database, generated for the embedded one. */
  appDbPassword?: string;
  jwtSecret?: string;
  tokenTtlSeconds: number;
  bcryptRounds: number;
  sentryDsn?: string;
  adminEmail?: string;
  adminPassword?: string;
  statementTimeoutMs: number;
  connectTimeoutMs: number;
  /** How long to wait for a free connection when the server's connection limit is reached. */
  busyTimeoutMs: number;
  /** Embedded server: how long it keeps running once its last user left (0: stops at once). */
  embeddedIdleSeconds: number;
}

const DURATION_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** `8h`, `30m`, `90s`, `1d` or plain seconds. */
export function parseDuration(name: string, raw: string, maxSeconds = MAX_DURATION_SECONDS): number {
  const m = /^(\d+)\s*([smhd]?)$/.exec(raw.trim());
  if (!m) throw new ConfigError(`${name} must be a duration such as 8h, 30m or 3600 (got "${raw}")`);
  const seconds = Number(m[1]) * DURATION_UNITS[m[2] || 's'];
  if (seconds <= 0) throw new ConfigError(`${name} must be longer than zero`);
  if (seconds > maxSeconds) throw new ConfigError(`${name} must be at most ${maxSeconds} seconds`);
  return seconds;
}

/** What PostgreSQL's millisecond settings (and Node's timers) hold: int32 milliseconds, about 24 days. */
const MAX_DURATION_SECONDS = 2_147_483;
/** A token lives at most a year. */
const MAX_TOKEN_TTL_SECONDS = 366 * 86400;

function parseInteger(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number between ${min} and ${max} (got "${raw}")`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max} (got ${n})`);
  return n;
}

function parseDatabaseUrl(raw: string, env: NodeJS.ProcessEnv): ConnectionParams {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Never echo the value: a DSN carries a password.
    throw new ConfigError('DATABASE_URL is not a valid URL (expected postgres://user:password@host:port/database)');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError('DATABASE_URL must start with postgres:// or postgresql://');
  }
  const decode = (part: string, what: string) => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw new ConfigError(`DATABASE_URL has a bad percent-escape in its ${what} (write a literal % as %25)`);
    }
  };
  const database = decode(url.pathname.replace(/^\//, ''), 'database name');
  if (!database) throw new ConfigError('DATABASE_URL must name a database (postgres://user:password@host:port/database)');
  if (!url.username) throw new ConfigError('DATABASE_URL must name a user (postgres://user:password@host:port/database)');
  const ssl = sslFrom(url.searchParams.get('sslmode') ?? env.PGSSLMODE, url.searchParams.get('sslrootcert') ?? env.PGSSLROOTCERT, url.searchParams.has('sslmode') ? 'DATABASE_URL sslmode' : 'PGSSLMODE');
  return {
    ...(ssl !== undefined ? { ssl } : {}),
    host: url.hostname || 'localhost',
    port: url.port ? parseInteger('DATABASE_URL port', url.port, 1, 65535) : 5432,
    database,
    user: decode(url.username, 'user name'),
    password: url.password ? decode(url.password, 'password') : undefined,
  };
}

const SSLMODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/**
 * libpq's sslmode and sslrootcert (in DATABASE_URL, or PGSSLMODE and PGSSLROOTCERT):
 * require encrypts without checking the certificate — unless a CA file is given,
 * then it checks the chain as verify-ca does; verify-ca checks the chain against
 * the CA file (or the system's CAs), verify-full also the host name.
 * `sslrootcert=system` means the system's CAs.
 */
function sslFrom(mode: string | undefined, rootCert: string | undefined, modeName: string): ConnectionParams['ssl'] {
  const sslmode = mode || 'disable';
  if (!SSLMODES.includes(sslmode)) throw new ConfigError(`${modeName} must be one of ${SSLMODES.join(', ')}`);
  if (sslmode === 'disable' || sslmode === 'allow' || sslmode === 'prefer') return undefined;
  let ca: string | undefined;
  if (rootCert && rootCert !== 'system') {
    try {
      ca = fs.readFileSync(rootCert, 'utf8');
    } catch (err) {
      throw new ConfigError(`the CA file of sslrootcert or PGSSLROOTCERT cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'}: ${rootCert})`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError(`the CA file of sslrootcert or PGSSLROOTCERT holds no PEM certificate (${rootCert})`);
  }
  if (sslmode === 'require' && !rootCert) return { rejectUnauthorized: false };
  const verifyHost = sslmode === 'verify-full';
  if (!ca && verifyHost) return true;
  return { rejectUnauthorized: true, ...(ca ? { ca } : {}), ...(verifyHost ? {} : { checkServerIdentity: () => undefined }) };
}

const sslOption = (ssl: ConnectionParams['ssl']) => (ssl !== undefined ? { ssl } : {});

function databaseFrom(env: NodeJS.ProcessEnv): DatabaseConfig {
  if (env.DATABASE_URL) return { kind: 'external', admin: parseDatabaseUrl(env.DATABASE_URL, env) };
  // The seed's variables (the ones compose.yaml also reads).
  if (env.POSTGRES_DB || env.POSTGRES_USER || env.POSTGRES_HOST || env.DB_PORT) {
    const missing = ['POSTGRES_DB', 'POSTGRES_USER'].filter((k) => !env[k]);
    if (missing.length) throw new ConfigError(`${missing.join(' and ')} must be set with the other POSTGRES_* variables (or use DATABASE_URL)`);
    return {
      kind: 'external',
      admin: {
        host: env.POSTGRES_HOST || 'localhost',
        port: env.DB_PORT ? parseInteger('DB_PORT', env.DB_PORT, 1, 65535) : 5432,
        database: env.POSTGRES_DB as string,
        user: env.POSTGRES_USER as string,
        password: env.POSTGRES_PASSWORD || undefined,
        ...sslOption(sslFrom(env.PGSSLMODE, env.PGSSLROOTCERT, 'PGSSLMODE')),
      },
    };
  }
  return { kind: 'embedded' };
}

/**
 * A Sentry DSN (https://KEY@HOST/PROJECT), checked here so that a bad one is a
 * configuration error naming the variable, never echoed (it is a credential).
 */
function sentryDsn(env: NodeJS.ProcessEnv): string | undefined {
  const name = env.SENTRY_DSN ? 'SENTRY_DSN' : 'SENTRY';
  const raw = env.SENTRY_DSN || env.SENTRY || undefined;
  if (raw === undefined) return undefined;
  // The SDK's own reading of a DSN (it prints a DSN it cannot read, secret key and all): checked first, here.
  const m = /^(https?):\/\/(\w+)(?::(\w+)?)?@([\w.-]+)(?::(\d+))?\/(.+)$/.exec(raw.trim());
  if (!m || !/^(?:.*\/)?\d+\/?$/.test(m[6])) {
    throw new ConfigError(`${name} is not a valid Sentry DSN (expected https://KEY@HOST/PROJECT_ID)`);
  }
  return raw.trim();
}

/**
 * The configuration from the environment. Any problem is a ConfigError (exit
 * code 2) naming the variable; a value is never echoed when it may hold a secret.
 */
export function loadConfig(env: NodeJS.ProcessEnv = readEnvironment()): Config {
  try {
    return readConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`the configuration could not be read (${(err as Error)?.name ?? 'error'}); check DATABASE_URL and the other variables of .env.example`);
  }
}

function readConfig(env: NodeJS.ProcessEnv): Config {
  const jwtSecret = env.JWT_SECRET || undefined;
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret, 'utf8') < 32) {
    throw new ConfigError('JWT_SECRET must be at least 32 bytes (generate one with: openssl rand -base64 48)');
  }
  const appDbUser = env.APP_DB_USER || 'epic_app';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(appDbUser)) {
    throw new ConfigError('APP_DB_USER must be a lower-case PostgreSQL identifier (letters, digits, underscore)');
  }
  const database = databaseFrom(env);
  const appDbPassword = env.APP_DB_PASSWORD || undefined;
  const adminEmail = env.ADMIN_EMAIL || undefined;
  const adminPassword = env.ADMIN_PASSWORD || env.USER_1_PW || undefined;
  return {
    stateDir: defaultStateDir(env),
    database,
    appDbUser,
    appDbPassword,
    jwtSecret,
    tokenTtlSeconds: env.TOKEN_TTL ? parseDuration('TOKEN_TTL', env.TOKEN_TTL, MAX_TOKEN_TTL_SECONDS) : 8 * 3600,
    bcryptRounds: env.BCRYPT_ROUNDS ? parseInteger('BCRYPT_ROUNDS', env.BCRYPT_ROUNDS, 4, 31) : 12,
    sentryDsn: sentryDsn(env),
    adminEmail,
    adminPassword,
    statementTimeoutMs: env.STATEMENT_TIMEOUT ? parseDuration('STATEMENT_TIMEOUT', env.STATEMENT_TIMEOUT) * 1000 : 30_000,
    connectTimeoutMs: env.DB_CONNECT_TIMEOUT ? parseDuration('DB_CONNECT_TIMEOUT', env.DB_CONNECT_TIMEOUT) * 1000 : 5_000,
    busyTimeoutMs: env.DB_BUSY_TIMEOUT ? parseDuration('DB_BUSY_TIMEOUT', env.DB_BUSY_TIMEOUT) * 1000 : 20_000,
    embeddedIdleSeconds: !env.EMBEDDED_IDLE ? 600 : /^\s*0+\s*[smhd]?\s*$/.test(env.EMBEDDED_IDLE) ? 0 : parseDuration('EMBEDDED_IDLE', env.EMBEDDED_IDLE),
  };
}
