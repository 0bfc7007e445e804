import type { CliIO, CliOptions } from '../cli.js';
import { ConfigError } from '../errors.js';

export async function runLogoutCommand(_opts: CliOptions, _io: CliIO): Promise<number> {
  throw new ConfigError('logout is not available yet');
}
