/**
 * Where a relative path the user gives (`load('x.js')`, `.load x.js`, a
 * script on the command line, export/import files) points: the folder the
 * user started in, or, inside a file being loaded, that file's folder.
 *
 * `npm start` runs the program in the clone, not where the user typed the
 * command: npm says where that was in INIT_CWD. It is trusted only when npm
 * started us in the package root, since npm's variables are inherited by
 * every process an npm script starts (a test run spawning the shell in a
 * temporary folder must not be sent back to the clone).
 */
import path from 'node:path';
import { packageRoot } from './paths.js';

/** The folder the user started the program in: INIT_CWD under `npm start`, else the working directory. */
export function startDir(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): string {
  const init = env.INIT_CWD;
  const underNpm = env.npm_lifecycle_event !== undefined && path.resolve(cwd) === path.resolve(packageRoot);
  return underNpm && init && path.isAbsolute(init) ? init : cwd;
}

/**
 * The folders relative paths resolve against, innermost last: the start
 * folder, then the folder of each file being loaded (load() inside load()).
 * One evaluation runs at a time in a shell process, so one stack serves it.
 */
const loading: string[] = [];
let started: string | undefined;

/**
 * Set the start folder (a shell's runtime does, from what the command was
 * given, for as long as it runs); the function returned puts back the one before.
 */
export function setStartDir(dir: string): () => void {
  const before = started;
  started = dir;
  return () => {
    if (started === dir) started = before;
  };
}

/** The folder a relative path given now resolves against. */
export function userBaseDir(): string {
  return loading.at(-1) ?? started ?? startDir();
}

/**
 * A path the user gave, made absolute: `~/x` is the home folder's; a relative
 * one resolves against `baseDir` (by default the folder of the file being
 * loaded, else the folder the user started in).
 */
export function resolveUserPath(p: string, baseDir: string = userBaseDir()): string {
  const home = process.env.HOME;
  if (home && (p === '~' || p.startsWith('~/'))) return path.join(home, p.slice(1));
  return path.resolve(baseDir, p);
}

/** Run fn with relative paths resolving against the folder of the file being loaded. */
export async function insideFile<T>(file: string, fn: () => Promise<T>): Promise<T> {
  loading.push(path.dirname(file));
  const depth = loading.length;
  try {
    return await fn();
  } finally {
    loading.length = depth - 1;
  }
}
