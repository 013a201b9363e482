import type { SqlValue } from './sql.js';
import { utcTimestamp } from './timestamps.js';

// Values as they go to PostgreSQL: timestamps as UTC text, and arrays (the batched statements'
// parameters, one per column) as array literals made here rather than by pg. pg's own
// (pg/lib/utils.js arrayString) runs two regular-expression replacements on every element; these
// elements are hashes, ids, scopes and timestamps, which never hold a quote or a backslash, so a
// search for those two characters is enough. The text is pg's, character for character
// (test/foundation/postgres-values.test.ts): measured on a code exchange (callgrind), pg's
// replacements cost 18,000 of its 448,000 instructions.

export type PostgresValue = string | number | boolean | null;

/** Timestamps as UTC text: a "timestamp without time zone" column takes the wall time and drops the zone. */
export function postgresValue(value: SqlValue | readonly SqlValue[]): PostgresValue {
  if (Array.isArray(value)) return postgresArray(value);
  return value instanceof Date ? utcTimestamp(value) : (value as Exclude<SqlValue, Date>);
}

/** A one-dimensional array literal, as pg writes it: every element quoted, NULL bare. */
export function postgresArray(values: readonly SqlValue[]): string {
  let text = '{';
  for (let i = 0; i < values.length; i++) {
    if (i > 0) text += ',';
    const value = values[i];
    if (value === null || value === undefined) {
      text += 'NULL';
      continue;
    }
    const element = value instanceof Date ? utcTimestamp(value) : String(value);
    text +=
      element.includes('\\') || element.includes('"')
        ? `"${element.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
        : `"${element}"`;
  }
  return `${text}}`;
}
