/**
 * A small, forgiving JavaScript tokenizer: enough to tell identifiers,
 * property keys, literals and punctuation apart in what a person types (the
 * history's redaction, whether a statement uses `await`). It never throws:
 * an unterminated string or comment simply runs to the end of the text.
 */

export type TokenType = 'ident' | 'string' | 'template' | 'number' | 'regex' | 'punct';

export interface Token {
  type: TokenType;
  /** The source text (for strings and templates: the content, escapes roughly decoded). */
  value: string;
  /** Where an identifier starts in the source. */
  start?: number;
}

const PUNCTUATORS = [
  '>>>=', '...', '===', '!==', '**=', '<<=', '>>=', '>>>', '&&=', '||=', '??=',
  '=>', '==', '!=', '<=', '>=', '&&', '||', '??', '?.', '++', '--', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '**', '<<', '>>',
];

const IDENT_START = /[A-Za-z_$\u0080-\uffff#]/;
const IDENT_PART = /[\w$\u0080-\uffff]/;

/** Keywords after which a `/` starts a regular expression rather than a division. */
const REGEX_AFTER_WORD = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', 0: '\0' };

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  /** Brace depth at which each open template's `${` started. */
  const templates: number[] = [];
  let braces = 0;
  const n = source.length;

  const regexAllowed = (): boolean => {
    const prev = tokens[tokens.length - 1];
    if (!prev) return true;
    if (prev.type === 'ident') return REGEX_AFTER_WORD.has(prev.value);
    if (prev.type === 'punct') return ![')', ']', '}'].includes(prev.value);
    return false;
  };

  /** A quoted string from `i` (at the quote); returns its decoded content. */
  const readString = (quote: string): string => {
    let out = '';
    i++;
    while (i < n && source[i] !== quote) {
      if (source[i] === '\\' && i + 1 < n) {
        const e = source[i + 1];
        if (e === 'u' || e === 'x') {
          const m = e === 'x' ? /^x([0-9a-fA-F]{2})/.exec(source.slice(i + 1)) : /^u(?:\{([0-9a-fA-F]+)\}|([0-9a-fA-F]{4}))/.exec(source.slice(i + 1));
          if (m) {
            const code = parseInt(m[1] ?? m[2], 16);
            out += code <= 0x10ffff ? String.fromCodePoint(code) : '';
            i += 1 + m[0].length;
            continue;
          }
        }
        out += SIMPLE_ESCAPES[e] ?? (e === '\n' ? '' : e);
        i += 2;
        continue;
      }
      if (quote !== '`' && source[i] === '\n') break; // unterminated: ends at the line
      out += source[i++];
    }
    i++;
    return out;
  };

  /** Template text from `i` (just after ` or }) to the closing ` or the next `${`. */
  const readTemplatePart = (): void => {
    let out = '';
    while (i < n) {
      if (source[i] === '\\' && i + 1 < n) {
        out += source.slice(i, i + 2);
        i += 2;
        continue;
      }
      if (source[i] === '`') {
        i++;
        tokens.push({ type: 'template', value: out });
        return;
      }
      if (source[i] === '$' && source[i + 1] === '{') {
        i += 2;
        tokens.push({ type: 'template', value: out });
        templates.push(braces);
        braces++;
        return;
      }
      out += source[i++];
    }
    tokens.push({ type: 'template', value: out });
  };

  while (i < n) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '/' && source[i + 1] === '/') {
      const end = source.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
      continue;
    }
    if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      continue;
    }
    if (c === '"' || c === "'") {
      tokens.push({ type: 'string', value: readString(c) });
      continue;
    }
    if (c === '`') {
      i++;
      readTemplatePart();
      continue;
    }
    if (c === '}' && templates.length && templates[templates.length - 1] === braces - 1) {
      templates.pop();
      braces--;
      i++;
      readTemplatePart();
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(source[i + 1] ?? ''))) {
      const m = /^(?:0[xXoObB][\w]+|[\d_]*\.?[\d_]*(?:[eE][+-]?\d+)?n?)/.exec(source.slice(i));
      const text = m && m[0] ? m[0] : c;
      tokens.push({ type: 'number', value: text });
      i += text.length;
      continue;
    }
    if (IDENT_START.test(c)) {
      let j = i + 1;
      while (j < n && IDENT_PART.test(source[j])) j++;
      tokens.push({ type: 'ident', value: source.slice(i, j), start: i });
      i = j;
      continue;
    }
    if (c === '/' && regexAllowed()) {
      let j = i + 1;
      let inClass = false;
      while (j < n && source[j] !== '\n') {
        if (source[j] === '\\') j += 2;
        else if (source[j] === '[') (inClass = true), j++;
        else if (source[j] === ']') (inClass = false), j++;
        else if (source[j] === '/' && !inClass) break;
        else j++;
      }
      j++;
      while (j < n && /[a-z]/i.test(source[j])) j++;
      tokens.push({ type: 'regex', value: source.slice(i, j) });
      i = j;
      continue;
    }
    const op = PUNCTUATORS.find((p) => source.startsWith(p, i)) ?? c;
    if (op === '{') braces++;
    if (op === '}') braces = Math.max(0, braces - 1);
    tokens.push({ type: 'punct', value: op });
    i += op.length;
  }
  return tokens;
}

/** Whether the code uses `await` as a word of its own (not `x.await`, not in a string or comment). */
export function usesAwait(code: string): boolean {
  if (!code.includes('await')) return false;
  const tokens = tokenize(code);
  return tokens.some((t, k) => t.type === 'ident' && t.value === 'await' && !(k > 0 && tokens[k - 1].type === 'punct' && (tokens[k - 1].value === '.' || tokens[k - 1].value === '?.')));
}

/** The name `export(…)` runs under: `export` is a reserved word, so no script can call a function by that name. */
export const EXPORT_ALIAS = 'exportList';

/**
 * The shell's one piece of syntax of its own: `export(list, file)` calls
 * exportList (lib/shell/export.ts). `export` followed by `(` is a syntax
 * error in every JavaScript script, so the rewrite never changes the meaning
 * of valid code; strings, comments and `x.export(` are left alone.
 */
export function shellSyntax(code: string): string {
  if (!code.includes('export')) return code;
  const tokens = tokenize(code);
  let out = code;
  for (let k = tokens.length - 1; k >= 0; k--) {
    const t = tokens[k];
    if (t.type !== 'ident' || t.value !== 'export' || t.start === undefined) continue;
    const prev = tokens[k - 1];
    if (prev && prev.type === 'punct' && (prev.value === '.' || prev.value === '?.')) continue;
    const next = tokens[k + 1];
    if (!next || next.type !== 'punct' || next.value !== '(') continue;
    out = `${out.slice(0, t.start)}${EXPORT_ALIAS}${out.slice(t.start + t.value.length)}`;
  }
  return out;
}

/**
 * `await clients.get(3)` typed at the prompt is the call alone: the shell
 * awaits every result, and a line with top-level await would run in Node's
 * own way, holding keys back (so a call could not ask y/N). Only a call chain
 * after one leading `await` (`await a.b(…)[0].c(…)`, a `;` at the end at most)
 * loses it; anything else is left as written.
 */
export function withoutLeadingAwait(code: string): string {
  if (!/^\s*await\b/.test(code)) return code;
  const tokens = tokenize(code);
  const first = tokens[0];
  // passwordPrompt() stays refused when awaited at the prompt: its answer is never a result to print.
  if (first?.type !== 'ident' || first.value !== 'await' || first.start === undefined || tokens[1]?.type !== 'ident' || tokens[1].value === 'passwordPrompt') return code;
  let k = 2;
  const close: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  while (k < tokens.length) {
    const t = tokens[k];
    if (t.type === 'punct' && (t.value === '.' || t.value === '?.') && tokens[k + 1]?.type === 'ident') k += 2;
    else if (t.type === 'punct' && (t.value === '(' || t.value === '[')) {
      const depth: string[] = [];
      do {
        const u = tokens[k];
        if (u.type === 'punct' && close[u.value]) depth.push(close[u.value]);
        else if (u.type === 'punct' && u.value === depth[depth.length - 1]) depth.pop();
        else if (u.type === 'ident' && u.value === 'await') return code;
        k++;
      } while (depth.length && k < tokens.length);
      if (depth.length) return code;
    } else if (t.type === 'punct' && t.value === ';' && k === tokens.length - 1) k++;
    else return code;
  }
  return code.slice(0, first.start) + code.slice(first.start + 'await'.length);
}
