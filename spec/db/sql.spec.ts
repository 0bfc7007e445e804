import { expect } from 'chai';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { compileSql, loadMigrations, namedQueries, parseNamedQueries, queries, type NamedQuery } from '../../lib/db/sql.js';
import { compiledQueries, compiledSqlFile, sha256, type CompiledSql } from '../../lib/db/sql-compiled.js';
import { packageRoot } from '../../lib/platform/paths.js';
import { TESTING_SQL } from '../support/test-queries.js';
import { BENCH_SQL } from '../../bench/queries.js';

/** Every file of named queries: the product's (sql/), the test suite's and the bench's. */
const sqlFiles = () => [
  ...fs.readdirSync(path.join(packageRoot, 'sql')).filter((f) => f.endsWith('.sql')).map((f) => path.join(packageRoot, 'sql', f)),
  TESTING_SQL,
  BENCH_SQL,
];

describe('SQL loader', () => {
  it('reads sqlc-style named queries with their kind', () => {
    const q = parseNamedQueries('x', '-- name: getOne :one\nselect 1 where $1;\n\n-- name: all :many\nselect 2;\n-- name: touch :exec\nupdate t set a = 1');
    expect([...q.keys()]).to.deep.equal(['getOne', 'all', 'touch']);
    expect(q.get('getOne')).to.deep.include({ kind: 'one', text: 'select 1 where $1' });
    expect(q.get('touch')?.kind).to.equal('exec');
  });

  it('marks queries planned for each call (-- plan: per-call); the others are prepared', () => {
    const q = parseNamedQueries('x', '-- name: list :many\n-- plan: per-call\nselect 1 where $1::int is null or true;\n-- name: get :one\nselect 2;');
    expect(q.get('list')).to.deep.include({ perCallPlan: true, text: 'select 1 where $1::int is null or true' });
    expect(q.get('get')?.perCallPlan).to.equal(undefined);
  });

  it('plans every list with optional filters per call (a generic plan cannot use the partial indexes)', () => {
    for (const file of sqlFiles()) {
      for (const q of parseNamedQueries(path.basename(file, '.sql'), fs.readFileSync(file, 'utf8')).values()) {
        if (/::\w+ is null or/.test(q.text)) expect(q.perCallPlan, `${file} ${q.name}`).to.equal(true);
      }
    }
  });

  it('writes a fragment into the queries that name it ({{name}}); the fragment is no query and its comments stay out', () => {
    const q = parseNamedQueries('x', [
      '-- fragment: row', '-- the row as both show it', 'select t.id, t.name as "fullName"', 'from t where t.id = $1;', '',
      '-- name: lockRow :one', '-- params: id', '{{row}}', 'for update;', '-- The same without a lock:',
      '-- name: peekRow :one', '-- params: id', '{{ row }};',
    ].join('\n'));
    expect([...q.keys()]).to.deep.equal(['lockRow', 'peekRow']);
    expect(q.get('lockRow')?.text).to.equal('select t.id, t.name as "fullName"\nfrom t where t.id = $1\nfor update');
    expect(q.get('peekRow')?.text).to.equal('select t.id, t.name as "fullName"\nfrom t where t.id = $1');
    expect(() => parseNamedQueries('x', '-- name: a :one\nselect {{missing}};')).to.throw(/query a uses \{\{missing\}\}, which no -- fragment: defines/);
    expect(() => parseNamedQueries('x', '-- fragment: a\nx\n-- name: a :one\nselect 1;')).to.throw(/name a is defined twice/);
  });

  it('fails on a name defined twice', () => {
    expect(() => parseNamedQueries('x', '-- name: a :one\nselect 1;\n-- name: a :one\nselect 2;')).to.throw(/query name a is defined twice/);
  });

  it('fails at load, not at call time, when a module asks for a missing name', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sql-'));
    fs.writeFileSync(path.join(dir, 'area.sql'), '-- name: present :one\nselect 1;\n');
    expect(() => namedQueries(path.join(dir, 'area.sql'), ['present', 'absent'] as const)).to.throw(/area\.sql has no query named absent/);
    fs.rmSync(dir, { recursive: true });
  });

  it('loads every file of named queries (sql/*.sql, the suite\'s, the bench\'s) without a duplicate or empty query', () => {
    for (const file of sqlFiles()) {
      const q = parseNamedQueries(path.basename(file, '.sql'), fs.readFileSync(file, 'utf8'));
      expect(q.size, file).to.be.greaterThan(0);
    }
  });

  it('reads the product\'s queries from sql/ only: the suite\'s and the bench\'s statements are not there', () => {
    expect(fs.existsSync(path.join(packageRoot, 'sql', 'testing.sql'))).to.equal(false);
    expect(fs.existsSync(path.join(packageRoot, 'sql', 'bench.sql'))).to.equal(false);
    expect(() => queries('testing', ['resetData'] as const)).to.throw();
  });

  it('keeps the build\'s parse of sql/ (dist/sql-queries.json), the same as parsing each file now', () => {
    const built = JSON.parse(fs.readFileSync(compiledSqlFile, 'utf8')) as CompiledSql<NamedQuery>;
    expect(built).to.deep.equal(JSON.parse(JSON.stringify(compileSql())));
    const file = path.join(packageRoot, 'sql', 'clients.sql');
    const text = fs.readFileSync(file, 'utf8');
    expect(Object.fromEntries(compiledQueries<NamedQuery>(file, text, built) ?? [])).to.deep.equal(Object.fromEntries(parseNamedQueries('clients', text)));
  });

  it('uses the build\'s parse of a file only while the file is the text parsed: one changed since is parsed again', () => {
    const file = path.join(packageRoot, 'sql', 'clients.sql');
    const text = fs.readFileSync(file, 'utf8');
    const stale: CompiledSql = { 'sql/clients.sql': { sha256: sha256(text), queries: [['getClient', { text: 'select 1' }]] } };
    expect(compiledQueries(file, text, stale)?.get('getClient')).to.deep.equal({ text: 'select 1' });
    expect(compiledQueries(file, `${text}\n-- edited`, stale)).to.equal(undefined);
    expect(compiledQueries(path.join(packageRoot, 'sql', 'users.sql'), text, stale)).to.equal(undefined);
    // What the product loads is the file's own: the text of a query read through queries() is the file's.
    expect(queries('clients', ['getClient'] as const).getClient.text).to.equal(parseNamedQueries('clients', text).get('getClient')?.text);
  });

  it('orders numbered migrations and refuses badly named ones', () => {
    const versions = loadMigrations(path.join(packageRoot, 'sql', 'migrations')).map((m) => m.version);
    expect(versions).to.deep.equal([...versions].sort((a, b) => a - b));
    expect(versions[0]).to.equal(1);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mig-'));
    fs.writeFileSync(path.join(dir, 'schema.sql'), 'select 1;');
    expect(() => loadMigrations(dir)).to.throw(/named NNN_name\.sql/);
    fs.rmSync(dir, { recursive: true });
  });

  it('keeps SQL out of lib/: no statement text in any TypeScript source', () => {
    const offenders: string[] = [];
    const statement = /['"`]\s*(select|insert|update|delete|create|alter|drop|truncate|grant|revoke|begin|commit|rollback|with)\s[^'"`]*['"`]/i;
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.ts')) {
          fs.readFileSync(full, 'utf8').split('\n').forEach((line, i) => {
            if (statement.test(line) && !/^\s*(\/\/|\*)/.test(line)) offenders.push(`${path.relative(packageRoot, full)}:${i + 1}: ${line.trim()}`);
          });
        }
      }
    };
    walk(path.join(packageRoot, 'lib'));
    expect(offenders).to.deep.equal([]);
  });
});
