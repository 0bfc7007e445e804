/**
 * The test suite's own statements (spec/support/sql/testing.sql: known state,
 * fingerprints, statements the roles must be refused), read and checked as
 * the product's are; they are not in sql/, which holds only what the product runs.
 */
import path from 'node:path';
import { namedQueries } from '../../lib/db/sql.js';
import { packageRoot } from '../../lib/platform/paths.js';

export const TESTING_SQL = path.join(packageRoot, 'spec', 'support', 'sql', 'testing.sql');

export function testQueries<const N extends readonly string[]>(names: N) {
  return namedQueries(TESTING_SQL, names);
}
