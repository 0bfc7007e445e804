/**
 * Terminal escape sequences a hostile value could carry (spec/shell/output,
 * spec/e2e/terminal): none may reach a terminal raw.
 */
export const ESCAPE_CORPUS: ReadonlyArray<readonly [string, string]> = [
  ['CSI clear screen and home', '\x1b[2J\x1b[H'],
  ['CSI colour (a fake red line)', '\x1b[31mFAKE: contract 2 paid in full\x1b[0m'],
  ['CSI cursor up and erase line', '\x1b[1A\x1b[2K'],
  ['OSC 0 window title (BEL)', '\x1b]0;PWNED\x07'],
  ['OSC 52 clipboard write', '\x1b]52;c;ZWNobyBoaQ==\x07'],
  ['OSC 8 hyperlink (ST)', '\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\'],
  ['DCS request (ST)', '\x1bP+q544e\x1b\\'],
  ['C1 CSI', '\u009b2J'],
  ['C1 OSC', '\u009d0;PWNED\u009c'],
  ['RLO bidi override', 'invoice\u202egpj.exe'],
  ['LRI/PDI isolates', '\u2066x\u2069'],
  ['backspace and carriage return overwrite', 'paid\x08\x08\x08\x08unpaid\rOK'],
  ['DEL', 'a\x7fb'],
  ['BEL', 'ring\x07'],
];

/** Every hostile piece glued together. */
export const HOSTILE_TEXT = ESCAPE_CORPUS.map(([, s]) => s).join(' ');

/** The raw characters that must never reach a terminal from data. */
// eslint-disable-next-line no-control-regex
export const RAW_UNSAFE = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
