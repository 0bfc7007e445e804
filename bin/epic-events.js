#!/usr/bin/env node
// Thin entry: hand argv to the compiled command module (no TypeScript loader at run time).
import { runProgram } from '../dist/lib/program/cli.js';

await runProgram(process.argv.slice(2));
