/**
 * The watcher of a lingering embedded server (lib/db/embedded/idle.ts), a
 * detached process: `node idle-watch.js STATE_DIR`. It stops the server once
 * its idle time has passed with nobody using it, then exits; someone using it
 * then, it just exits (their leaving starts a new watcher if needed).
 */
import { EmbeddedServer } from './index.js';

await new EmbeddedServer(process.argv[2] as string).watchIdle();
process.exit(0);
