import type { Config, ConnectionParams } from '../config.js';
import { ConfigError } from '../errors.js';
import { EMBEDDED_DATABASE, EmbeddedServer, SUPERUSER } from './embedded.js';

/** Where the database is, and the two ways in: the administrator (setup) and the runtime role (shell). */
export interface DatabaseTarget {
  kind: 'embedded' | 'external';
  admin: ConnectionParams;
  runtime: ConnectionParams;
  /** Let go of the embedded server (the last user stops it). No-op for an external server. */
  release(): Promise<void>;
}

export interface OpenOptions {
  log?: (line: string) => void;
  /** Embedded only: skip fsync (tests, benchmarks). */
  durable?: boolean;
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
  const server = new EmbeddedServer(config.stateDir, { durable: options.durable, log: options.log });
  // However the process ends (exit(), an uncaught error, its terminal closed,
  // a kill), give the lease back: the last user stops the server. Installed
  // before the lease is taken, so a signal in between cannot leave it behind.
  const onExit = () => server.releaseSync();
  const onSignal = (signal: NodeJS.Signals) => {
    server.releaseSync();
    process.exit(signal === 'SIGHUP' ? 129 : 143);
  };
  process.once('exit', onExit);
  process.once('SIGHUP', onSignal);
  process.once('SIGTERM', onSignal);
  let lease: Awaited<ReturnType<EmbeddedServer['acquire']>>;
  try {
    lease = await server.acquire();
  } catch (err) {
    process.removeListener('exit', onExit);
    process.removeListener('SIGHUP', onSignal);
    process.removeListener('SIGTERM', onSignal);
    throw err;
  }
  const base = { host: lease.host, port: lease.port, database: EMBEDDED_DATABASE };
  return {
    kind: 'embedded',
    admin: { ...base, user: SUPERUSER, password: lease.state.superuserPassword },
    runtime: { ...base, user: config.appDbUser, password: lease.state.appPassword },
    release: async () => {
      process.removeListener('exit', onExit);
      process.removeListener('SIGHUP', onSignal);
      process.removeListener('SIGTERM', onSignal);
      await lease.release();
    },
  };
}
