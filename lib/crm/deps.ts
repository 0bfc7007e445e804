/** What the domain objects (clients, contracts, events, users) are built from. */
import type { Config } from '../config.js';
import type { Database, Executor } from '../db/index.js';
import { queries } from '../db/sql.js';
import type { Actor } from '../session.js';

/** Monitoring as the domain sees it (Sentry behind it when a DSN is set; see lib/monitoring.ts). */
export interface Monitor {
  /** A business event: collaborator created/updated/deleted, contract signed, login lockout. Never pass a secret. */
  event(name: string, data: Record<string, string | number | boolean | null>): void;
  /** An unexpected error; returns a short reference to show the user. */
  exception(err: unknown): string | undefined;
  flush(timeoutMs?: number): Promise<void>;
}

export const noopMonitor: Monitor = {
  event: () => undefined,
  exception: () => undefined,
  flush: async () => undefined,
};

export interface ApiDeps {
  db: Database;
  /** The current caller (re-read after a re-login, hence a function). */
  actor: () => Actor;
  config: Config;
  monitor: Monitor;
}

const sq = queries('session', ['setIdentity'] as const);

/**
 * Run fn in one transaction carrying the caller's identity. Every domain call
 * goes through here, reads included.
 */
export function inSession<T>(deps: ApiDeps, fn: (tx: Executor) => Promise<T>, options: { readOnly?: boolean } = {}): Promise<T> {
  const actor = deps.actor();
  return deps.db.transaction(fn, { readOnly: options.readOnly, prelude: { query: sq.setIdentity, params: [String(actor.id), actor.department] } });
}
