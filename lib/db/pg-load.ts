/**
 * `pg`, loaded for the driver (lib/db/driver.ts, lib/db/pg-client.ts) without
 * the cost of its runtime sniffing. pg asks at load whether it runs in a
 * Cloudflare Worker: where `navigator` is missing (Node.js 20) it makes a
 * fetch `Response` to find out, which loads undici, fetch's implementation
 * (about 20 ms, a tenth of a script's start). Node.js 21+ has a
 * `navigator` whose userAgent says Node.js, and pg stops there; on Node.js 20
 * the same `navigator` stands while pg loads, and is taken away after: no
 * other module ever sees it. Required (not imported) so that this runs
 * first, in the bundle too (lib/program/bundle.ts keeps imports of packages
 * as imports, which run before the code around them).
 */
import { createRequire } from 'node:module';
import type PgModule from 'pg';

function load(): typeof PgModule {
  const require = createRequire(import.meta.url);
  const scope = globalThis as { navigator?: unknown };
  if (scope.navigator !== undefined) return require('pg') as typeof PgModule;
  Object.defineProperty(scope, 'navigator', { value: { userAgent: `Node.js/${process.versions.node.split('.')[0]}` }, configurable: true, writable: true });
  try {
    return require('pg') as typeof PgModule;
  } finally {
    delete scope.navigator;
  }
}

export const pg = load();
