/**
 * pg's client as the driver (lib/db/driver.ts) uses it: what pg keeps on a
 * client, read here only, and a Client whose failures to connect are
 * classified while it is at hand. With the driver, the only module that
 * uses `pg` (loaded by lib/db/pg-load.ts).
 */
import type net from 'node:net';
import tls from 'node:tls';
import type Pg from 'pg';
import { pg } from './pg-load.js';
import { DriverFailure } from './errors.js';

/** What pg keeps on a client and its protocol connection, read here only. */
export interface ClientInternals {
  connection?: {
    stream?: net.Socket & { cork?: () => void; uncork?: () => void };
    on?(event: 'copyData', listener: (message: { chunk: Buffer }) => void): unknown;
    removeListener?(event: 'copyData', listener: (message: { chunk: Buffer }) => void): unknown;
  };
  ssl?: unknown;
  processID?: number | null;
  secretKey?: number | null;
  connectionParameters?: Pg.ClientConfig;
  _ending?: boolean;
  _ended?: boolean;
  _queryable?: boolean;
  pipeline?: boolean;
}

export const internals = (client: unknown) => client as ClientInternals;

/** An error the server sent (it has a SQLSTATE), or one of the system's or OpenSSL's own (a code). */
export const hasCode = (err: unknown) => typeof (err as { code?: unknown } | null)?.code === 'string';

/** The socket under the client is gone: ended, destroyed, or the client closed or errored. */
export function connectionGone(client: ClientInternals): boolean {
  const stream = client.connection?.stream;
  return Boolean(client._ended || client._ending || client._queryable === false || stream?.destroyed || stream?.writableEnded);
}

/**
 * A client whose failures to connect are classified while the client is at
 * hand: a socket that closed or timed out is the server out of reach; a
 * server that answered the TLS request without TLS (one byte, 'N', and no
 * handshake) refused TLS. Errors with a code (the server's SQLSTATE, the
 * system's, OpenSSL's) and anything else pass as they are.
 */
type ConnectCallback = ((err: Error) => void) | ((err: null, c: Pg.Client) => void);

export class Client extends pg.Client {
  constructor(config: Pg.ClientConfig) {
    super(config);
    // A connection lost while in use: pg fails its queries (which say so) and
    // also emits 'error' on the client, which the pool listens to only while
    // the client is idle. Unheard, that event would crash the process.
    this.on('error', () => undefined);
  }

  override connect(): Promise<Pg.Client>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<Pg.Client> | void {
    if (callback) {
      const report = callback as (err: unknown, c?: Pg.Client) => void;
      return super.connect(((err: Error | null, c?: Pg.Client) => report(err ? this.failure(err) : err, c)) as ConnectCallback);
    }
    return super.connect().catch((err: unknown) => Promise.reject(this.failure(err)));
  }

  private failure(err: unknown): unknown {
    if (hasCode(err) || err instanceof DriverFailure) return err;
    const self = internals(this);
    if (!connectionGone(self)) return err;
    const stream = self.connection?.stream;
    const refusedTls = Boolean(self.ssl) && stream !== undefined && !(stream instanceof tls.TLSSocket) && stream.bytesRead === 1;
    return new DriverFailure(refusedTls ? 'tls-refused' : 'unreachable', err);
  }
}
