/**
 * What became of a transaction whose connection was lost once its COMMIT had
 * gone out (a backend killed, the server crashed, the network cut): the
 * server keeps every transaction's fate, so another connection asks it
 * (pg_xact_status) with the id taken just before COMMIT. Committed: the call
 * succeeded, and returns as if nothing had happened. Aborted: nothing was
 * written, and the error says the call can run again. Not known (the id never
 * came back, the server cannot be reached): the error says so, and never
 * advises running it again.
 */
import { DatabaseUnavailable } from '../domain/errors.js';
import type { Outcome } from './driver.js';
import { bind, type NamedQuery } from './sql.js';
import { tq, type CommitInDoubt } from './transaction.js';

export interface FateQuestions {
  /** Run a query on a fresh connection (the pool's, which restarts a lost embedded server). */
  ask(q: NamedQuery, params: readonly unknown[]): Promise<Outcome>;
}

const LOST = 'the connection to the database was lost while the call was committing';
/** How long a transaction still "in progress" (its backend not yet gone) is waited for. */
const SETTLE_MS = 10_000;

export const NOT_COMMITTED = `${LOST}; it was not committed, nothing was written: run the call again`;
export const FATE_UNKNOWN = `${LOST}, and whether it committed cannot be told: check before running it again`;

export async function commitFate(doubt: CommitInDoubt, questions: FateQuestions): Promise<unknown> {
  // It wrote nothing: there was nothing to commit, and its result stands.
  if (doubt.xid === null) return doubt.result;
  if (doubt.xid === undefined) throw unavailable(FATE_UNKNOWN, doubt);
  const deadline = Date.now() + SETTLE_MS;
  let retried = false;
  for (;;) {
    let status: string | null | undefined;
    try {
      status = (await questions.ask(tq.transactionStatus, bind(tq.transactionStatus, { xid: doubt.xid }))).rows[0]?.status as string | null | undefined;
    } catch (err) {
      // The server itself was lost (the pool restarted the embedded one meanwhile): asked once more.
      if (retried || !(err instanceof DatabaseUnavailable) || err.reason !== 'unreachable') throw unavailable(FATE_UNKNOWN, doubt);
      retried = true;
      continue;
    }
    if (status === 'committed') return doubt.result;
    if (status === 'aborted') throw unavailable(NOT_COMMITTED, doubt);
    // In progress: its backend is still on its way out.
    if (status !== 'in progress' || Date.now() > deadline) throw unavailable(FATE_UNKNOWN, doubt);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function unavailable(message: string, doubt: CommitInDoubt): DatabaseUnavailable {
  const err = new DatabaseUnavailable(message, 'unreachable');
  err.sqlState = doubt.lost.sqlState;
  return err;
}
