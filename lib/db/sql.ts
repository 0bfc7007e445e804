import fs from 'node:fs';
import path from 'node:path';
import { packageRoot, sqlDir } from '../paths.js';

/** `:one` at most one row, `:many` rows, `:exec` no rows (affected count). */
export type QueryKind = 'one' | 'many' | 'exec';

export interface NamedQuery {
  readonly area: string;
  readonly name: string;
  readonly kind: QueryKind;
  readonly text: string;
  /**
   * Planned for each call's own values (`-- plan: per-call` under the name
   * line): queries whose best plan depends on which optional filters are
   * given. The others are prepared once per connection and reuse their plan.
   */
  readonly perCallPlan?: boolean;
}

const NAME_LINE = /^--\s*name:\s*([A-Za-z][A-Za-z0-9_]*)\s+:(one|many|exec)\s*$/;
const PER_CALL_PLAN = /^--\s*plan:\s*per-call\s*$/;
const cache = new Map<string, Map<string, NamedQuery>>();

/** Parse `-- name: getClient :one` blocks (sqlc style). Duplicates are an error. */
export function parseNamedQueries(area: string, source: string): Map<string, NamedQuery> {
  const out = new Map<string, NamedQuery>();
  let current: { name: string; kind: QueryKind; lines: string[]; perCallPlan: boolean } | undefined;
  const flush = () => {
    if (!current) return;
    const text = current.lines.join('\n').trim().replace(/;\s*$/, '');
    if (!text) throw new Error(`sql/${area}.sql: query ${current.name} is empty`);
    out.set(current.name, { area, name: current.name, kind: current.kind, text, ...(current.perCallPlan ? { perCallPlan: true } : {}) });
  };
  for (const line of source.split(/\r?\n/)) {
    const m = NAME_LINE.exec(line.trim());
    if (m) {
      flush();
      if (out.has(m[1])) throw new Error(`sql/${area}.sql: query name ${m[1]} is defined twice`);
      current = { name: m[1], kind: m[2] as QueryKind, lines: [], perCallPlan: false };
    } else if (current && current.lines.length === 0 && PER_CALL_PLAN.test(line.trim())) {
      current.perCallPlan = true;
    } else if (current) {
      current.lines.push(line);
    }
  }
  flush();
  return out;
}

function loadFile(file: string): Map<string, NamedQuery> {
  let queries = cache.get(file);
  if (!queries) {
    queries = parseNamedQueries(path.basename(file, '.sql'), fs.readFileSync(file, 'utf8'));
    cache.set(file, queries);
  }
  return queries;
}

/**
 * The named queries a module uses, checked when the module loads: a missing
 * name fails at start, never at call time. The product's come from sql/ only.
 *
 *     const q = queries('clients', ['getClient', 'listClients'] as const);
 */
export function queries<const N extends readonly string[]>(area: string, names: N): { readonly [K in N[number]]: NamedQuery } {
  return namedQueries(path.join(sqlDir, `${area}.sql`), names);
}

/**
 * The same from any one .sql file, read and checked the same way: the test
 * suite's own statements (spec/support/sql/) and the bench's (bench/sql/).
 */
export function namedQueries<const N extends readonly string[]>(file: string, names: N): { readonly [K in N[number]]: NamedQuery } {
  const all = loadFile(file);
  const picked: Record<string, NamedQuery> = {};
  const missing = names.filter((n) => !all.has(n));
  if (missing.length) throw new Error(`${path.relative(packageRoot, file)} has no query named ${missing.join(', ')}`);
  for (const n of names) picked[n] = all.get(n) as NamedQuery;
  return picked as { readonly [K in N[number]]: NamedQuery };
}

/** Every numbered migration, in order: `sql/migrations/NNN_name.sql`. */
export interface Migration {
  version: number;
  name: string;
  text: string;
}

/** The migration files' names, in order (no reading: what a start-up check needs). */
export function migrationFiles(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
}

export function loadMigrations(dir: string): Migration[] {
  const files = migrationFiles(dir);
  const seen = new Set<number>();
  return files.map((file) => {
    const m = /^(\d{3,})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!m) throw new Error(`sql/migrations/${file}: migration files are named NNN_name.sql`);
    const version = Number(m[1]);
    if (seen.has(version)) throw new Error(`sql/migrations: version ${version} is used twice`);
    seen.add(version);
    return { version, name: m[2], text: fs.readFileSync(path.join(dir, file), 'utf8') };
  });
}
