#!/usr/bin/env node
// Thin entry: hand argv to the compiled command module (no TypeScript loader at run time).
// First Node.js's compile cache (22.1+, lib/platform/compile-cache.ts), then the program it applies to,
// bundled by the build (lib/program/bundle.ts: a few files to load rather than one per module).
import { enableCompileCache } from '../dist/lib/platform/compile-cache.js';

enableCompileCache();
const { runProgram } = await import('../dist/bundle/cli.js');
await runProgram(process.argv.slice(2));
