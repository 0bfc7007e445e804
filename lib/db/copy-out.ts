/**
 * COPY … TO STDOUT through the driver (lib/db/driver.ts): pg runs the
 * statement but hands its data to no one; they arrive as the connection's
 * CopyData messages (one a row in text format), each given here to `each` as
 * it comes, with no string made of it. `each` may return a promise: the
 * socket is not read until it settles (backpressure: the server waits, memory
 * stays bounded). After a failure of `each` the rest is read and dropped
 * (a cancel request could reach the statements that follow instead) and that
 * failure is the one thrown.
 */
import type { CopyEach } from './door.js';
import { send, type Connection, type Outcome } from './driver.js';
import { internals } from './pg-client.js';

export async function copyOut(conn: Connection, q: { name?: string; text: string; values?: readonly unknown[] }, each: CopyEach): Promise<Outcome> {
  const connection = internals(conn).connection;
  if (!connection?.on || !connection.removeListener) throw new Error('copyOut: this connection cannot hand COPY data on');
  const stream = connection.stream;
  let failure: { err: unknown } | undefined;
  const fail = (err: unknown) => {
    if (failure) return;
    failure = { err };
    stream?.resume();
  };
  const onData = (message: { chunk: Buffer }) => {
    if (failure) return;
    let waited: void | Promise<void>;
    try {
      waited = each(message.chunk);
    } catch (err) {
      return fail(err);
    }
    if (!waited) return;
    stream?.pause();
    waited.then(() => void (failure ? undefined : stream?.resume()), fail);
  };
  connection.on('copyData', onData);
  try {
    const outcome = await send(conn, q);
    if (failure) throw failure.err;
    return outcome;
  } catch (err) {
    throw failure ? failure.err : err;
  } finally {
    connection.removeListener('copyData', onData);
  }
}
