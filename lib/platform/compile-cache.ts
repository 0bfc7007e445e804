/**
 * Node.js's compile cache (Node.js 22.1+, `module.enableCompileCache`): V8's
 * code for the program's modules kept in the user's cache directory between
 * runs, so a start does not compile again what it compiled before (issue 33:
 * compiling is about 8% of a start's CPU). Node.js checks each entry against
 * its module's source and its own version: a stale or damaged cache costs a
 * compile, never a wrong run. Cached code is code that runs, so only a
 * directory of the user's own that nobody else may write is used; anything
 * else (Node.js 20, no home, another owner, a symbolic link, a folder others
 * may write, EPIC_EVENTS_NO_COMPILE_CACHE=1) runs without it, as before.
 * Called by bin/epic-events.js before it loads the program.
 */
import fs from 'node:fs';
import module from 'node:module';
import path from 'node:path';

type EnableCompileCache = (dir?: string) => { status: number; directory?: string };

/** $XDG_CACHE_HOME/epic-events/compile-cache, else ~/.cache/epic-events/compile-cache. */
export function compileCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : env.HOME ? path.join(env.HOME, '.cache') : undefined;
  return base === undefined ? undefined : path.join(base, 'epic-events', 'compile-cache');
}

/** `dir` (made 0700 if missing), its folder and theirs: each a real directory of ours that no one else may write. */
function ownedByUser(dir: string): boolean {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const uid = process.getuid?.();
  for (const d of [dir, path.dirname(dir), path.dirname(path.dirname(dir))]) {
    const st = fs.lstatSync(d);
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) return false;
  }
  return true;
}

/** Turn the cache on where it is safe to (see above); the directory used, or undefined. */
export function enableCompileCache(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const enable = (module as unknown as { enableCompileCache?: EnableCompileCache }).enableCompileCache;
  if (typeof enable !== 'function' || env.EPIC_EVENTS_NO_COMPILE_CACHE === '1') return undefined;
  try {
    const dir = compileCacheDir(env);
    if (dir === undefined || !ownedByUser(dir)) return undefined;
    return enable(dir).directory;
  } catch {
    return undefined; // no cache: the same run, compiled as on Node.js 20
  }
}
