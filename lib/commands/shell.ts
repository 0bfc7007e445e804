import type { CliIO, CliOptions } from '../cli.js';
import { ConfigError } from '../errors.js';

export async function runShellCommand(_opts: CliOptions, _io: CliIO): Promise<number> {
  throw new ConfigError('the shell is not available yet');
}
