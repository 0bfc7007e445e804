/** Which Node.js the shell runs on (README "Node.js versions"); see also lib/shell/repl-adapter.ts. */
import { EpicError } from '../domain/errors.js';

/** The versions `.ci/run` runs the whole suite on (package.json engines). */
export const TESTED_NODE = '20.19+, 22, 24 and 26';

/** This Node.js lacks what the shell needs: said once, at start, exit code 1. */
export class UnsupportedNode extends EpicError {
  readonly code = 'E_NODE';

  constructor(what: string, version = process.version) {
    super(`Node.js ${version} is not supported by the shell: ${what} (tested on Node.js ${TESTED_NODE})`);
  }
}

/** Refuse a Node.js older than 20.19 before anything else runs. */
export function checkNodeVersion(version = process.versions.node): void {
  const [major, minor] = version.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) throw new UnsupportedNode('it needs Node.js 20.19 or newer', `v${version}`);
}
