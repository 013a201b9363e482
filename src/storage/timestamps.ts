// Timestamps as text for the database, as Date.prototype.toISOString writes them.
//
// Every write carries several (a refresh token rotation six: when, and until when, for each row).
// toISOString formats them through printf: about 5,000 instructions each, measured with callgrind,
// a sixth of what a refresh costs the event loop. Here the date part, which changes once a day, is
// made once per day and kept, and the time of day is put together from integers.

const DAY_MS = 86_400_000;
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** "YYYY-MM-DDT" by day since 1970: the few days in use (today, the expiry days of lifetimes). */
const dateTexts = new Map<number, string>();
const MAX_DATE_TEXTS = 64;

/**
 * toISOString's text ("2026-11-30T13:16:00.123Z"), with `zone` written in place of its "Z". Like
 * toISOString it throws a RangeError for an invalid date.
 */
export function utcTimestamp(date: Date, zone = 'Z'): string {
  const time = date.getTime();
  const day = Math.floor(time / DAY_MS);
  let dateText = dateTexts.get(day);
  if (dateText === undefined) {
    const iso = date.toISOString();
    // Years outside 0000-9999 are written with six digits and a sign: left to toISOString.
    if (iso.length !== 24) return `${iso.slice(0, -1)}${zone}`;
    dateText = iso.slice(0, 11);
    if (dateTexts.size >= MAX_DATE_TEXTS) dateTexts.clear();
    dateTexts.set(day, dateText);
  }
  let rest = time - day * DAY_MS;
  const milliseconds = rest % 1000;
  rest = (rest - milliseconds) / 1000;
  const seconds = rest % 60;
  rest = (rest - seconds) / 60;
  const minutes = rest % 60;
  const hours = (rest - minutes) / 60;
  return `${dateText}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[milliseconds]}${zone}`;
}
