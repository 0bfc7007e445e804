import { configFrom, type CliIO, type CliOptions } from './command.js';
import { openTarget } from '../../db/connect.js';
import { releaseOnExit } from './lifecycle.js';
import { runSetup } from '../provision.js';
import { assertUsableStateDir } from '../../platform/state.js';

export async function runSetupCommand(opts: CliOptions, io: CliIO): Promise<number> {
  const config = configFrom(io);
  assertUsableStateDir(config.stateDir);
  const log = (line: string) => io.stderr.write(`${line}\n`);
  const target = await openTarget(config, { log: opts.quiet ? undefined : log, onLease: releaseOnExit });
  try {
    const interactive = Boolean(io.stdin.isTTY && io.stdout.isTTY);
    const report = await runSetup(config, target, { log, terminal: interactive ? { input: io.stdin, output: io.stdout } : undefined });
    for (const change of report.changes) io.stdout.write(`  ✔ ${change}\n`);
    for (const warning of report.warnings) io.stderr.write(`  ! ${warning}\n`);
    io.stdout.write(report.changes.length ? `Setup done (${report.changes.length} change${report.changes.length > 1 ? 's' : ''}).\n` : 'Already set up: nothing changed.\n');
    return 0;
  } finally {
    await target.release();
  }
}
