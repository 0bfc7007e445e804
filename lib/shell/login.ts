/**
 * What the shell is given: the login it runs on — who is logged in, the API
 * they call, the check of their token and database session before each
 * evaluation, re-login, logout, stopping their calls in flight (wired by
 * lib/program/commands/shell.ts).
 */
import type { Monitor } from '../platform/monitoring.js';
import type { Actor } from '../domain/actor.js';
import type { Digest } from '../crm/digest.js';

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

export interface ShellApi {
  clients: object;
  contracts: object;
  events: object;
  users: object;
  reports: object;
  followUps: object;
  /** The feed of recent changes (lib/crm/history.ts). */
  activity?: (filter?: object) => Promise<unknown>;
  /** Clients, contracts and events matching a text (lib/crm/find.ts). */
  find?: (text: string) => Promise<unknown>;
  /** What is in the trash; trash.empty for management (lib/crm/trash.ts). */
  trash?: ((options?: object) => Promise<unknown>) & { empty: (options: { olderThan: string }) => Promise<unknown> };
  /** A history entry undone (lib/crm/undo.ts). */
  undo?: (historyEntryId: number) => Promise<unknown>;
  /** Names for Tab completion of a client or collaborator argument (lib/crm/candidates.ts). */
  candidates?: import('../crm/candidates.js').Candidates;
  /** What the notices at the prompt read (lib/crm/notices.ts). */
  notices?: import('../crm/notices.js').Notices;
}

export interface Login {
  /** Guarded objects (lib/crm/guard.ts); the shell shows only the permitted methods. */
  api: ShellApi;
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
  /** Ctrl+C during a running call: Database.cancelRunning. */
  cancelRunning: () => Promise<number>;
  /**
   * Ctrl+C during a running call, told truthfully: stop every API call in
   * flight from writing (cancel on the server, no COMMIT not already sent,
   * no new transaction), wait until they have ended, and say what became of
   * their writes; `waiting` is told when that takes a call's own time (a
   * password being hashed). Without it, cancelRunning.
   */
  interrupt?: (waiting?: (line: string) => void) => Promise<InterruptReport>;
  /**
   * What a call that cannot be undone (users.delete, contracts.sign) is about
   * to do, for an interactive shell to confirm (lib/crm/confirm.ts);
   * undefined: nothing to ask.
   */
  confirmation?: (object: string, method: string, args: readonly unknown[]) => Promise<string | undefined>;
  /**
   * passwd(): change the logged-in collaborator's own password, the current
   * one checked by the database; false when it is wrong (lib/auth/own-password.ts).
   */
  changePassword?: (oldPassword: string, newPassword: string) => Promise<boolean>;
  monitor: Monitor;
  /** What the interactive shell says at login (lib/shell/digest.ts); absent: nothing. */
  digest?: () => Promise<Digest>;
  /** LISTEN for new history entries (payload: their id range, migration 033); absent: no notices. */
  listenChanges?: (onPayload: (payload: string) => void) => Promise<{ readonly connected: boolean; close(): Promise<void> }>;
}
