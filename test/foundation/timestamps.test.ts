import { describe, expect, it } from 'vitest';
import { utcTimestamp } from '../../src/storage/timestamps.js';

// Timestamps are written to both databases as toISOString writes them (src/storage/timestamps.ts
// puts them together itself, for speed): any difference would change what Prisma reads back.

describe('timestamps written to the database', () => {
  it('are toISOString’s text, to the millisecond, across days, years and the ends of its format', () => {
    const DAY = 86_400_000;
    const times = [
      0,
      -1,
      1,
      DAY - 1,
      DAY,
      Date.UTC(2026, 1, 28, 23, 59, 59, 999),
      Date.UTC(2028, 1, 29, 12, 0, 0, 5),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(10000, 0, 1),
      Date.UTC(0, 0, 1) - 1, // the last millisecond of year -1
      -62_167_219_200_000, // 0000-01-01T00:00:00.000Z
      8.64e15,
      -8.64e15,
    ];
    for (let i = 0; i < 20_000; i++) times.push(Math.round((Math.random() * 2 - 1) * 8.64e15));
    // Many times of a few days (the cache of date texts), and a day seen again after it was cleared.
    for (let i = 0; i < 5_000; i++) times.push(Date.now() + Math.round(Math.random() * 200 * DAY));
    for (const time of times) {
      const date = new Date(time);
      expect(utcTimestamp(date), String(time)).toBe(date.toISOString());
      expect(utcTimestamp(date, '+00:00'), String(time)).toBe(date.toISOString().replace('Z', '+00:00'));
    }
  });

  it('refuse an invalid date as toISOString does', () => {
    expect(() => utcTimestamp(new Date(Number.NaN))).toThrow(RangeError);
  });
});
