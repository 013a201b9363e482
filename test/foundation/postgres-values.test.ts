import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { postgresArray, postgresValue } from '../../src/storage/postgres-values.js';
import type { SqlValue } from '../../src/storage/sql.js';
import { TEST_DATABASE } from '../helpers/database.js';
import { suiteDatabase } from '../helpers/suite-database.js';

// The batched statements' array parameters are written as PostgreSQL array literals by
// src/storage/postgres-values.ts instead of by pg: the text must be pg's own, character for
// character, and PostgreSQL must read back exactly the values sent.

const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as {
  prepareValue(value: unknown): unknown;
};

const ALPHABET = [
  'a',
  'Z',
  '0',
  ' ',
  ',',
  '{',
  '}',
  '"',
  '\\',
  "'",
  '\t',
  '\n',
  'é',
  '€',
  '😀',
  'NULL',
  '-',
  '.',
  ':',
];

function randomText(): string {
  let text = '';
  const length = Math.floor(Math.random() * 12);
  for (let i = 0; i < length; i++) text += ALPHABET[Math.floor(Math.random() * ALPHABET.length)];
  return text;
}

function randomValue(): SqlValue {
  switch (Math.floor(Math.random() * 5)) {
    case 0:
      return null;
    case 1:
      return Math.floor(Math.random() * 1e6) - 5e5;
    case 2:
      return Math.random() < 0.5;
    default:
      return randomText();
  }
}

describe('PostgreSQL array literals', () => {
  it("are pg's own text for the same values", () => {
    const cases: SqlValue[][] = [
      [],
      [null],
      [''],
      ['"'],
      ['\\'],
      ['\\"'],
      ['NULL'],
      ['a,b', '{c}'],
      [0, -1, 2.5],
    ];
    for (let i = 0; i < 5_000; i++) {
      cases.push(Array.from({ length: Math.floor(Math.random() * 6) }, randomValue));
    }
    for (const values of cases)
      expect(postgresArray(values), JSON.stringify(values)).toBe(prepareValue(values));
  });

  it('write timestamps as UTC text, inside arrays as outside', () => {
    const date = new Date(Date.UTC(2026, 11, 1, 0, 30, 5, 7));
    expect(postgresValue(date)).toBe('2026-12-01T00:30:05.007Z');
    expect(postgresValue([date, null])).toBe('{"2026-12-01T00:30:05.007Z",NULL}');
    expect(postgresValue('plain')).toBe('plain');
  });
});

describe.skipIf(TEST_DATABASE !== 'postgresql')('PostgreSQL array literals, read by PostgreSQL', () => {
  const suite = suiteDatabase();

  it('give back exactly the text values sent, NULLs and all', async () => {
    const values: (string | null)[] = ['', '"', '\\', '\\"', 'NULL', 'a,b', '{c}', ' x ', 'é€😀', null];
    for (let i = 0; i < 200; i++) values.push(randomText());
    const rows = await suite.db.sql.all<{ value: string | null }>(
      'SELECT v AS "value" FROM unnest(?::text[]) WITH ORDINALITY AS t(v, n) ORDER BY n',
      [values as unknown as SqlValue],
    );
    expect(rows.map((row) => row.value)).toEqual(values);
  });
});
