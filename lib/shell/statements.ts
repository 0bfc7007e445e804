/** Cutting source into statements the way the REPL does: line by line until the code is complete. */
import v8 from 'node:v8';
import vm from 'node:vm';
import { shellSyntax, usesAwait } from './tokens.js';
import { compileScript, endsTooSoon, readShaped, type Compiled } from './shapes.js';

export interface Statement {
  code: string;
  /** 1-based line where the statement starts. */
  line: number;
  /**
   * The statement compiled as a plain script, when it is one (no top-level
   * await, not an object literal): a batch runs it as is, without going
   * through the REPL's eval again (one compilation per line, no domain), or
   * read by its shape (lib/shell/shapes.ts: one compilation per shape).
   */
  script?: Compiled;
}

/** Compiled as a plain script, or why not: 'incomplete' (more lines needed) or 'other' (await, a real error). */
function compilePlain(code: string, filename: string, line: number): vm.Script | 'incomplete' | 'other' {
  if (/^\s*\{/.test(code)) return 'other'; // the REPL reads a leading { as an object literal
  // `await (x)` compiles as a plain script too (a call of a function named await): the REPL's eval runs it as top-level await.
  if (usesAwait(code)) return 'other';
  const compiled = compileScript(code, { filename, lineOffset: line - 1 });
  return compiled === 'wrong' ? 'other' : compiled;
}

const CHECK_FILE = 'completeness-check';

/**
 * Whether more lines are needed (an open bracket, string template…). Compiled
 * inside an async function so top-level `await` is accepted; nothing runs.
 */
export function isIncomplete(code: string): boolean {
  const wrapped = `(async () => {\n${code}\n})`;
  try {
    new vm.Script(wrapped, { filename: CHECK_FILE });
    return false;
  } catch (err) {
    if (!(err instanceof SyntaxError)) return false;
    if (endsTooSoon(err)) return true;
    // An open bracket of the user's swallowed the wrapper's own "})" (`const x = {`, `foo(`):
    // the error then sits on that last line, whereas a real mistake is reported where it is.
    const at = new RegExp(`^${CHECK_FILE}:(\\d+)`).exec(err.stack ?? '');
    return at !== null && Number(at[1]) === wrapped.split('\n').length;
  }
}

const SKIPPABLE = /^\s*(\/\/.*)?$/;

/** Every statement at once (tests; a batch reads them one by one, readStatements). */
export function splitStatements(source: string, filename = 'script'): Statement[] {
  return [...readStatements(source, filename)];
}

/** How many lines `source` has (a batch's progress counts lines: statements are read as they run). */
export function lineCount(source: string): number {
  let lines = 1;
  for (let at = source.indexOf('\n'); at >= 0; at = source.indexOf('\n', at + 1)) lines++;
  return source.endsWith('\n') ? lines - 1 : lines;
}

let compilationCacheOff = false;

/**
 * V8 keeps every script it compiled in its compilation cache (to compile the
 * same text again for free), and a batch compiles each statement: 233,000
 * statements held 160 MB after garbage collection. A batch never runs the
 * same text twice in a way worth caching, so the cache is off from the first
 * batch on (the process's other code is compiled as modules, not cached there).
 */
function keepNoCompiledStatements(): void {
  if (compilationCacheOff) return;
  compilationCacheOff = true;
  v8.setFlagsFromString('--no-compilation-cache');
}

/** The young generation's size at which a batch stops it growing (Node.js 20's own maximum is 32 MB). */
const YOUNG_GENERATION_CAP = 24 * 1024 * 1024;
let youngGenerationCapped = false;

/**
 * V8 grows its young generation (two semi-spaces) while objects keep
 * surviving its scavenges, which a long batch always does in the end. Node.js
 * 24 lets it reach 128 MB and Node.js 26 64 MB (Node.js 20: 32 MB): a 10 MB
 * script then peaked at 303–314 MB instead of about 200. Once it reaches
 * 24 MB it stops growing (the growth factor is read as it grows; the maximum
 * size, fixed at start, cannot be lowered from inside the process): a growth
 * under way still ends, at 32 MB on Node.js 24 and about 32 MB on Node.js 26.
 */
export function capYoungGeneration(): void {
  if (youngGenerationCapped) return;
  const young = v8.getHeapSpaceStatistics().find((space) => space.space_name === 'new_space');
  if (!young || young.space_size < YOUNG_GENERATION_CAP) return;
  youngGenerationCapped = true;
  v8.setFlagsFromString('--semi-space-growth-factor=1');
}

/** Lines between two looks at the young generation's size (one look costs microseconds). */
const CAP_EVERY = 1024;

/**
 * The statements of `source`, each read (and compiled) only when the batch
 * asks for the next: a script's memory is its text plus the statement
 * running, whatever its length.
 */
export function* readStatements(source: string, filename = 'script'): Generator<Statement> {
  keepNoCompiledStatements();
  const lineBreak = /\r?\n/g;
  let buffer = '';
  let start = 0;
  let index = 0;
  for (let from = 0; from <= source.length; index++) {
    const found = lineBreak.exec(source);
    const text = source.slice(from, found ? found.index : source.length);
    from = found ? lineBreak.lastIndex : source.length + 1;
    if (index % CAP_EVERY === 0) capYoungGeneration();
    if (index === 0 && text.startsWith('#!')) continue;
    if (buffer === '' && SKIPPABLE.test(text)) continue;
    if (buffer === '') start = index + 1;
    buffer += `${text}\n`;
    const code = shellSyntax(buffer);
    const shaped = readShaped(code, filename, start);
    if (shaped === 'incomplete') continue;
    if (shaped) {
      buffer = '';
      yield { code, line: start, script: shaped };
      continue;
    }
    const plain = compilePlain(code, filename, start);
    if (plain === 'incomplete') continue;
    if (plain !== 'other') {
      buffer = '';
      yield { code, line: start, script: plain };
    } else if (!isIncomplete(code)) {
      buffer = '';
      yield { code, line: start };
    }
  }
  // An unfinished statement at the end: evaluating it reports the syntax error at its line.
  if (buffer !== '') yield { code: shellSyntax(buffer), line: start };
}
