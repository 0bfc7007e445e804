#!/usr/bin/env node
// Thin entry: hand argv to the compiled command module (no TypeScript loader at run time).
import { main } from '../dist/lib/cli.js';

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Everything is closed by now; should a stray handle linger, do not hang on it.
setTimeout(() => process.exit(code), 500).unref();
