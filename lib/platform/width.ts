/**
 * How wide text is on a terminal, in columns: the one rule every measure of
 * the shell uses (tables, records, cuts with `…`, wrapped lines, help). It is
 * columnify's own rule (wcwidth): a combining accent (`e` + U+0301) takes no
 * column, a Chinese or Japanese character (`山田`) takes two. Text is measured
 * after it was made visible (lib/platform/text.ts): no control characters.
 */
import { createRequire } from 'node:module';
import type Wcwidth from 'wcwidth';

// Loaded the first time non-ASCII text is measured, not when the shell starts.
let wcwidthModule: typeof Wcwidth | undefined;
const wcwidth = (text: string): number => (wcwidthModule ??= createRequire(import.meta.url)('wcwidth') as typeof Wcwidth)(text);

const ASCII_PRINTABLE = /^[\x20-\x7e]*$/;

/** Columns `text` takes on a terminal. */
export function textWidth(text: string): number {
  // Plain ASCII (most of what the shell prints) is one column a character: no table walk.
  if (ASCII_PRINTABLE.test(text)) return text.length;
  // The shell's own colours (SGR) take no column.
  // eslint-disable-next-line no-control-regex
  const shown = text.includes('\x1b') ? text.replace(/\x1b\[[0-9;]*m/g, '') : text;
  return Math.max(0, wcwidth(shown));
}

/** `text` padded with spaces to `width` columns (at the start when `right`). */
export function padToWidth(text: string, width: number, right = false): string {
  const fill = ' '.repeat(Math.max(0, width - textWidth(text)));
  return right ? fill + text : text + fill;
}

/**
 * The characters of `text` as a terminal places them: each with the zero-width
 * marks that follow it (a combining accent stays on its letter when cut).
 */
function clusters(text: string): string[] {
  const out: string[] = [];
  for (const ch of text) {
    if (out.length > 0 && textWidth(ch) === 0) out[out.length - 1] += ch;
    else out.push(ch);
  }
  return out;
}

/** At most `width` columns of `text`: cut with `…` when longer (never in a character or before its accent). */
export function cutToWidth(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  let kept = '';
  let used = 0;
  for (const c of clusters(text)) {
    const w = textWidth(c);
    if (used + w > width - 1) break;
    kept += c;
    used += w;
  }
  return `${kept.trimEnd()}…`;
}

/**
 * Lines of at most `width` columns, broken between words; a word wider than
 * the line (a long email, a URL) is the only thing ever cut in its middle.
 */
export function wrapToWidth(text: string, width: number): string[] {
  const out: string[] = [];
  const room = Math.max(1, width);
  for (const source of text.split('\n')) {
    let line = '';
    let lineWidth = 0;
    for (const word of source.split(/(?<=\s)(?=\S)/)) {
      const bare = word.trimEnd();
      const w = textWidth(bare);
      if (lineWidth > 0 && lineWidth + w > room) {
        out.push(line.trimEnd());
        line = '';
        lineWidth = 0;
      }
      if (lineWidth + w > room) {
        // One word wider than the line: cut it where the line ends, the rest on the next lines.
        let rest = clusters(bare);
        while (rest.length > 0 && lineWidth + textWidth(rest.join('')) > room) {
          let take = 0;
          let used = lineWidth;
          while (take < rest.length && used + textWidth(rest[take]) <= room) used += textWidth(rest[take++]);
          if (take === 0) take = 1;
          out.push(line + rest.slice(0, take).join(''));
          rest = rest.slice(take);
          line = '';
          lineWidth = 0;
        }
        line += rest.join('') + word.slice(bare.length);
        lineWidth += textWidth(rest.join('')) + (word.length - bare.length);
        continue;
      }
      line += word;
      lineWidth += textWidth(word);
    }
    out.push(line.trimEnd());
  }
  return out;
}

/** `text` cut to `width` columns at a word (with `…`), or where the line ends when no word break is near. */
export function cutAtWord(text: string, width: number): string {
  if (textWidth(text) <= width) return text;
  const cut = cutToWidth(text, width);
  const body = cut.slice(0, -1);
  const space = body.lastIndexOf(' ');
  return space > 0 && textWidth(body.slice(0, space)) > width / 2 ? `${body.slice(0, space).trimEnd()}…` : cut;
}

/**
 * Prose and listings (help, greetings, notices) made to fit `width` columns:
 * a longer line wraps between words, its next lines indented under where its
 * text starts (after a name column: `  find(text)   description…`).
 */
export function fitText(text: string, width: number | undefined): string {
  if (!width) return text;
  return text.split('\n').flatMap((line) => {
    if (textWidth(line) <= width) return [line];
    const leading = /^\s*/.exec(line)![0];
    const column = /^(\s*\S+(?: \S+)*?\s{2,})\S/.exec(line)?.[1] ?? leading;
    const hang = textWidth(column) <= width / 2 ? column : leading;
    const indent = ' '.repeat(textWidth(hang));
    const [head, ...rest] = wrapToWidth(line.slice(hang.length), Math.max(1, width - indent.length));
    return [hang + head, ...rest.map((l) => indent + l)];
  }).join('\n');
}
