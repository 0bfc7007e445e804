/**
 * A second process for the embedded-server tests: takes a lease on the server
 * of the state directory given as argv[2], prints its port, and holds it until
 * its stdin ends (then releases) — or until it is killed. With `--exit-hooks`
 * (argv[3]) it leaves on SIGTERM as the shell does (lib/program/commands/lifecycle.ts).
 */
import { EmbeddedServer } from '../../lib/db/embedded/index.js';
import { releaseOnExit } from '../../lib/program/commands/lifecycle.js';

const server = new EmbeddedServer(process.argv[2], { durable: false });
const lease = await server.acquire();
if (process.argv[3] === '--exit-hooks') releaseOnExit(() => server.releaseSync());
process.stdout.write(`${JSON.stringify({ port: lease.port, pid: process.pid })}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await lease.release();
  process.exit(0);
});
