/**
 * `epic-events stop`: stop the embedded server now, rather than after its idle
 * time (EMBEDDED_IDLE). Refused while epic-events processes use it (their pids
 * are named); nothing to do with an external database.
 */
import { configFrom, type CliIO, type CliOptions } from './command.js';
import { EmbeddedServer } from '../../db/embedded/index.js';

export async function runStopCommand(_opts: CliOptions, io: CliIO): Promise<number> {
  const config = configFrom(io);
  if (config.database.kind === 'external') {
    io.stdout.write('Nothing to stop: the database is an external server (DATABASE_URL or POSTGRES_*).\n');
    return 0;
  }
  const result = await new EmbeddedServer(config.stateDir, { log: (line) => io.stderr.write(`${line}\n`) }).stopNow();
  if (Array.isArray(result)) {
    const n = result.length;
    io.stderr.write(`the embedded database is in use by ${n} epic-events process${n > 1 ? 'es' : ''} (${result.join(', ')}); it stops when the last one leaves\n`);
    return 1;
  }
  io.stdout.write(result === 'stopped' ? 'The embedded database is stopped.\n' : 'The embedded database was not running.\n');
  return 0;
}
