/** Run statements as the schema owner on the test database (fixtures, constraint probes). */
import type { AdminConnection } from '../../lib/db/index.js';
import { ctx } from './server.js';


export function asOwner<T>(fn: (conn: AdminConnection) => Promise<T>, conn: AdminConnection = ctx().admin): Promise<T> {
  return conn.transaction(() => fn(conn), { asOwner: true });
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
