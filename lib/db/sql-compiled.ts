/**
 * The product's named queries (sql/*.sql) parsed at build time
 * (lib/program/bundle.ts writes dist/sql-queries.json), so that a start reads
 * them rather than parsing 1,700 lines of SQL (about 5 ms of a script's start
 * on Node.js 20, its code still cold). Each file's entry carries the SHA-256
 * of the text it was parsed from: a file changed since the build (or no
 * build's file at all) is parsed as before, so the queries run are always
 * the file's own.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot } from '../platform/paths.js';

export const compiledSqlFile = path.join(packageRoot, 'dist', 'sql-queries.json');

/** By file (relative to the package root): the text's SHA-256 and its queries (lib/db/sql.ts NamedQuery). */
export type CompiledSql<Q = unknown> = Record<string, { sha256: string; queries: Array<[string, Q]> }>;

let compiled: CompiledSql | undefined;

function readCompiled(): CompiledSql {
  if (compiled) return compiled;
  try {
    compiled = JSON.parse(fs.readFileSync(compiledSqlFile, 'utf8')) as CompiledSql;
  } catch {
    compiled = {};
  }
  return compiled;
}

export function sha256(text: string): string {
  return crypto.createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The queries of `file` as the build parsed them, when its text is still the one parsed; else undefined. */
export function compiledQueries<Q>(file: string, text: string, from: CompiledSql = readCompiled()): Map<string, Q> | undefined {
  const entry = from[path.relative(packageRoot, file)];
  return entry && entry.sha256 === sha256(text) ? new Map(entry.queries as Array<[string, Q]>) : undefined;
}
