import type { Config, ConnectionParams } from '../platform/config.js';
import { ConfigError } from '../domain/errors.js';
import type { EmbeddedServer } from './embedded/index.js';

/** Where the database is, and the two ways in: the administrator (setup) and the runtime role (shell). */
export interface DatabaseTarget {
  kind: 'embedded' | 'external';
  admin: ConnectionParams;
  runtime: ConnectionParams;
  /** Let go of the embedded server (the last user stops it). No-op for an external server. */
  release(): Promise<void>;
  /** Embedded: where its data lives (named when its disk is full). */
  dataDir?: string;
  /**
   * Embedded: the connection was lost; start the server again if it died
   * (under its lock). Resolves the one line to tell the user.
   */
  revive?: () => Promise<string>;
}

export interface OpenOptions {
  log?: (line: string) => void;
  /** Embedded only: skip fsync (tests, benchmarks). */
  durable?: boolean;
  /**
   * Embedded only: given the synchronous release of the lease before the
   * lease is taken, so that however the process ends it can be given back
   * (the process's own policy: lib/program/commands/lifecycle.ts). Returns what
   * undoes it, called on a normal release.
   */
  onLease?: (releaseSync: () => void) => () => void;
}

export async function openTarget(config: Config, options: OpenOptions = {}): Promise<DatabaseTarget> {
  if (config.database.kind === 'external') {
    const admin = config.database.admin;
    const runtime = { ...admin, user: config.appDbUser, password: config.appDbPassword };
    return {
      kind: 'external',
      admin,
      get runtime(): ConnectionParams {
        if (!config.appDbPassword) throw new ConfigError('APP_DB_PASSWORD must be set when DATABASE_URL or POSTGRES_* name an external server');
        return runtime;
      },
      release: async () => undefined,
    };
  }
  // The embedded server's modules are loaded only when it is the target (an external server never needs them).
  const { EMBEDDED_DATABASE, EmbeddedServer, SUPERUSER } = await import('./embedded/index.js');
  const server = new EmbeddedServer(config.stateDir, { durable: options.durable, log: options.log, idleSeconds: config.embeddedIdleSeconds });
  // Handed over before the lease is taken, so a signal in between cannot leave it behind.
  const removeHooks = options.onLease?.(() => server.releaseSync()) ?? (() => undefined);
  let lease: Awaited<ReturnType<EmbeddedServer['acquire']>>;
  try {
    lease = await server.acquire();
  } catch (err) {
    removeHooks();
    throw err;
  }
  const base = { host: lease.host, port: lease.port, database: EMBEDDED_DATABASE };
  return {
    kind: 'embedded',
    admin: { ...base, user: SUPERUSER, password: lease.state.superuserPassword },
    runtime: { ...base, user: config.appDbUser, password: lease.state.appPassword },
    dataDir: server.dataDir,
    revive: () => reviveMessage(server),
    // The signal hooks stay until the server is given back: a SIGTERM or SIGHUP
    // in the middle (a batch's shell killed as it ends) then stops it
    // synchronously instead of ending the process with the server left running.
    release: async () => {
      await lease.release();
      removeHooks();
    },
  };
}

/** Restart a dead embedded server, and say in one line what happened. */
export async function reviveMessage(server: EmbeddedServer): Promise<string> {
  const { StartFailure } = await import('./embedded/index.js');
  try {
    switch (await server.revive()) {
      case 'running':
        return 'the connection to the embedded database was lost (it was restarted meanwhile); run the call again';
      case 'restarted':
        return 'the embedded database had stopped; it has been restarted: run the call again';
      case 'moved':
        return 'the embedded database had stopped and was restarted on another port (its own was taken): start epic-events again';
    }
  } catch (err) {
    const reason = err instanceof StartFailure ? err.why : (err as Error).message;
    return `the embedded database had stopped and could not be restarted: ${reason}`;
  }
}
