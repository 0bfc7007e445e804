/**
 * A real shell session (the same parts lib/commands/shell.ts assembles: the
 * token verifier, the guarded API on a real Database) for in-process tests
 * that drive openShell/runBatch with fake streams.
 */
import type { Config } from '../../lib/config.js';
import { createSessionVerifier } from '../../lib/auth/session.js';
import { tokenSecret } from '../../lib/auth/secret.js';
import { issueToken } from '../../lib/auth/tokens.js';
import { createApi } from '../../lib/crm/api.js';
import { noopMonitor, type Monitor } from '../../lib/crm/deps.js';
import type { Database } from '../../lib/db/index.js';
import type { ShellSession } from '../../lib/shell/index.js';
import type { Actor } from '../../lib/session.js';

export function liveSession(config: Config, db: Database, actor: Actor, monitor: Monitor = noopMonitor): ShellSession {
  const token = issueToken(tokenSecret(config), actor, config.tokenTtlSeconds);
  const verifier = createSessionVerifier({ config, db, token: () => token });
  return {
    api: createApi({ db, actor: () => actor, config, monitor }),
    actor: () => actor,
    verify: async () => {
      const check = await verifier();
      return check.ok ? { ok: true } : check;
    },
    relogin: async () => false,
    logout: async () => undefined,
    cancelRunning: () => db.cancelRunning(),
    monitor,
  };
}
