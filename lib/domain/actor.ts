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
}
