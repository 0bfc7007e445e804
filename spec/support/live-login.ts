/**
 * A real login (lib/shell/login.ts) for in-process tests that drive openShell/runBatch
 * with fake streams: the one lib/program/session.ts assembles, on a real
 * Database, logged in as `actor` (no token store, no re-login prompt answered);
 * its calls on `sessions` (the test server's session pools unless given).
 */
import type { Config } from '../../lib/platform/config.js';
import { tokenSecret } from '../../lib/auth/secret.js';
import { issueToken } from '../../lib/auth/tokens.js';
import { createLogin } from '../../lib/program/session.js';
import { noopMonitor, type Monitor } from '../../lib/platform/monitoring.js';
import type { Database, SessionPools } from '../../lib/db/index.js';
import type { Login } from '../../lib/shell/index.js';
import type { Actor } from '../../lib/domain/actor.js';
import { ctx, sessionPools } from './server.js';

export function liveLogin(config: Config, db: Database, actor: Actor, monitor: Monitor = noopMonitor, installation = ctx().installation, sessions: SessionPools = sessionPools()): Login {
  const current = { actor, token: issueToken(tokenSecret(config), actor, installation) };
  return createLogin({ config, db, sessions, monitor, current, storeToken: false, log: () => undefined });
}
