/**
 * Characters that can drive a terminal or disguise text: C0 controls, DEL, C1
 * controls (U+0080–U+009F: a lone U+009B is a CSI on many terminals), the
 * bidirectional controls (U+202A–U+202E, U+2066–U+2069, LRM/RLM/ALM) and the
 * line and paragraph separators. Single-line fields refuse them; output shows
 * them as escapes.
 */
// eslint-disable-next-line no-control-regex
const UNSAFE_SOURCE = '[\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]';
const UNSAFE = new RegExp(UNSAFE_SOURCE);
const UNSAFE_ALL = new RegExp(UNSAFE_SOURCE, 'g');

const NAMED: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r' };

export function hasUnsafeCharacters(text: string): boolean {
  return UNSAFE.test(text);
}

/** One unsafe character as the escape a person can read: `\x1b`, `\u202e`, `\t`. */
function escapeOf(ch: string): string {
  if (NAMED[ch]) return NAMED[ch];
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Text made safe for a terminal: every unsafe character shown as its escape,
 * except those in `keep` (line breaks in a record's notes, say; a CR before
 * a kept LF goes with it).
 */
export function visible(text: string, keep = ''): string {
  if (!UNSAFE.test(text)) return text;
  const keepLf = keep.includes('\n');
  return text.replace(UNSAFE_ALL, (ch, offset: number, whole: string) => {
    if (keep.includes(ch)) return ch;
    if (ch === '\r' && keepLf && whole[offset + 1] === '\n') return '';
    return escapeOf(ch);
  });
}
