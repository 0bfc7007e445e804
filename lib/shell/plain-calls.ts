/**
 * Whether a batch's statement ends by itself: it holds no code of its own
 * that could run on and on (no function, method, class, loop, regular
 * expression, `new`, no bracketed member, no way to the Function
 * constructor), only literals, the shell's objects and their methods, and
 * names earlier such statements declared. Such a statement's synchronous
 * part is the shell's own code on literal values: it runs for microseconds
 * and returns (a promise, most often), so it needs no watchdog for Ctrl+C
 * and no signal listeners set aside (lib/shell/signals.ts), which cost a
 * thread and three signal handlers made and closed again per statement,
 * about a fifth of a 10,000-line batch's time (issue 33). The engine uses
 * this only until the first statement that is not plain: from then on user
 * code may exist, and every statement runs guarded (lib/shell/engine.ts).
 * Anything this reading is unsure of counts as not plain: the guarded way is
 * always correct, only slower.
 */
import { tokenize, type Token } from './tokens.js';

/** Words a plain statement may use besides names: declarations, literals, and `await` (which makes no code). */
const WORDS = new Set(['const', 'let', 'var', 'true', 'false', 'null', 'undefined', 'await']);

/** Punctuation of calls, literals, declarations and plain arithmetic. */
const PUNCTUATION = new Set(['(', ')', '{', '}', '[', ']', ',', ':', ';', '.', '?.', '=', '-', '+', '*', '/', '...']);

/** Property names that lead to constructors and prototypes (`x.constructor.constructor('…')` is Function). */
const FORBIDDEN_PROPERTIES = new Set(['constructor', 'prototype', '__proto__', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);

/** After these a `[` opens an array; after anything else it would be a member access by a computed key. */
const ARRAY_AFTER = new Set(['(', ',', '=', '[', ':', '...', '{']);

/**
 * True when `code` is plain in the sense above. `known(name)`: whether a bare
 * name is one the statement may use (the shell's objects, names declared by
 * earlier plain statements).
 */
export function endsByItself(code: string, known: (name: string) => boolean): boolean {
  const tokens = tokenize(code);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const before: Token | undefined = tokens[i - 1];
    const after: Token | undefined = tokens[i + 1];
    if (t.type === 'regex') return false;
    if (t.type === 'punct') {
      if (!PUNCTUATION.has(t.value)) return false;
      // A body after a parameter list: a function or a method of the statement's own.
      if (t.value === '{' && before?.type === 'punct' && before.value === ')') return false;
      if (t.value === '[' && before !== undefined && !(before.type === 'punct' && ARRAY_AFTER.has(before.value)) && !(before.type === 'ident' && WORDS.has(before.value))) return false;
      continue;
    }
    if (t.type !== 'ident') continue; // strings, numbers, template text
    const property = before?.type === 'punct' && (before.value === '.' || before.value === '?.');
    if (property) {
      if (FORBIDDEN_PROPERTIES.has(t.value)) return false;
      continue;
    }
    // A key of an object literal (`{fullName: 'Ann'}`); a label reads the same and is as harmless.
    if (after?.type === 'punct' && after.value === ':') continue;
    if (WORDS.has(t.value) || known(t.value)) continue;
    // A binding being declared (`const page = …`): a name, not a use.
    if (before?.type === 'ident' && (before.value === 'const' || before.value === 'let' || before.value === 'var')) continue;
    return false;
  }
  return true;
}

/** A batch's statements as they come: which may run unguarded. */
export class PlainRun {
  /** Whether a statement that is not plain has run: user code may exist from then on. */
  private ownCode = false;
  /** Names the plain statements so far declared. */
  private readonly names = new Set<string>();
  /** Statement shapes found plain (lib/shell/shapes.ts): as names only grow, a shape once plain stays so. */
  private readonly plainShapes = new Set<string>();

  /** `shellName(name)`: whether a bare name is one of the shell's own (lib/shell/names.ts isShellName). */
  constructor(private readonly shellName: (name: string) => boolean) {}

  /**
   * Whether `code` may run unguarded: plain, and nothing but plain statements
   * before it. The first statement that is not plain ends that for good.
   * `load` is not plain: the file it runs may hold anything. `declared`: the
   * names `code` declares (lib/shell/names.ts declaredNames, which the engine
   * has already read). `shape`: the statement's shape, when it has one.
   */
  unguarded(code: string, declared: readonly string[], shape?: string): boolean {
    if (this.ownCode) return false;
    if ((shape !== undefined && this.plainShapes.has(shape)) || endsByItself(code, (name) => this.names.has(name) || (name !== 'load' && this.shellName(name)))) {
      for (const name of declared) this.names.add(name);
      if (shape !== undefined) this.plainShapes.add(shape);
      return true;
    }
    this.ownCode = true;
    return false;
  }
}
