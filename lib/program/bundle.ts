/**
 * The build's last step (`npm run build`, after tsc): the program that
 * bin/epic-events.js runs, bundled from dist/lib/ into dist/bundle/ by
 * esbuild (issue 33). A start then reads a few files rather than one per
 * module: Node.js's ES module loader resolves, opens, stats and compiles each
 * file on its own, about a third of a script's start-up on Node.js 20. What
 * is loaded only on demand stays so: each `import()` of the sources becomes a
 * chunk of its own, loaded when it is called (the interactive shell, the
 * embedded server, provisioning). Packages stay in node_modules (`pg`,
 * `bcrypt`, Sentry…), required as before.
 *
 * Beside the chunks: `sheet-writer.js` and `idle-watch.js`, the worker and the
 * watcher that the program starts by their URL next to its own code, and
 * `meta.json`, which source modules each output file holds (what
 * spec/program/startup.spec.ts reads to say which modules a start loaded).
 * Source maps follow tsc's down to lib/*.ts. dist/lib/ itself stays: the
 * specs, the bench and `node lib/setup` import it. And sql/'s named queries,
 * parsed (dist/sql-queries.json, lib/db/sql-compiled.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { compileSql } from '../db/sql.js';
import { compiledSqlFile } from '../db/sql-compiled.js';
import { packageRoot } from '../platform/paths.js';

const DIST = path.join(packageRoot, 'dist');
export const bundleDir = path.join(DIST, 'bundle');

/** The entry points, by the name of their output file. */
const ENTRIES: Record<string, string> = {
  cli: 'lib/program/cli.js',
  'sheet-writer': 'lib/shell/sheet-writer.js',
  'idle-watch': 'lib/db/embedded/idle-watch.js',
};

/** Which modules (dist/lib/… paths) each output file of the bundle holds. */
export type BundleMeta = Record<string, string[]>;

export async function bundle(): Promise<BundleMeta> {
  fs.rmSync(bundleDir, { recursive: true, force: true });
  const entryPoints = Object.fromEntries(Object.entries(ENTRIES).map(([name, file]) => [name, path.join(DIST, file)]));
  const result = await build({
    entryPoints,
    outdir: bundleDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // Less to parse at each start (about 6 ms on Node.js 20); names are kept, for readable stacks.
    minifyWhitespace: true,
    minifySyntax: true,
    sourcemap: 'linked',
    chunkNames: 'chunk-[hash]',
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: packageRoot,
  });
  const meta: BundleMeta = {};
  for (const [output, info] of Object.entries(result.metafile.outputs)) {
    if (!output.endsWith('.js')) continue;
    meta[path.relative(bundleDir, path.join(packageRoot, output))] = Object.keys(info.inputs).map((input) => path.relative(packageRoot, path.join(packageRoot, input))).sort();
  }
  fs.writeFileSync(path.join(bundleDir, 'meta.json'), `${JSON.stringify(meta, null, 1)}\n`);
  fs.writeFileSync(compiledSqlFile, JSON.stringify(compileSql()));
  return meta;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.join(DIST, 'lib', 'program', 'bundle.js')) {
  bundle().catch((err: unknown) => {
    process.stderr.write(`bundle: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
