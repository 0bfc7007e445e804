/** Run statements as the schema owner on the test database (fixtures, constraint probes). */
import type { AdminConnection } from '../../lib/db/index.js';
import { queries } from '../../lib/db/sql.js';
import { ctx } from './server.js';

const sq = queries('setup', ['actAsOwner'] as const);
const txq = queries('transaction', ['begin', 'commit', 'rollback'] as const);

export async function asOwner<T>(fn: (conn: AdminConnection) => Promise<T>, conn: AdminConnection = ctx().admin): Promise<T> {
  await conn.exec(txq.begin);
  try {
    await conn.exec(sq.actAsOwner);
    const result = await fn(conn);
    await conn.exec(txq.commit);
    return result;
  } catch (err) {
    await conn.exec(txq.rollback).catch(() => undefined);
    throw err;
  }
}

/** The error a statement fails with (its SQLSTATE where there is one), or undefined. */
export async function failureOf(fn: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await fn();
    return undefined;
  } catch (err) {
    return (err as { sqlState?: string }).sqlState ?? (err as { code?: string }).code ?? (err as Error).name;
  }
}
