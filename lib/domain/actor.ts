import type { Department } from './departments.js';

/**
 * Who is calling: the logged-in collaborator and the database session they act
 * under (opened by PostgreSQL at login, sql/migrations/006_verified_sessions.sql).
 */
export interface Actor {
  id: number;
  email: string;
  fullName: string;
  department: Department;
  /**
   * `<id>.<secret>`: presented by every transaction (sql/session.sql). A
   * secret: never printed, logged or sent to Sentry.
   */
  sessionKey: string;
  /** When the database ends the session by itself. */
  sessionExpiresAt: Date;
  /**
   * The session's own database login role and its password (drawn by the
   * shell; only its SCRAM verifier reached the database): every call runs on
   * connections as this role (sql/migrations/040_session_roles.sql). A secret.
   */
  dbLogin?: DbLogin;
}

/** A session's database login: its role and password (never printed, logged or sent to Sentry). */
export interface DbLogin {
  role: string;
  password: string;
}
