/**
 * A batch's statements mostly repeat one call with other literals
 * (`clients.create({fullName: "Ann", …})` ten thousand times), and compiling
 * each one (a vm.Script a statement) and reading its names again were about
 * a fifth of such a batch's CPU (issue 33). A statement's shape is its text with its string and number
 * literals taken out (`clients.create({fullName: L[0], …})`): the shape is
 * compiled once, as a function of the literals, and each statement of that
 * shape calls it with its own.
 *
 * Only what reads the same either way gets a shape: one expression statement
 * on one logical line, no comment, template, escape outside a string, `await`
 * or non-ASCII name; a literal stays as written where it is an object key,
 * follows a `.`, or has a member or a call after it (V8 prints such text in
 * its messages). Whether a text compiles depends on its structure, never on
 * a literal's value: the first statement of a shape is compiled both whole
 * and as its shape, and the shape is used only when both agree.
 * The function form is used only where the engine runs a statement
 * unguarded and it declares nothing (lib/shell/engine.ts): its names are
 * then the shell's and earlier plain statements', none of which a function
 * wrapper changes; anywhere else the statement is compiled whole.
 */
import vm from 'node:vm';
import { declaredNames } from './names.js';

/** The parameter the shape's function takes the literals in (a statement naming it gets no shape). */
const LITERALS = 'L\u0024epicLiterals';

/** Shapes kept at most (the process's batches together): a batch has a handful; past this, new shapes' statements compile whole as before. */
const MAX_SHAPES = 512;

const enum C {
  Tab = 9, LineFeed = 10, CarriageReturn = 13, Space = 32, DoubleQuote = 34, Dollar = 36, Quote = 39, OpenParen = 40, CloseParen = 41,
  Star = 42, Dot = 46, Slash = 47, Zero = 48, Nine = 57, Colon = 58, Semicolon = 59, QuestionMark = 63, UpperA = 65, UpperZ = 90, OpenBracket = 91,
  Backslash = 92, CloseBracket = 93, Underscore = 95, Backtick = 96, LowerA = 97, LowerZ = 122, OpenBrace = 123, CloseBrace = 125,
}

const isDigit = (c: number) => c >= C.Zero && c <= C.Nine;
const isIdentStart = (c: number) => (c >= C.LowerA && c <= C.LowerZ) || (c >= C.UpperA && c <= C.UpperZ) || c === C.Underscore || c === C.Dollar;
const isIdentPart = (c: number) => isIdentStart(c) || isDigit(c);
const isSpace = (c: number) => c === C.Space || c === C.Tab || c === C.LineFeed || c === C.CarriageReturn;
const CLOSING: Record<number, number> = { [C.OpenParen]: C.CloseParen, [C.OpenBracket]: C.CloseBracket, [C.OpenBrace]: C.CloseBrace };

/** A decimal number as JavaScript reads it, nothing after it that would make it another literal. */
const DECIMAL = /(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w$.])/y;

/** The statement's shape and its literals, or undefined when it gets none (see above). */
export function shapeOf(code: string): { key: string; values: Array<string | number> } | undefined {
  if (code.includes('<!--') || code.includes('-->')) return undefined; // a script's HTML-like comments
  let key = '';
  const values: Array<string | number> = [];
  const open: number[] = [];
  let copied = 0;
  let previous = 0; // the last character that was not a space
  const n = code.length;
  const nextSignificant = (from: number) => {
    while (from < n && isSpace(code.charCodeAt(from))) from++;
    return from < n ? code.charCodeAt(from) : 0;
  };
  /** Take the literal code[start, end) out as `value`, unless it must stay as written. */
  const literal = (start: number, end: number, value: string | number | undefined) => {
    const after = nextSignificant(end);
    const stays = value === undefined || previous === C.Dot || after === C.Colon || after === C.Dot || after === C.OpenBracket
      || after === C.OpenParen || after === C.Backtick || after === C.QuestionMark;
    if (!stays) {
      key += `${code.slice(copied, start)}${LITERALS}[${values.length}]`;
      values.push(value);
      copied = end;
    }
    previous = C.DoubleQuote;
  };
  for (let i = 0; i < n; ) {
    const c = code.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === C.DoubleQuote || c === C.Quote) {
      let j = i + 1;
      let escaped = false;
      for (; j < n; j++) {
        const d = code.charCodeAt(j);
        if (d === c) break;
        if (d === C.LineFeed || d === C.CarriageReturn) return undefined;
        if (d === C.Backslash) {
          escaped = true;
          j++;
        }
      }
      if (j >= n) return undefined;
      literal(i, j + 1, escaped ? jsonString(code.slice(i, j + 1)) : code.slice(i + 1, j));
      i = j + 1;
      continue;
    }
    if (isDigit(c)) {
      DECIMAL.lastIndex = i;
      const m = DECIMAL.exec(code);
      if (!m) return undefined;
      literal(i, i + m[0].length, Number(m[0]));
      i += m[0].length;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentPart(code.charCodeAt(j))) j++;
      const word = code.slice(i, j);
      if (word === 'await' || word === LITERALS) return undefined;
      previous = code.charCodeAt(j - 1);
      i = j;
      continue;
    }
    if (c >= 0x80 || c === C.Backtick || c === C.Backslash || (c === C.Slash && (code.charCodeAt(i + 1) === C.Slash || code.charCodeAt(i + 1) === C.Star))) return undefined;
    if (c === C.Dot && isDigit(code.charCodeAt(i + 1))) return undefined;
    if (c === C.Semicolon && nextSignificant(i + 1) !== 0) return undefined;
    if (CLOSING[c]) open.push(CLOSING[c]);
    else if (c === C.CloseParen || c === C.CloseBracket || c === C.CloseBrace) {
      if (open.pop() !== c) return undefined;
    }
    previous = c;
    i++;
  }
  // A leading { is an object literal to the REPL (lib/shell/statements.ts compilePlain).
  if (open.length > 0 || previous === 0 || /^\s*\{/.test(code)) return undefined;
  return { key: key + code.slice(copied), values };
}

/** A double-quoted string with escapes, read by JSON's rules (JavaScript's own for every escape JSON has), or undefined to keep it as written. */
function jsonString(raw: string): string | undefined {
  if (raw.charCodeAt(0) !== C.DoubleQuote) return undefined;
  try {
    return JSON.parse(raw) as string;
  } catch {
    return undefined;
  }
}

type ShapeFunction = (literals: ReadonlyArray<string | number>) => unknown;

/** One shape: whether it compiles as a statement, its function (per context), what it declares, and whether the engine found it plain. */
class Shape {
  private script?: vm.Script | null;
  private readonly functions = new WeakMap<vm.Context, ShapeFunction>();
  declared?: string[];

  /** `usable`: the first statement of this shape and the shape compiled alike; when not, every statement of it compiles whole. */
  constructor(readonly key: string, readonly usable: boolean) {}

  /** The shape's function in `context` (compiled once, made once per context), or undefined when it cannot be one. */
  functionIn(context: vm.Context): ShapeFunction | undefined {
    const made = this.functions.get(context);
    if (made) return made;
    if (this.script === undefined) {
      const body = this.key.trimEnd().replace(/;$/, '');
      try {
        this.script = new vm.Script(`(function (${LITERALS}) {\nreturn (\n${body}\n);\n})`, { filename: 'statement' });
      } catch {
        this.script = null;
      }
    }
    if (this.script === null) return undefined;
    const fn = this.script.runInContext(context) as ShapeFunction;
    this.functions.set(context, fn);
    return fn;
  }
}

/** A statement read with a shape: compiled whole only if it must be (ShapedStatement.script). */
export class ShapedStatement {
  constructor(readonly code: string, private readonly filename: string, private readonly line: number, readonly shape: Shape, private readonly values: ReadonlyArray<string | number>) {}

  /** The names it declares (lib/shell/names.ts), read once per shape. */
  declared(): string[] {
    return (this.shape.declared ??= declaredNames(this.code));
  }

  /** The statement compiled whole, as a batch compiled every statement before shapes. */
  script(): vm.Script {
    return new vm.Script(this.code, { filename: this.filename, lineOffset: this.line - 1 });
  }

  /** Run in `context` as its shape's function with its literals. */
  run(context: vm.Context): unknown {
    const fn = this.shape.functionIn(context);
    return fn ? fn(this.values) : this.script().runInContext(context, { displayErrors: false });
  }
}

/** What a batch runs a statement as: compiled whole, or by its shape. */
export type Compiled = vm.Script | ShapedStatement;

const shapes = new Map<string, Shape>();

/**
 * `code` read by its shape: the statement, 'incomplete' when more lines are
 * needed, or undefined when it has no shape or the shape does not compile
 * (it is then compiled whole, and its error reported as ever).
 */
export function readShaped(code: string, filename: string, line: number): ShapedStatement | 'incomplete' | undefined {
  const found = shapeOf(code);
  if (!found) return undefined;
  let shape = shapes.get(found.key);
  if (!shape) {
    if (shapes.size >= MAX_SHAPES) return undefined;
    // Whether a text compiles depends on its structure, never on a literal's value: the
    // first statement of a shape, compiled whole as well, answers for every later one.
    const state = compiles(found.key);
    if (state === 'incomplete' && compiles(code) === 'incomplete') return 'incomplete';
    if (state !== 'yes') return undefined;
    shape = new Shape(found.key, compiles(code) === 'yes');
    shapes.set(found.key, shape);
  }
  return shape.usable ? new ShapedStatement(code, filename, line, shape, found.values) : undefined;
}

/** Whether V8 refused a text because it ended too soon (an open bracket, string template…): more lines may complete it. */
export function endsTooSoon(err: unknown): boolean {
  return err instanceof SyntaxError && /Unexpected end of input|Unterminated template literal/.test(err.message);
}

/** `text` compiled as a script, or why not: it ends too soon, or it is wrong. */
export function compileScript(text: string, options: vm.ScriptOptions = { filename: 'statement' }): vm.Script | 'incomplete' | 'wrong' {
  try {
    return new vm.Script(text, options);
  } catch (err) {
    return endsTooSoon(err) ? 'incomplete' : 'wrong';
  }
}

function compiles(text: string): 'yes' | 'incomplete' | 'wrong' {
  const compiled = compileScript(text);
  return compiled instanceof vm.Script ? 'yes' : compiled;
}
