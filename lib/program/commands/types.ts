/**
 * `epic-events types [FILE]`: write the TypeScript declarations of the
 * shell's globals (lib/shell/declarations.ts) to FILE (default
 * epic-events.d.ts in the folder the command runs from), or to standard
 * output with `-`. Needs no database and no login.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CliIO, CliOptions } from './command.js';
import { ConfigError } from '../../domain/errors.js';

export const DEFAULT_DECLARATIONS = 'epic-events.d.ts';

export async function runTypesCommand(opts: CliOptions, io: CliIO): Promise<number> {
  const { shellDeclarations } = await import('../../shell/declarations.js');
  const { packageVersion } = await import('../../platform/version.js');
  const text = shellDeclarations(packageVersion());
  if (opts.file === '-') {
    io.stdout.write(text);
    return 0;
  }
  const base = io.env.INIT_CWD ?? process.cwd();
  const file = path.resolve(base, opts.file ?? DEFAULT_DECLARATIONS);
  if (!file.endsWith('.d.ts')) throw new ConfigError(`types writes a declaration file: give a name ending in .d.ts (got ${opts.file})`);
  fs.writeFileSync(file, text);
  io.stdout.write(`Wrote ${file}. Start a script with:\n  /// <reference path="${path.basename(file)}" />\n  // @ts-check\n`);
  return 0;
}
