#!/usr/bin/env node
// Thin entry: hand argv to the compiled command module (no TypeScript loader at run time).
// First Node.js's compile cache (22.1+, lib/platform/compile-cache.ts), then the program it applies to.
import { enableCompileCache } from '../dist/lib/platform/compile-cache.js';

enableCompileCache();
const { runProgram } = await import('../dist/lib/program/cli.js');
await runProgram(process.argv.slice(2));
