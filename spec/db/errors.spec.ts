/**
 * The one table from SQLSTATE to error class (lib/db/errors.ts). The real
 * server's errors are met in spec/reliability/local-state.spec.ts (connection
 * limit, full disk, killed server), the driver's own in spec/db/driver.spec.ts;
 * here, each code's class and words, and that the words of the error decide nothing.
 */
import { expect } from 'chai';
import { DriverFailure, mapDatabaseError } from '../../lib/db/errors.js';
import { AuthError, Conflict, DatabaseUnavailable, PermissionDenied, QueryCancelled, SessionRevoked, ValidationError } from '../../lib/domain/errors.js';
import { describeError, markApiFailure } from '../../lib/shell/errors.js';
import { noopMonitor } from '../../lib/platform/monitoring.js';

const pgError = (code: string, message = 'server message', extra: object = {}) => Object.assign(new Error(message), { code, ...extra });

describe('db error mapping (SQLSTATE → error class, one table)', () => {
  it('names the resource errors: connection limit, not accepting connections, full disk (with the data directory)', () => {
    const limit = mapDatabaseError(pgError('53300', 'remaining connection slots are reserved for roles with the SUPERUSER attribute')) as DatabaseUnavailable;
    expect(limit).to.be.instanceOf(DatabaseUnavailable);
    expect(limit.reason).to.equal('connection-limit');
    expect(limit.message).to.equal("the server's connection limit is reached; try again in a moment");
    expect(limit.sqlState).to.equal('53300');

    const starting = mapDatabaseError(pgError('57P03', 'the database system is starting up')) as DatabaseUnavailable;
    expect(starting.reason).to.equal('not-accepting');
    expect(starting.message).to.include('the database system is starting up');

    const full = mapDatabaseError(pgError('53100', 'could not extend file "base/1/2": No space left on device'), { dataDir: '/home/a/.local/share/epic-events/postgres/data' }) as DatabaseUnavailable;
    expect(full.reason).to.equal('disk-full');
    expect(full.message).to.equal("the database's disk is full (data directory /home/a/.local/share/epic-events/postgres/data); free some space and try again");
    expect((mapDatabaseError(pgError('53100')) as Error).message).to.match(/^the database's disk is full \(on the database server\)/);
  });

  it('maps whole classes the program can meet: 08 (connection), 53 (resources), 58 (system I/O)', () => {
    expect((mapDatabaseError(pgError('08006')) as DatabaseUnavailable).reason).to.equal('unreachable');
    expect((mapDatabaseError(pgError('57P01')) as DatabaseUnavailable).reason).to.equal('unreachable');
    expect((mapDatabaseError(pgError('53200')) as DatabaseUnavailable).reason).to.equal('resources');
    expect((mapDatabaseError(pgError('53999')) as DatabaseUnavailable).reason).to.equal('resources');
    expect((mapDatabaseError(pgError('58030', 'could not write')) as DatabaseUnavailable).message).to.include('could not write');
  });

  it("reads PgBouncer's refused login (08P01, its own English words) as the server's: a session's ended role, else a connection lost", () => {
    // PgBouncer (auth_query) answers a role that is gone with 08P01, the class of a lost connection.
    const refused = pgError('08P01', 'password authentication failed for user "epic_s_0123456789ab_7"');
    expect(mapDatabaseError(refused, { sessionLogin: true })).to.be.instanceOf(SessionRevoked);
    expect((mapDatabaseError(pgError('08P01', 'no such user'), { sessionLogin: true }))).to.be.instanceOf(SessionRevoked);
    expect((mapDatabaseError(refused) as DatabaseUnavailable).reason).to.equal('login');
    expect((mapDatabaseError(pgError('08P01', 'server conn crashed?'), { sessionLogin: true }) as DatabaseUnavailable).reason).to.equal('unreachable');
  });

  it('maps the system\'s connection failures (errno codes) and the driver\'s (a DriverFailure) as unreachable; TLS refused as tls', () => {
    expect((mapDatabaseError(pgError('ECONNREFUSED')) as DatabaseUnavailable).reason).to.equal('unreachable');
    expect((mapDatabaseError(new DriverFailure('unreachable', new Error('whatever the driver said'))) as DatabaseUnavailable).reason).to.equal('unreachable');
    const tls = mapDatabaseError(new DriverFailure('tls-refused', new Error('x'))) as DatabaseUnavailable;
    expect(tls.reason).to.equal('tls');
    expect(tls.message).to.equal('the server does not accept TLS connections, and sslmode requires TLS');
    expect((mapDatabaseError(pgError('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate')) as DatabaseUnavailable).reason).to.equal('tls');
  });

  it('keeps the other classes: session, cancel, conflict, already exists, validation, permission', () => {
    expect(mapDatabaseError(pgError('EP001', 'revoked'))).to.be.instanceOf(SessionRevoked);
    const expired = mapDatabaseError(pgError('EP002', 'your session has expired'));
    expect(expired).to.be.instanceOf(AuthError).and.not.be.instanceOf(SessionRevoked);
    expect(mapDatabaseError(pgError('57014', 'canceling statement due to statement timeout'))).to.be.instanceOf(QueryCancelled);
    expect(mapDatabaseError(pgError('23505', 'dup', { constraint: 'users_email_key' }))).to.be.instanceOf(Conflict);
    expect(mapDatabaseError(pgError('42P04', 'database "x" already exists'))).to.be.instanceOf(Conflict);
    expect(mapDatabaseError(pgError('23514'))).to.be.instanceOf(ValidationError);
    expect(mapDatabaseError(pgError('42501'))).to.be.instanceOf(PermissionDenied);
    expect(mapDatabaseError(pgError('40P01'))).to.be.instanceOf(Conflict);
  });

  it('leaves anything else as it is (a bug, reported as unexpected)', () => {
    const bug = pgError('XX000', 'internal');
    expect(mapDatabaseError(bug)).to.equal(bug);
    expect(mapDatabaseError(pgError('42601', 'syntax error'))).to.not.be.instanceOf(DatabaseUnavailable);
  });

  it('maps by SQLSTATE and constraint name, never by the words: other words (a French server), the same class', () => {
    const timeout = mapDatabaseError(pgError('57014', "annulation de la requête à cause du délai écoulé pour l'exécution de l'instruction"));
    expect(timeout).to.be.instanceOf(QueryCancelled);
    expect((timeout as Error).message).to.equal('the query ran too long and was cancelled by the server (statement timeout)');
    // Whatever the words, a 57014 after this process asked for the cancel is that cancel.
    const cancelled = mapDatabaseError(pgError('57014', 'canceling statement due to statement timeout'), { cancelRequested: true });
    expect((cancelled as Error).message).to.equal('the query was cancelled');
    expect((mapDatabaseError(pgError('23505', 'la valeur d\'une clé dupliquée rompt la contrainte unique', { constraint: 'users_email_key' })) as Error).message)
      .to.equal('that email address is already used');
    expect((mapDatabaseError(pgError('23505', 'duplicate key value violates unique constraint "users_employee_number_key" (email)', { constraint: 'users_employee_number_key' })) as Error).message)
      .to.equal('that employee number is already used');
    expect((mapDatabaseError(pgError('23505', 'email', { constraint: 'events_contract_key' })) as Error).message).to.equal('a record with the same unique value already exists (events_contract_key)');
    expect(mapDatabaseError(pgError('EP002', 'votre session a expiré'))).to.be.instanceOf(AuthError).and.not.be.instanceOf(SessionRevoked);
    expect(mapDatabaseError(pgError('EP001', 'your session has expired'))).to.be.instanceOf(SessionRevoked);
  });

  it('takes no driver error for a connection failure by its words: without a code or a DriverFailure, it is a bug', () => {
    for (const words of ['Connection terminated unexpectedly', 'timeout expired', 'The server does not support SSL connections', 'Connection terminated due to connection timeout']) {
      const err = new Error(words);
      expect(mapDatabaseError(err), words).to.equal(err);
    }
  });

  it('prints the resource errors as one line and never reports them to Sentry as bugs', () => {
    const reported: unknown[] = [];
    const monitor = { ...noopMonitor, exception: (err: unknown) => (reported.push(err), 'ref') };
    for (const code of ['53300', '53100', '57P03']) {
      const err = mapDatabaseError(pgError(code));
      markApiFailure(err); // raised inside an API method, as it would be
      expect(describeError(err, monitor)).to.match(/^DatabaseUnavailable: /);
    }
    expect(reported).to.deep.equal([]);
    // whereas a bug is reported
    const bug = pgError('XX000', 'internal');
    markApiFailure(bug);
    expect(describeError(bug, monitor)).to.match(/reference ref/);
    expect(reported).to.have.length(1);
  });
});
