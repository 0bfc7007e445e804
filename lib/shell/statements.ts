/** Cutting source into statements the way the REPL does: line by line until the code is complete. */
import vm from 'node:vm';
import { shellSyntax, usesAwait } from './tokens.js';

export interface Statement {
  code: string;
  /** 1-based line where the statement starts. */
  line: number;
  /**
   * The statement compiled as a plain script, when it is one (no top-level
   * await, not an object literal): a batch runs it as is, without going
   * through the REPL's eval again (one compilation per line, no domain).
   */
  script?: vm.Script;
}

/** Compiled as a plain script, or why not: 'incomplete' (more lines needed) or 'other' (await, a real error). */
function compilePlain(code: string, filename: string, line: number): vm.Script | 'incomplete' | 'other' {
  if (/^\s*\{/.test(code)) return 'other'; // the REPL reads a leading { as an object literal
  // `await (x)` compiles as a plain script too (a call of a function named await): the REPL's eval runs it as top-level await.
  if (usesAwait(code)) return 'other';
  try {
    return new vm.Script(code, { filename, lineOffset: line - 1 });
  } catch (err) {
    if (err instanceof SyntaxError && /Unexpected end of input|Unterminated template literal/.test(err.message)) return 'incomplete';
    return 'other';
  }
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
    if (/Unexpected end of input|Unterminated template literal/.test(err.message)) return true;
    // An open bracket of the user's swallowed the wrapper's own "})" (`const x = {`, `foo(`):
    // the error then sits on that last line, whereas a real mistake is reported where it is.
    const at = new RegExp(`^${CHECK_FILE}:(\\d+)`).exec(err.stack ?? '');
    return at !== null && Number(at[1]) === wrapped.split('\n').length;
  }
}

const SKIPPABLE = /^\s*(\/\/.*)?$/;

export function splitStatements(source: string, filename = 'script'): Statement[] {
  const lines = source.split(/\r?\n/);
  const statements: Statement[] = [];
  let buffer = '';
  let start = 0;
  lines.forEach((text, index) => {
    if (index === 0 && text.startsWith('#!')) return;
    if (buffer === '' && SKIPPABLE.test(text)) return;
    if (buffer === '') start = index + 1;
    buffer += `${text}\n`;
    const code = shellSyntax(buffer);
    const plain = compilePlain(code, filename, start);
    if (plain === 'incomplete') return;
    if (plain !== 'other') {
      statements.push({ code, line: start, script: plain });
      buffer = '';
    } else if (!isIncomplete(code)) {
      statements.push({ code, line: start });
      buffer = '';
    }
  });
  // An unfinished statement at the end: evaluating it reports the syntax error at its line.
  if (buffer !== '') statements.push({ code: shellSyntax(buffer), line: start });
  return statements;
}
