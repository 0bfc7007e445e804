import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, parseDuration } from '../../lib/platform/config.js';
import { ConfigError } from '../../lib/domain/errors.js';

function refusal(env: NodeJS.ProcessEnv): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).to.be.instanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('defaults to the embedded database with no variables at all', () => {
    const c = loadConfig({ HOME: '/home/ann' });
    expect(c.database).to.deep.equal({ kind: 'embedded' });
    expect(c.tokenTtlSeconds).to.equal(8 * 3600);
    expect(c.bcryptRounds).to.equal(12);
    expect(c.appDbUser).to.equal('epic_app');
    expect(c.sentryDsn).to.equal(undefined);
  });

  it('puts the state directory under EPIC_EVENTS_HOME, else XDG_DATA_HOME, else ~/.local/share', () => {
    expect(loadConfig({ EPIC_EVENTS_HOME: '/srv/epic' }).stateDir).to.equal('/srv/epic');
    expect(loadConfig({ XDG_DATA_HOME: '/data' }).stateDir).to.equal('/data/epic-events');
    expect(loadConfig({}).stateDir).to.match(/\.local\/share\/epic-events$/);
  });

  it('reads DATABASE_URL into connection parameters', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://admin:s%40cret@db.example:6543/crm' });
    expect(c.database).to.deep.equal({ kind: 'external', admin: { host: 'db.example', port: 6543, database: 'crm', user: 'admin', password: 's@cret' } });
  });

  it("reads DATABASE_URL's sslmode: require encrypts, verify-full also checks the certificate", () => {
    const admin = (url: string) => (loadConfig({ DATABASE_URL: url }).database as { admin: { ssl?: unknown } }).admin;
    expect(admin('postgres://u:p@h/db?sslmode=require').ssl).to.deep.equal({ rejectUnauthorized: false });
    expect(admin('postgres://u:p@h/db?sslmode=verify-full').ssl).to.equal(true);
    expect(admin('postgres://u:p@h/db').ssl).to.equal(undefined);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u:p@h/db?sslmode=maybe' })).to.throw(/sslmode must be one of/);
  });

  it('reads a CA file from sslrootcert or PGSSLROOTCERT: verify-full checks chain and host, verify-ca (and require with a CA) the chain only', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'epic-ca-'));
    try {
      const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
      const ca = path.join(dir, 'ca.pem');
      fs.writeFileSync(ca, pem);
      const ssl = (env: NodeJS.ProcessEnv) => (loadConfig(env).database as { admin: { ssl?: Record<string, unknown> } }).admin.ssl;
      expect(ssl({ DATABASE_URL: `postgres://u:p@h/db?sslmode=verify-full&sslrootcert=${encodeURIComponent(ca)}` })).to.deep.equal({ rejectUnauthorized: true, ca: pem });
      expect(ssl({ DATABASE_URL: 'postgres://u:p@h/db?sslmode=verify-full', PGSSLROOTCERT: ca })).to.deep.equal({ rejectUnauthorized: true, ca: pem });
      const verifyCa = ssl({ DATABASE_URL: 'postgres://u:p@h/db?sslmode=verify-ca', PGSSLROOTCERT: ca });
      expect(verifyCa).to.include({ rejectUnauthorized: true, ca: pem });
      expect(verifyCa?.checkServerIdentity).to.be.a('function');
      expect(ssl({ DATABASE_URL: 'postgres://u:p@h/db?sslmode=require', PGSSLROOTCERT: ca })).to.include({ rejectUnauthorized: true, ca: pem });
      expect(ssl({ DATABASE_URL: 'postgres://u:p@h/db?sslmode=verify-full&sslrootcert=system' })).to.equal(true);
      // PGSSLMODE when the URL says nothing, and for the POSTGRES_* variables.
      expect(ssl({ DATABASE_URL: 'postgres://u:p@h/db', PGSSLMODE: 'verify-full', PGSSLROOTCERT: ca })).to.deep.equal({ rejectUnauthorized: true, ca: pem });
      expect(ssl({ POSTGRES_DB: 'd', POSTGRES_USER: 'u', PGSSLMODE: 'verify-full', PGSSLROOTCERT: ca })).to.deep.equal({ rejectUnauthorized: true, ca: pem });
      expect(ssl({ DATABASE_URL: 'postgres://u:p@h/db?sslmode=disable', PGSSLROOTCERT: ca })).to.equal(undefined);
      // A missing or non-PEM file is named in one line, the URL never echoed.
      expect(() => loadConfig({ DATABASE_URL: 'postgres://u:secret-pw@h/db?sslmode=verify-full', PGSSLROOTCERT: path.join(dir, 'nope.pem') }))
        .to.throw(ConfigError, /^the CA file of sslrootcert or PGSSLROOTCERT cannot be read \(ENOENT: .*nope\.pem\)$/);
      fs.writeFileSync(path.join(dir, 'junk.pem'), 'not a certificate');
      expect(() => loadConfig({ DATABASE_URL: 'postgres://u:secret-pw@h/db?sslmode=verify-full', PGSSLROOTCERT: path.join(dir, 'junk.pem') }))
        .to.throw(ConfigError, /holds no PEM certificate/);
      expect(() => loadConfig({ DATABASE_URL: 'postgres://u:p@h/db', PGSSLMODE: 'sometimes' })).to.throw(ConfigError, /^PGSSLMODE must be one of/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("accepts the seed's POSTGRES_* and DB_PORT variables", () => {
    const c = loadConfig({ POSTGRES_DB: 'epic', POSTGRES_USER: 'root', POSTGRES_PASSWORD: 'pw', DB_PORT: '5433' });
    expect(c.database).to.deep.equal({ kind: 'external', admin: { host: 'localhost', port: 5433, database: 'epic', user: 'root', password: 'pw' } });
  });

  it("accepts the seed's SENTRY and USER_1_PW names", () => {
    const c = loadConfig({ SENTRY: 'https://k@o1.ingest.sentry.io/1', USER_1_PW: 'first-admin-password' });
    expect(c.sentryDsn).to.equal('https://k@o1.ingest.sentry.io/1');
    expect(c.adminPassword).to.equal('first-admin-password');
  });

  it('parses durations', () => {
    expect(parseDuration('TOKEN_TTL', '8h')).to.equal(28800);
    expect(parseDuration('TOKEN_TTL', '30m')).to.equal(1800);
    expect(parseDuration('TOKEN_TTL', '90')).to.equal(90);
    expect(loadConfig({ TOKEN_TTL: '30d' }).tokenTtlSeconds).to.equal(30 * 86400);
  });

  it('waits up to DB_BUSY_TIMEOUT (default 20 s) for a free connection on a full server', () => {
    expect(loadConfig({}).busyTimeoutMs).to.equal(20_000);
    expect(loadConfig({ DB_BUSY_TIMEOUT: '2m' }).busyTimeoutMs).to.equal(120_000);
  });

  const bad: Array<[string, NodeJS.ProcessEnv, RegExp]> = [
    ['a short JWT_SECRET', { JWT_SECRET: 'too-short' }, /^JWT_SECRET must be at least 32 bytes/],
    ['a TOKEN_TTL that is not a duration', { TOKEN_TTL: 'eight hours' }, /^TOKEN_TTL must be a duration/],
    ['a zero TOKEN_TTL', { TOKEN_TTL: '0' }, /^TOKEN_TTL must be longer than zero/],
    ['a DB_BUSY_TIMEOUT that is not a duration', { DB_BUSY_TIMEOUT: 'long' }, /^DB_BUSY_TIMEOUT must be a duration/],
    ['BCRYPT_ROUNDS out of range', { BCRYPT_ROUNDS: '40' }, /^BCRYPT_ROUNDS must be between 4 and 31/],
    ['BCRYPT_ROUNDS not a number', { BCRYPT_ROUNDS: 'twelve' }, /^BCRYPT_ROUNDS must be a whole number/],
    ['DB_PORT not a port', { POSTGRES_DB: 'e', POSTGRES_USER: 'u', DB_PORT: '99999' }, /^DB_PORT must be between 1 and 65535/],
    ['POSTGRES_HOST without a database', { POSTGRES_HOST: 'db' }, /^POSTGRES_DB and POSTGRES_USER must be set/],
    ['a DATABASE_URL of another scheme', { DATABASE_URL: 'mysql://u:p@h/db' }, /^DATABASE_URL must start with postgres:\/\//],
    ['a DATABASE_URL without a database', { DATABASE_URL: 'postgres://u:p@h:5432' }, /^DATABASE_URL must name a database/],
    ['a DATABASE_URL with a bad percent-escape', { DATABASE_URL: 'postgres://u:p%zz@h/db' }, /^DATABASE_URL has a bad percent-escape in its password/],
    ['a STATEMENT_TIMEOUT beyond what PostgreSQL holds', { STATEMENT_TIMEOUT: '99999999999999999999' }, /^STATEMENT_TIMEOUT must be at most/],
    ['a SENTRY_DSN that is not a DSN', { SENTRY_DSN: 'not-a-dsn' }, /^SENTRY_DSN is not a valid Sentry DSN/],
    ['an APP_DB_USER that is not an identifier', { APP_DB_USER: 'x"; drop role' }, /^APP_DB_USER must be a lower-case PostgreSQL identifier/],
  ];
  for (const [what, env, message] of bad) {
    it(`refuses ${what} with one line naming the variable`, () => {
      const text = refusal(env);
      expect(text).to.match(message);
      expect(text).not.to.include('\n');
    });
  }

  it('never echoes a malformed SENTRY_DSN or a badly escaped DATABASE_URL (they are credentials)', () => {
    expect(refusal({ SENTRY_DSN: 'https://sekrit-key-123@/nothing' })).not.to.include('sekrit-key-123');
    const seed = refusal({ SENTRY: 'ftp://sekrit-key-123@o1.example/1' });
    expect(seed).to.match(/^SENTRY is not/);
    expect(seed).not.to.include('sekrit-key-123');
    expect(refusal({ DATABASE_URL: 'postgres://admin:hunter2%G0secret@h/db' })).not.to.include('hunter2');
  });

  it('never echoes a malformed DATABASE_URL (it may carry a password)', () => {
    const text = refusal({ DATABASE_URL: 'postgres://admin:hunter2-secret@[bad' });
    expect(text).not.to.include('hunter2-secret');
  });
});
