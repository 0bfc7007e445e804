/**
 * A real login (lib/shell/login.ts) for in-process tests that drive openShell/runBatch
 * with fake streams: the one lib/program/session.ts assembles, on a real
 * Database, logged in as `actor` (no token store, no re-login prompt answered).
 */
import type { Config } from '../../lib/platform/config.js';
import { tokenSecret } from '../../lib/auth/secret.js';
import { issueToken } from '../../lib/auth/tokens.js';
import { createLogin } from '../../lib/program/session.js';
import { noopMonitor, type Monitor } from '../../lib/platform/monitoring.js';
import type { Database } from '../../lib/db/index.js';
import type { Login } from '../../lib/shell/index.js';
import type { Actor } from '../../lib/domain/actor.js';
import { ctx, sessionPools } from './server.js';

export function liveLogin(config: Config, db: Database, actor: Actor, monitor: Monitor = noopMonitor, installation = ctx().installation): Login {
  const current = { actor, token: issueToken(tokenSecret(config), actor, installation) };
  return createLogin({ config, db, sessions: sessionPools(), monitor, current, storeToken: false, log: () => undefined });
}
