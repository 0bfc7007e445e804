/**
 * The bench's own statements (bench/sql/bench.sql: the data generator and the
 * bare-driver baselines), read and checked as the product's are; they are not
 * in sql/, which holds only what the product runs.
 */
import path from 'node:path';
import { namedQueries } from '../lib/db/sql.js';
import { packageRoot } from '../lib/platform/paths.js';

export const BENCH_SQL = path.join(packageRoot, 'bench', 'sql', 'bench.sql');

export function benchQueries<const N extends readonly string[]>(names: N) {
  return namedQueries(BENCH_SQL, names);
}
