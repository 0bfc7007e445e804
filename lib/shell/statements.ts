/** Cutting source into statements the way the REPL does: line by line until the code is complete. */
import vm from 'node:vm';

export interface Statement {
  code: string;
  /** 1-based line where the statement starts. */
  line: number;
}

/**
 * Whether more lines are needed (an open bracket, string template…). Compiled
 * inside an async function so top-level `await` is accepted; nothing runs.
 */
export function isIncomplete(code: string): boolean {
  try {
    new vm.Script(`(async () => {\n${code}\n})`, { filename: 'completeness-check' });
    return false;
  } catch (err) {
    return err instanceof SyntaxError && /Unexpected end of input|Unterminated template literal/.test(err.message);
  }
}

const SKIPPABLE = /^\s*(\/\/.*)?$/;

export function splitStatements(source: string): Statement[] {
  const lines = source.split(/\r?\n/);
  const statements: Statement[] = [];
  let buffer = '';
  let start = 0;
  lines.forEach((text, index) => {
    if (index === 0 && text.startsWith('#!')) return;
    if (buffer === '' && SKIPPABLE.test(text)) return;
    if (buffer === '') start = index + 1;
    buffer += `${text}\n`;
    if (!isIncomplete(buffer)) {
      statements.push({ code: buffer, line: start });
      buffer = '';
    }
  });
  // An unfinished statement at the end: evaluating it reports the syntax error at its line.
  if (buffer !== '') statements.push({ code: buffer, line: start });
  return statements;
}
