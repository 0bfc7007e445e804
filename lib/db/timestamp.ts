/**
 * timestamptz as PostgreSQL prints it (DateStyle ISO), read into a Date
 * without pg's regular expression: `2026-06-04 13:00:00.123456+00` (an
 * offset of hours, or hours and minutes: `+05:30`) is read digit by digit,
 * allocating nothing but the Date. Anything else (BC, years past 9999, offsets
 * with seconds, `infinity`) goes to pg's parser. A list of a million contracts
 * reads three million of these; pg's parser allocated a match and eight
 * strings for each.
 */
export function timestampReader(fallback: (text: string) => unknown): (text: string) => unknown {
  return (text: string) => {
    const n = text.length;
    // YYYY-MM-DD HH:MM:SS[.f…]±HH[:MM]
    if (n < 22 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 32 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) {
      return fallback(text);
    }
    let zone = n - 3; // ±HH
    if (!isSign(text.charCodeAt(zone))) {
      zone = n - 6; // ±HH:MM
      if (!isSign(text.charCodeAt(zone)) || text.charCodeAt(n - 3) !== 58) return fallback(text);
    }
    const digits = (from: number, to: number): number => {
      let v = 0;
      for (let i = from; i < to; i++) {
        const d = text.charCodeAt(i) - 48;
        if (d < 0 || d > 9) return NaN;
        v = v * 10 + d;
      }
      return v;
    };
    let ms = 0;
    if (zone > 19) {
      if (text.charCodeAt(19) !== 46) return fallback(text);
      // Milliseconds: the first three digits of the fraction, as Date keeps them.
      const end = Math.min(zone, 23);
      ms = digits(20, end) * 10 ** (23 - end);
    } else if (zone !== 19) {
      return fallback(text);
    }
    const year = digits(0, 4);
    // Date.UTC reads years 0–99 as 1900–1999: those go to pg's parser.
    if (!(year >= 100)) return fallback(text);
    const offsetMinutes = digits(zone + 1, zone + 3) * 60 + (n - zone === 6 ? digits(zone + 4, zone + 6) : 0);
    const utc = Date.UTC(year, digits(5, 7) - 1, digits(8, 10), digits(11, 13), digits(14, 16), digits(17, 19), ms);
    const time = utc - (text.charCodeAt(zone) === 45 ? -offsetMinutes : offsetMinutes) * 60_000;
    return Number.isNaN(time) ? fallback(text) : new Date(time);
  };
}

const isSign = (c: number) => c === 43 || c === 45;

/**
 * A timestamptz's text at offset +00 as ISO 8601 in UTC with milliseconds,
 * exactly what `toISOString()` of its Date prints, without making the Date
 * (an export writes three a row); undefined for any other form.
 */
export function isoFromTimestampText(text: string): string | undefined {
  const n = text.length;
  if (n < 22 || text.charCodeAt(n - 3) !== 43 || text.charCodeAt(n - 2) !== 48 || text.charCodeAt(n - 1) !== 48) return undefined;
  if (text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 32 || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined;
  if (text.charCodeAt(0) === 48) return undefined; // years before 1000: the Date way
  let fraction = '000';
  if (n > 22) {
    if (text.charCodeAt(19) !== 46) return undefined;
    fraction = `${text.slice(20, Math.min(n - 3, 23))}00`.slice(0, 3);
  }
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${fraction}Z`;
}
