/**
 * spec/regressions/: one file per bug that was, named after what it broke,
 * with what it did in its header, so that it cannot come back unseen.
 *
 * The comment lines that introduce a named query were read as the end of the
 * query before it: sent with it, and counted by its `-- params:` check, so a
 * comment saying "$3 is the password" under a query with one parameter
 * failed the whole file at load ("names 1 parameters but uses $1…$3"). Found
 * by the typed-SQL spec (spec/db/typed-sql.spec.ts), where setup.sql's
 * mayCreateDatabase carried the next query's "$3".
 */
import { expect } from 'chai';
import { parseNamedQueries } from '../../lib/db/sql.js';

describe('regression: a comment introducing the next named query', () => {
  const source = [
    '-- name: databaseExists :one', '-- params: database', 'select 1 as exists from pg_database where datname = $1;', '',
    "-- $3 is the runtime role's password as a SCRAM verifier", '-- name: useSettings :exec', '-- params: database, appRole, appPassword',
    'select $1, $2, $3;',
  ].join('\n');

  it('is not part of the query before it, nor counted among its parameters', () => {
    const q = parseNamedQueries('setup', source);
    expect(q.get('databaseExists')?.text).to.equal('select 1 as exists from pg_database where datname = $1');
    expect(q.get('useSettings')?.params).to.deep.equal(['database', 'appRole', 'appPassword']);
  });
});
