/**
 * Phone numbers read with libphonenumber-js (loaded at the first number,
 * not at start-up): kept as typed, and in E.164 (`+33601020304`) beside
 * them for matching, so that `06 01 02 03 04` and `+33 6 01 02 03 04` are
 * one number. A number without a country code is read in the default
 * region: the `phoneRegion` setting, else the locale's (LC_ALL, LC_MESSAGES,
 * LANG: `fr_FR.UTF-8` → FR), else FR.
 */
import { createRequire } from 'node:module';
import type * as Lib from 'libphonenumber-js';

type Phones = typeof Lib;
let lib: Phones | undefined;
const phones = (): Phones => (lib ??= createRequire(import.meta.url)('libphonenumber-js') as Phones);

/** The region the locale names, else FR. */
export function localeRegion(env: NodeJS.ProcessEnv = process.env): string {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  const region = /^[a-z]{2,3}[_-]([A-Z]{2})\b/.exec(locale)?.[1];
  return region && phones().isSupportedCountry(region) ? region : 'FR';
}

let chosen: string | undefined;

/** The default region: the setting (undefined or 'auto': the locale's). */
export function setPhoneRegion(region: string | undefined): void {
  chosen = region === undefined || region === 'auto' ? undefined : region;
}

export function phoneRegion(): string {
  return chosen ?? localeRegion();
}

/** Whether libphonenumber knows the region (a two-letter code such as 'FR'). */
export function isPhoneRegion(region: string): boolean {
  return /^[A-Z]{2}$/.test(region) && phones().isSupportedCountry(region);
}

/** Every country calling code (1 to 3 digits), the non-geographic ones included. */
let callingCodes: Set<string> | undefined;
function knownCallingCodes(): Set<string> {
  if (callingCodes) return callingCodes;
  const p = phones();
  const codes = new Set(p.getCountries().map((c) => p.getCountryCallingCode(c) as string));
  for (const code of ['800', '808', '870', '878', '881', '882', '883', '888', '979']) codes.add(code);
  return (callingCodes = codes);
}

/**
 * Why a number cannot be a phone of any region (a country code no country
 * has, or too many digits for E.164), or undefined. Lengths within a
 * country are not judged: numbering plans change faster than metadata.
 */
export function phoneProblem(text: string): string | undefined {
  const international = /^\s*(\+|00)/.test(text);
  if (!international) return undefined;
  const digits = text.replace(/\D/g, '').replace(/^00/, '');
  const codes = knownCallingCodes();
  if (![1, 2, 3].some((n) => codes.has(digits.slice(0, n)))) return `+${digits.slice(0, 3)}… is no country's code`;
  if (digits.length > 15) return 'an international number has at most 15 digits';
  return undefined;
}

/**
 * The number in E.164 for matching, or null when it cannot be read as one.
 * An international form is its digits (no library call: an import reads a
 * hundred thousand of them); a national one is read in the region.
 */
export function phoneE164(text: string | null | undefined, region = phoneRegion()): string | null {
  if (!text) return null;
  if (/^\s*(\+|00)[\d ().-]+$/.test(text) && !text.includes('(0)')) {
    const digits = text.replace(/\D/g, '').replace(/^00/, '');
    return digits.length >= 2 && digits.length <= 15 ? `+${digits}` : null;
  }
  try {
    const n = phones().parsePhoneNumberWithError(text, region as Lib.CountryCode);
    return n.number.length <= 16 ? n.number : null;
  } catch {
    return null;
  }
}
