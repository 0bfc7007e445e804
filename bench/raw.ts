/**
 * The baselines: the bare `pg` driver, nothing of ours in between. This is
 * the one place outside lib/db/driver.ts that imports `pg`, on purpose: it IS
 * the raw-driver baseline the shell is measured against. The statements
 * still come from .sql files (bench/sql/bench.sql, sql/contracts.sql).
 *
 * Run as a script for the figures that spawn a process:
 *   node dist/bench/raw.js select1                 connect, select 1, exit
 *   node dist/bench/raw.js insert-clients N TAG     N inserts, one statement each
 *   node dist/bench/raw.js copy-contracts FILE      every contract as CSV (COPY TO STDOUT) into FILE
 * with BENCH_PG (JSON connection parameters) and BENCH_IDENTITY ("role:userId") in the environment.
 */
import type { EventEmitter } from 'node:events';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import type { ConnectionParams } from '../lib/platform/config.js';
import { bind, queries } from '../lib/db/sql.js';
import { benchQueries } from './queries.js';
import { batchClient } from './rows.js';

const q = benchQueries(['rawSessionIdentity', 'rawSelectOne', 'rawInsertClient', 'rawCopyContracts'] as const);
const cq = queries('contracts', ['getContract'] as const);

/** A department role and the database session to act under (sql/session.sql). */
export interface Identity {
  role: string;
  sessionKey: string;
}

export async function rawClient(params: ConnectionParams, identity?: Identity): Promise<pg.Client> {
  const client = new pg.Client({ ...params, application_name: 'epic-events bench baseline' });
  await client.connect();
  if (identity) await client.query(q.rawSessionIdentity.text, bind(q.rawSessionIdentity, { ...identity }));
  return client;
}

/** `calls` lookups of contracts.get's statement, one after another; returns ms. */
export async function rawGetContracts(client: pg.Client, ids: readonly number[]): Promise<number> {
  const started = performance.now();
  for (const id of ids) await client.query(cq.getContract.text, [id]);
  return performance.now() - started;
}

/** The same with the statement prepared once (a named statement): the best a bare client can do. */
export async function rawGetContractsPrepared(client: pg.Client, ids: readonly number[]): Promise<number> {
  const started = performance.now();
  for (const id of ids) await client.query({ name: 'bench.getContract', text: cq.getContract.text, values: [id] });
  return performance.now() - started;
}

/** The identity statement alone, `calls` times (its own cost); returns ms. */
export async function rawIdentityStatements(client: pg.Client, identity: Identity, calls: number): Promise<number> {
  const { setIdentity } = queries('session', ['setIdentity'] as const);
  const params = bind(setIdentity, { ...identity });
  const started = performance.now();
  for (let i = 0; i < calls; i++) await client.query(setIdentity.text, params);
  return performance.now() - started;
}

async function main(argv: string[]): Promise<void> {
  const params = JSON.parse(process.env.BENCH_PG ?? '{}') as ConnectionParams;
  const [mode, countArg, tag] = argv;
  if (mode === 'select1') {
    const client = await rawClient(params);
    await client.query(q.rawSelectOne.text);
    await client.end();
    return;
  }
  if (mode === 'insert-clients') {
    const [role, sessionKey, userId] = (process.env.BENCH_IDENTITY ?? '').split(':');
    const client = await rawClient(params, { role, sessionKey });
    const count = Number(countArg);
    for (let i = 1; i <= count; i++) {
      const c = batchClient(i, tag);
      await client.query(q.rawInsertClient.text, bind(q.rawInsertClient, { fullName: c.fullName, email: c.email, phone: c.phone, companyName: c.companyName, salesContactId: Number(userId) }));
    }
    await client.end();
    return;
  }
  if (mode === 'copy-contracts') {
    const [role, sessionKey] = (process.env.BENCH_IDENTITY ?? '').split(':');
    const client = await rawClient(params, { role, sessionKey });
    const out = fs.createWriteStream(countArg);
    // pg runs COPY TO STDOUT but hands its rows to no one (pg-copy-streams adds
    // that): they arrive as the connection's copyData messages, written here as they come.
    const connection = (client as unknown as { connection: EventEmitter }).connection;
    // (copied: the parser reuses its buffer once the message is handled)
    const onData = (message: { chunk: Buffer }) => void out.write(Buffer.from(message.chunk));
    connection.on('copyData', onData);
    await client.query(q.rawCopyContracts.text);
    connection.removeListener('copyData', onData);
    await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
    await client.end();
    return;
  }
  throw new Error(`unknown mode ${mode}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  });
}
