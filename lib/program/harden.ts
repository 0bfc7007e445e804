/**
 * What setup does for the trust points that hold on their own
 * (sql/migrations/013): the team's session lifetime kept on the server, and
 * the server functions a collaborator's connection must not reach.
 */
import type { Config } from '../platform/config.js';
import type { AdminConnection } from '../db/index.js';
import { bind, queries } from '../db/sql.js';
import { SESSION_POOL_MAX } from '../db/session-pools.js';

const q = queries('setup', ['keepTeamSettings', 'isSuperuser', 'hardenCatalog', 'catalogHardened', 'connectionBounds', 'keepConnectionBounds', 'useRuntimeLimit', 'limitRuntimeRole'] as const);

/** Connections of one session's role: its pool (lib/db/session-pools.ts) and two listeners (revocations, change notices). */
export const SESSION_CONNECTIONS = SESSION_POOL_MAX + 2;

/**
 * The connection bounds, sized from the server's max_connections and kept
 * (team_settings, the runtime role's limit); the line says what was chosen.
 */
export async function keepConnectionBounds(conn: AdminConnection, config: Config): Promise<string> {
  const b = (await conn.one<{ maxConnections: number; perSession: number; forLogins: number; perCollaborator: number }>(q.connectionBounds, [SESSION_CONNECTIONS]))!;
  await conn.transaction((tx) => tx.exec(q.keepConnectionBounds, [b.perSession, b.perCollaborator]), { asOwner: true });
  await conn.transaction(async (tx) => {
    await tx.exec(q.useRuntimeLimit, bind(q.useRuntimeLimit, { appRole: config.appDbUser, forLogins: String(b.forLogins) }));
    await tx.exec(q.limitRuntimeRole);
  });
  return `connections: ${b.perSession} per session, ${b.perCollaborator} sessions per collaborator, ${b.forLogins} for logins (of max_connections ${b.maxConnections})`;
}

/** TOKEN_TTL and BCRYPT_ROUNDS as the server keeps them (after the migrations). */
export async function keepTeamSettings(conn: AdminConnection, config: Config, changes: string[]): Promise<void> {
  const row = await conn.transaction((tx) => tx.one<{ tokenTtlSeconds: number; bcryptRounds: number }>(
    q.keepTeamSettings, bind(q.keepTeamSettings, { tokenTtlSeconds: config.tokenTtlSeconds, bcryptRounds: config.bcryptRounds })), { asOwner: true });
  if (row) changes.push(`sessions last ${row.tokenTtlSeconds} s at most (TOKEN_TTL), new passwords hashed at bcrypt cost ${row.bcryptRounds}: kept on the server`);
}

/**
 * Revoke from PUBLIC, in our database, large-object creation, advisory locks,
 * ending or cancelling backends and reading pg_stat_activity. Only a superuser
 * may: another administrator is told the statement to have one run.
 */
export async function hardenCatalog(conn: AdminConnection, changes: string[], warnings: string[]): Promise<void> {
  if ((await conn.one<{ hardened: boolean }>(q.catalogHardened))?.hardened) return;
  if (!(await conn.one<{ superuser: boolean }>(q.isSuperuser))?.superuser) {
    warnings.push('collaborators can still create large objects, take advisory locks, signal backends and read pg_stat_activity in this database: '
      + 'have a superuser run `epic-events setup` once, or the statements of hardenCatalog in sql/setup.sql');
    return;
  }
  await conn.exec(q.hardenCatalog);
  changes.push('closed large objects, advisory locks, backend signals and pg_stat_activity to PUBLIC in this database');
}
