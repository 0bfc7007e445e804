/**
 * What the shell is given: the login it runs on — who is logged in, the API
 * they call, the check of their token and database session before each
 * evaluation, re-login, logout, stopping their calls in flight (wired by
 * lib/program/commands/shell.ts).
 */
import type { Monitor } from '../platform/monitoring.js';
import type { Actor } from '../domain/actor.js';
import type { Digest } from '../crm/digest.js';
import type { Invoke } from '../crm/invoke.js';

/**
 * Ask the password through the shell's own line reader: hidden, never in
 * history. Resolves undefined at end of input.
 */
export type AskPassword = (question: string) => Promise<string | undefined>;

export interface InterruptReport {
  /** API calls that were running. */
  calls: number;
  /** Writes that had committed all the same. */
  committed: number;
  /** Writes rolled back or refused: nothing of them was written. */
  rolledBack: number;
}

export type Verdict = { ok: true } | { ok: false; reason: 'expired' | 'revoked'; message: string };

export interface Login {
  /**
   * Every call of the API (clients.list(…), find(…)): the one pipeline
   * (lib/crm/invoke.ts), its calls tracked for Ctrl+C. The shell shows only
   * the methods the department may call; the pipeline refuses the others.
   */
  invoke: Invoke;
  actor: () => Actor;
  /** Run before each user evaluation (never for completion). */
  verify: () => Promise<Verdict>;
  /**
   * Called when verify says expired: ask the password (3 tries) with `askPassword`
   * and return true if logged in again. (A relogin ignoring the argument still fits.)
   */
  relogin: (askPassword: AskPassword) => Promise<boolean>;
  logout: () => Promise<void>;
  /**
   * Asked after a call failed: the reason when the session has ended since
   * the check before it (the account deleted under a running batch), else
   * undefined. Absent: not asked.
   */
  sessionEnded?: () => Promise<string | undefined>;
  /**
   * Ctrl+C during a running call, told truthfully: stop every API call in
   * flight from writing (cancel on the server, no COMMIT not already sent,
   * no new transaction), wait until they have ended, and say what became of
   * their writes; `waiting` is told when that takes a call's own time (a
   * password being hashed).
   */
  interrupt: (waiting?: (line: string) => void) => Promise<InterruptReport>;
  /**
   * passwd(): change the logged-in collaborator's own password, the current
   * one checked by the database; false when it is wrong (lib/auth/own-password.ts).
   */
  changePassword: (oldPassword: string, newPassword: string) => Promise<boolean>;
  /** passwd(): the current password checked alone, before the new one is asked; false when it is wrong. */
  checkPassword?: (password: string) => Promise<boolean>;
  monitor: Monitor;
  /** What the interactive shell says at login (lib/shell/digest.ts). */
  digest: () => Promise<Digest>;
  /** LISTEN for new history entries (payload: their id range, migration 033); absent: no notices. */
  listenChanges?: (onPayload: (payload: string) => void) => Promise<{ readonly connected: boolean; close(): Promise<void> }>;
  /** Names for Tab completion of a client or collaborator argument (lib/crm/candidates.ts); never a method of the context. */
  candidates?: import('../crm/candidates.js').Candidates;
  /** What the notices at the prompt read (lib/crm/notices.ts). */
  notices?: import('../crm/notices.js').Notices;
}
