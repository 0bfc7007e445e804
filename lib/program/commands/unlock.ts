/**
 * `epic-events unlock EMAIL`: lift any lockout of EMAIL on the administrator's
 * connection (DATABASE_URL, or the embedded server's owner), as the schema
 * owner. The documented way back when the only manager is locked out; no
 * collaborator's session is needed or used.
 */
import { configFrom, type CliIO, type CliOptions } from './command.js';
import { openTarget } from '../../db/connect.js';
import { AdminConnection } from '../../db/index.js';
import { bind, queries } from '../../db/sql.js';
import { releaseOnExit } from './lifecycle.js';
import { ConfigError } from '../../domain/errors.js';

const q = queries('auth', ['adminUnlock'] as const);

export async function runUnlockCommand(opts: CliOptions, io: CliIO): Promise<number> {
  const email = opts.unlockEmail?.trim().toLowerCase();
  if (!email || !email.includes('@') || email.length > 254) throw new ConfigError('unlock takes the email to unlock: epic-events unlock EMAIL');
  const config = configFrom(io);
  const target = await openTarget(config, { onLease: releaseOnExit });
  try {
    if (target.kind === 'external' && !target.admin.password) {
      throw new ConfigError('unlock needs the administrator\'s connection: DATABASE_URL with the administrator\'s name and password (setup\'s)');
    }
    const conn = await AdminConnection.open(target.admin, config.connectTimeoutMs, config.busyTimeoutMs);
    try {
      const row = await conn.transaction((tx) => tx.one<{ unlocked: boolean }>(q.adminUnlock, bind(q.adminUnlock, { email })), { asOwner: true });
      io.stdout.write(row?.unlocked ? `Lifted the lockout of ${email}: the right password works again now.\n`
        : `${email} was not locked out; its failed logins are forgotten.\n`);
      return 0;
    } finally {
      await conn.close();
    }
  } finally {
    await target.release();
  }
}
