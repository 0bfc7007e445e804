/**
 * A SCRAM-SHA-256 verifier for a role's password (RFC 5802/7677, the format
 * PostgreSQL stores in pg_authid): what setup sends instead of the password,
 * so the password never travels in SQL text, a statement log or
 * pg_stat_activity. PostgreSQL recognises the format and stores it as is.
 */
import crypto from 'node:crypto';

const ITERATIONS = 4096;

export function scramVerifier(password: string, salt: Buffer = crypto.randomBytes(16), iterations = ITERATIONS): string {
  const salted = crypto.pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 32, 'sha256');
  const clientKey = crypto.createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = crypto.createHash('sha256').update(clientKey).digest();
  const serverKey = crypto.createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}
