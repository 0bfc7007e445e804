/**
 * A corpus of hostile strings (≥ 200): SQL metacharacters, comment sequences,
 * stacked queries, placeholders, quoting tricks, unicode look-alikes and
 * controls, template and prototype keys, NUL, very long values — each base
 * payload also wrapped, doubled, upper-cased and URL-encoded.
 */
const BASE: string[] = [
  "'; DROP TABLE clients; --",
  "'; DROP TABLE users CASCADE; --",
  "'; TRUNCATE contracts; --",
  "1; DELETE FROM events",
  "' OR '1'='1",
  "' OR 1=1 --",
  '" OR ""="',
  "') OR ('a'='a",
  "admin'--",
  "' UNION SELECT password_hash FROM users --",
  "'||(select password_hash from users limit 1)||'",
  "'; select pg_sleep(5); --",
  "'; COPY users TO PROGRAM 'id'; --",
  "'; ALTER ROLE epic_app SUPERUSER; --",
  "'; SET ROLE epic_owner; --",
  "'; select set_config('role', 'epic_owner', false); --",
  '$1',
  '$2::text',
  '$$',
  '$tag$ select 1 $tag$',
  '\\',
  "\\'",
  "\\\\'; --",
  'E\'\\x27\'',
  '%',
  '_',
  '%_%',
  "%' --",
  '/* comment */',
  '*/ select 1 /*',
  '-- comment',
  '#',
  ';',
  ';;;',
  'abc\u0000def',
  '\u0000',
  'ʼ OR ʼ1ʼ=ʼ1', // modifier letter apostrophe
  '＇ OR ＇1＇=＇1', // fullwidth apostrophe
  'ｓｅｌｅｃｔ * ｆｒｏｍ users', // fullwidth letters
  'Ѕеlеct', // Cyrillic look-alikes
  '\u202eevil\u202c', // right-to-left override
  'zero\u200bwidth',
  'line\nbreak',
  'carriage\r\nreturn',
  'tab\tseparated',
  '\u0007bell',
  '🎉 Fête 👰‍♀️🤵',
  'مرحبا',
  '𝕊𝕢𝕝',
  '${7*7}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  'null',
  'undefined',
  'NaN',
  'true',
  '0',
  '-1',
  '1e309',
  '__proto__',
  'constructor',
  'prototype',
  '0x27',
  'char(39)',
  "x'; --@example.com",
  'a@b.c\'; --',
];

function variants(base: string): string[] {
  return [base, `x${base}x`, `${base} ${base}`, base.toUpperCase(), encodeURIComponent(base)];
}

export const HOSTILE_STRINGS: readonly string[] = [
  ...new Set([...BASE.flatMap(variants), 'x'.repeat(10 * 1024), '\''.repeat(5000), '🎉'.repeat(3000), 'a'.repeat(100 * 1024)]),
];
