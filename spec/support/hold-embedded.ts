/**
 * A second process for the embedded-server tests: takes a lease on the server
 * of the state directory given as argv[2], prints its port, and holds it until
 * its stdin ends (then releases) — or until it is killed.
 */
import { EmbeddedServer } from '../../lib/db/embedded.js';

const server = new EmbeddedServer(process.argv[2], { durable: false });
const lease = await server.acquire();
process.stdout.write(`${JSON.stringify({ port: lease.port, pid: process.pid })}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await lease.release();
  process.exit(0);
});
