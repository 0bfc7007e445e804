/**
 * Database sessions outside the login itself: ending one (logout), and opening
 * one for a collaborator from provisioning code running as the schema owner
 * (the demo, tests, the bench). See sql/migrations/006_verified_sessions.sql.
 */
import type { AdminConnection, Executor } from '../db/index.js';
import { bind, queries } from '../db/sql.js';
import crypto from 'node:crypto';
import type { Actor } from '../domain/actor.js';
import { scramVerifier } from '../db/scram.js';

const q = queries('auth', ['logout', 'openSessionFor'] as const);
const ownerQ = queries('users', ['getUserById'] as const);

/** End a session in the database; false when it had already ended. */
export async function endSession(db: Executor, sessionKey: string): Promise<boolean> {
  return (await db.one<{ ended: boolean }>(q.logout, [sessionKey]))?.ended ?? false;
}

/**
 * A password for a new session's database role, drawn here and never sent:
 * the database receives only its SCRAM-SHA-256 verifier.
 */
export function newSessionPassword(): { password: string; verifier: string } {
  const password = crypto.randomBytes(24).toString('base64url');
  return { password, verifier: scramVerifier(password) };
}

/** A session for collaborator `userId`, opened as the owner (no password), with its own role. */
export async function openSessionFor(conn: AdminConnection, userId: number, ttlSeconds: number): Promise<{ actor: Actor; installation: string }> {
  return conn.transaction(async (tx) => {
    const user = await tx.one<Pick<Actor, 'id' | 'email' | 'fullName' | 'department'>>(ownerQ.getUserById, [userId]);
    if (!user) throw new Error(`no collaborator ${userId} to open a session for`);
    const { password, verifier } = newSessionPassword();
    const s = await tx.one<{ sessionKey: string; expiresAt: Date; installation: string; role: string }>(q.openSessionFor, bind(q.openSessionFor, { userId, ttlSeconds, verifier }));
    if (!s) throw new Error('open_session_for returned no row');
    return {
      actor: {
        id: user.id, email: user.email, fullName: user.fullName, department: user.department, sessionKey: s.sessionKey, sessionExpiresAt: s.expiresAt,
        dbLogin: { role: s.role, password },
      },
      installation: s.installation,
    };
  }, { asOwner: true });
}
