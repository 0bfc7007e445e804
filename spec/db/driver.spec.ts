/**
 * The driver's own failures (lib/db/driver.ts), which carry no SQLSTATE:
 * recognised by where they happen and the connection's state. Met here for
 * real, on small TCP servers that misbehave as a network or a server can.
 */
import { expect } from 'chai';
import net from 'node:net';
import { AdminConnection, Database } from '../../lib/db/index.js';
import { DatabaseUnavailable } from '../../lib/domain/errors.js';
import type { ConnectionParams } from '../../lib/platform/config.js';
import { rejection } from '../support/fixtures.js';
import { ctx } from '../support/server.js';
import { testQueries } from '../support/test-queries.js';
import { until } from '../support/until.js';

const t = testQueries(['sleepSeconds', 'activeSleeps', 'cancelSleeps'] as const);

/** A TCP server on 127.0.0.1 doing `onSocket` with each connection; closed with every socket. */
async function fakeServer(onSocket: (s: net.Socket) => void): Promise<{ port: number; sockets: net.Socket[]; close: () => void }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
    onSocket(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    sockets,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

const paramsAt = (port: number, extra: Partial<ConnectionParams> = {}): ConnectionParams =>
  ({ host: '127.0.0.1', port, database: 'epic', user: 'epic_app', password: 'x', ...extra });

const reasonOf = (err: unknown) => (err instanceof DatabaseUnavailable ? err.reason : `not DatabaseUnavailable: ${String(err)}`);

describe('db driver: failures without a SQLSTATE', function () {
  this.timeout(20_000);

  it('a server that accepts and never answers: unreachable after the connect timeout (pool and administrator)', async () => {
    const hole = await fakeServer(() => undefined);
    const db = new Database(paramsAt(hole.port), { connectTimeoutMs: 200 });
    try {
      expect(reasonOf(await rejection(db.transaction(async () => undefined)))).to.equal('unreachable');
      expect(reasonOf(await rejection(AdminConnection.open(paramsAt(hole.port), 200)))).to.equal('unreachable');
    } finally {
      await db.close();
      hole.close();
    }
  });

  it('a server that closes the connection at once: unreachable', async () => {
    const slam = await fakeServer((s) => s.destroy());
    const db = new Database(paramsAt(slam.port));
    try {
      expect(reasonOf(await rejection(db.transaction(async () => undefined)))).to.equal('unreachable');
      expect(reasonOf(await rejection(AdminConnection.open(paramsAt(slam.port))))).to.equal('unreachable');
    } finally {
      await db.close();
      slam.close();
    }
  });

  it('a server that answers the TLS request with no (N) when sslmode requires TLS: tls, in one line', async () => {
    const plain = await fakeServer((s) => s.once('data', () => s.write('N')));
    const params = paramsAt(plain.port, { ssl: { rejectUnauthorized: false } });
    const db = new Database(params);
    try {
      const err = await rejection(db.transaction(async () => undefined));
      expect(reasonOf(err)).to.equal('tls');
      expect(err.message).to.equal('the server does not accept TLS connections, and sslmode requires TLS');
      expect(reasonOf(await rejection(AdminConnection.open(params)))).to.equal('tls');
    } finally {
      await db.close();
      plain.close();
    }
  });

  it('the connection lost in the middle of a query (the network between): unreachable', async () => {
    const { runtime } = ctx().target;
    const upstream: net.Socket[] = [];
    const proxy = await fakeServer((s) => {
      const to = net.connect(runtime.port, runtime.host);
      to.on('error', () => undefined);
      upstream.push(to);
      s.pipe(to).pipe(s);
    });
    const db = new Database({ ...runtime, host: '127.0.0.1', port: proxy.port });
    try {
      const running = rejection(db.transaction((tx) => tx.one(t.sleepSeconds, [30])));
      await until(async () => (await ctx().admin.one<{ n: number }>(t.activeSleeps))!.n > 0, 'the sleep running on the server');
      for (const s of proxy.sockets) s.destroy();
      expect(reasonOf(await running)).to.equal('unreachable');
    } finally {
      for (const s of upstream) s.destroy();
      await db.close();
      proxy.close();
      // The server does not notice a client gone while it sleeps.
      await ctx().admin.one(t.cancelSleeps);
    }
  });

  it('a full pool whose connection is not given back within the connect timeout: unreachable, as before', async () => {
    const db = new Database(ctx().target.runtime, { max: 1, connectTimeoutMs: 200 });
    try {
      const holding = db.transaction((tx) => tx.one(t.sleepSeconds, [30])).catch(() => undefined);
      await until(async () => (await ctx().admin.one<{ n: number }>(t.activeSleeps))!.n > 0, 'the sleep running on the server');
      expect(reasonOf(await rejection(db.transaction(async () => undefined)))).to.equal('unreachable');
      await ctx().admin.one(t.cancelSleeps);
      await holding;
    } finally {
      await db.close();
    }
  });
});
