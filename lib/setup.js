#!/usr/bin/env node
// `node lib/setup [options]`: exactly `epic-events setup [options]` (npm run setup).
// A thin entry like bin/epic-events.js, no logic of its own: provisioning is
// lib/program/provision.ts, the command lib/program/commands/setup.ts, both compiled to dist/ by npm install.
let cli;
try {
  cli = await import('../dist/lib/program/cli.js');
} catch (err) {
  // No build yet (dist/), or no dependencies (node_modules/): both are what npm install makes.
  if (err?.code !== 'ERR_MODULE_NOT_FOUND') throw err;
  process.stderr.write('run npm install first\n');
  process.exit(2);
}

const code = await cli.main(['setup', ...process.argv.slice(2)]);
process.exitCode = code;
// Everything is closed by now; should a stray handle linger, do not hang on it.
setTimeout(() => process.exit(code), 500).unref();
