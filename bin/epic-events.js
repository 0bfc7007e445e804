#!/usr/bin/env node
// Thin entry: hand argv to the compiled command module (no TypeScript loader at run time).
import { main } from '../dist/lib/cli.js';

process.exitCode = await main(process.argv.slice(2));
