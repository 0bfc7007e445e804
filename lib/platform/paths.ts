import path from 'node:path';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

/** The package root, whether running from `lib/` sources or compiled `dist/lib/platform/`. */
export const packageRoot: string = (() => {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const parts = here.split(path.sep);
  const distAt = parts.lastIndexOf('dist');
  return distAt >= 0 ? parts.slice(0, distAt).join(path.sep) || path.sep : path.resolve(here, '..', '..');
})();

export const sqlDir = path.join(packageRoot, 'sql');
export const migrationsDir = path.join(sqlDir, 'migrations');
/** The security model's definitions, applied after the migrations at every setup (lib/db/migrate.ts). */
export const securityDir = path.join(sqlDir, 'security');

/** `EPIC_EVENTS_HOME`, else `$XDG_DATA_HOME/epic-events`, else `~/.local/share/epic-events`. */
export function defaultStateDir(env: NodeJS.ProcessEnv): string {
  if (env.EPIC_EVENTS_HOME) return path.resolve(env.EPIC_EVENTS_HOME);
  const xdg = env.XDG_DATA_HOME && path.isAbsolute(env.XDG_DATA_HOME) ? env.XDG_DATA_HOME : path.join(os.homedir(), '.local', 'share');
  return path.join(xdg, 'epic-events');
}
