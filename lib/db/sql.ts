import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { packageRoot, sqlDir } from '../platform/paths.js';
import { compiledQueries, sha256, type CompiledSql } from './sql-compiled.js';

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
  /**
   * The names of $1, $2… in order (`-- params: afterId, limit` under the name
   * line): the query's arguments are then given by name, through `bind`.
   */
  readonly params?: readonly string[];
}

const NAME_LINE = /^--\s*name:\s*([A-Za-z][A-Za-z0-9_]*)\s+:(one|many|exec)\s*$/;
const FRAGMENT_LINE = /^--\s*fragment:\s*([A-Za-z][A-Za-z0-9_]*)\s*$/;
const FRAGMENT_USE = /\{\{\s*([A-Za-z][A-Za-z0-9_]*)\s*\}\}/g;
const PER_CALL_PLAN = /^--\s*plan:\s*per-call\s*$/;
const PARAMS = /^--\s*params:\s*(.*)$/;
const cache = new Map<string, Map<string, NamedQuery>>();

interface Block { name: string; kind: QueryKind | 'fragment'; lines: string[]; perCallPlan: boolean; params?: string[] }

/**
 * Parse `-- name: getClient :one` blocks (sqlc style). Duplicates are an error.
 * A `-- fragment: clientColumns` block is a piece of text the file's queries
 * write as `{{clientColumns}}` (one select list per projection, one row for a
 * lock and its peek); it is not a query, and its own comment lines are dropped.
 */
export function parseNamedQueries(area: string, source: string): Map<string, NamedQuery> {
  const blocks: Block[] = [];
  let current: Block | undefined;
  for (const line of source.split(/\r?\n/)) {
    const m = NAME_LINE.exec(line.trim());
    const f = m ? undefined : FRAGMENT_LINE.exec(line.trim());
    if (m || f) {
      const name = (m ?? f as RegExpExecArray)[1];
      if (blocks.some((b) => b.name === name)) throw new Error(`sql/${area}.sql: query name ${name} is defined twice`);
      current = { name, kind: m ? m[2] as QueryKind : 'fragment', lines: [], perCallPlan: false };
      blocks.push(current);
    } else if (current && current.lines.length === 0 && PER_CALL_PLAN.test(line.trim())) {
      current.perCallPlan = true;
    } else if (current && current.lines.length === 0 && PARAMS.test(line.trim())) {
      current.params = (PARAMS.exec(line.trim()) as RegExpExecArray)[1].split(',').map((n) => n.trim()).filter(Boolean);
    } else if (current && !(current.kind === 'fragment' && /^\s*--/.test(line))) {
      current.lines.push(line);
    }
  }
  // The comment lines after a statement introduce the next one: not part of its text.
  const bodyOf = (b: Block) => b.lines.join('\n').replace(/(\n\s*(--[^\n]*)?)*$/, '').trim().replace(/;\s*$/, '');
  const fragments = new Map(blocks.filter((b) => b.kind === 'fragment').map((b) => [b.name, bodyOf(b)]));
  const out = new Map<string, NamedQuery>();
  for (const b of blocks) {
    if (b.kind === 'fragment') continue;
    const text = bodyOf(b).replace(FRAGMENT_USE, (_, used: string) => {
      const piece = fragments.get(used);
      if (piece === undefined) throw new Error(`sql/${area}.sql: query ${b.name} uses {{${used}}}, which no -- fragment: defines`);
      return piece;
    });
    if (!text) throw new Error(`sql/${area}.sql: query ${b.name} is empty`);
    if (b.params) checkParams(area, b.name, text, b.params);
    out.set(b.name, {
      area, name: b.name, kind: b.kind, text,
      ...(b.perCallPlan ? { perCallPlan: true } : {}),
      ...(b.params ? { params: b.params } : {}),
    });
  }
  return out;
}

/** The `-- params:` line names each of $1…$N exactly once, in order, and nothing else. */
function checkParams(area: string, name: string, text: string, params: string[]): void {
  const where = `sql/${area}.sql: query ${name}`;
  const used = new Set([...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  const highest = Math.max(0, ...used);
  if (params.length !== highest) throw new Error(`${where} names ${params.length} parameters but uses $1…$${highest}`);
  for (let i = 1; i <= highest; i++) if (!used.has(i)) throw new Error(`${where} never uses $${i} (${params[i - 1]})`);
  const twice = params.find((p, i) => params.indexOf(p) !== i);
  if (twice) throw new Error(`${where} names parameter ${twice} twice`);
  for (const p of params) if (!/^[A-Za-z][A-Za-z0-9]*$/.test(p)) throw new Error(`${where}: parameter name ${JSON.stringify(p)} is not an identifier`);
}

/**
 * A query's arguments by name, in its $n order: every name of its `-- params:`
 * line must be given (undefined is sent as null), and no other. A mismatch is
 * a programming error, found the first time the call runs.
 */
export function bind(q: NamedQuery, values: Readonly<Record<string, unknown>>): unknown[] {
  if (!q.params) throw new Error(`sql/${q.area}.sql: query ${q.name} has no -- params: line to bind by name`);
  const extra = Object.keys(values).filter((k) => !q.params?.includes(k));
  const missing = q.params.filter((p) => !Object.prototype.hasOwnProperty.call(values, p));
  if (extra.length || missing.length) {
    throw new Error(`sql/${q.area}.sql: query ${q.name} takes ${q.params.join(', ')}${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; unknown ${extra.join(', ')}` : ''}`);
  }
  return q.params.map((p) => values[p] ?? null);
}

function loadFile(file: string): Map<string, NamedQuery> {
  let queries = cache.get(file);
  if (!queries) {
    const text = fs.readFileSync(file, 'utf8');
    queries = compiledQueries<NamedQuery>(file, text) ?? parseNamedQueries(path.basename(file, '.sql'), text);
    cache.set(file, queries);
  }
  return queries;
}

/** Every product file of sql/ (not its migrations or security model), parsed: what the build keeps (lib/db/sql-compiled.ts). */
export function compileSql(): CompiledSql<NamedQuery> {
  const out: CompiledSql<NamedQuery> = {};
  for (const name of fs.readdirSync(sqlDir).filter((f) => f.endsWith('.sql')).sort()) {
    const file = path.join(sqlDir, name);
    const text = fs.readFileSync(file, 'utf8');
    out[path.relative(packageRoot, file)] = { sha256: sha256(text), queries: [...parseNamedQueries(path.basename(name, '.sql'), text)] };
  }
  return out;
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

/** A file of the security model: `sql/security/NN_name.sql`, applied in name order. */
export interface SecurityFile {
  name: string;
  text: string;
}

export function loadSecurityFiles(dir: string): SecurityFile[] {
  return migrationFiles(dir).map((file) => {
    if (!/^\d{2}_[a-z0-9_]+\.sql$/.test(file)) throw new Error(`sql/security/${file}: security files are named NN_name.sql`);
    return { name: file, text: fs.readFileSync(path.join(dir, file), 'utf8') };
  });
}

/** The SHA-256 (hex) of the security files, names and texts: what setup applied (the embedded marker keeps it). */
export function securityDigest(dir: string): string {
  const hash = crypto.createHash('sha256');
  for (const f of loadSecurityFiles(dir)) hash.update(`${f.name}\0${f.text}\0`, 'utf8');
  return hash.digest('hex');
}
