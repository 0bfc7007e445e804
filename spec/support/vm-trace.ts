/**
 * Preloaded into a spawned CLI (NODE_OPTIONS=--import=…/vm-trace.js, with
 * EPIC_VM_TRACE naming a file): each statement a batch runs through
 * `vm.Script#runInContext` appends a line there, `guarded` when it ran under
 * the Ctrl+C watchdog (breakOnSigint) and `plain` when it did not
 * (lib/shell/plain-calls.ts). Nothing is timed.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

const FILE_VARIABLE = 'EPIC_VM_TRACE';

/** The environment that makes a spawned CLI trace its statements into `file`. */
export function vmTraceEnv(file: string): NodeJS.ProcessEnv {
  return { NODE_OPTIONS: `--import=${fileURLToPath(import.meta.url)}`, [FILE_VARIABLE]: file };
}

const file = process.env[FILE_VARIABLE];
if (file) {
  const run = vm.Script.prototype.runInContext;
  vm.Script.prototype.runInContext = function (this: vm.Script, context: vm.Context, options?: vm.RunningScriptOptions) {
    fs.appendFileSync(file, `${options?.breakOnSigint ? 'guarded' : 'plain'}\n`);
    return run.call(this, context, options);
  } as typeof run;
}
