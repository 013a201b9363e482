import { describe, expect, it } from 'vitest';
import type { Table } from '../../src/storage/sql.js';
import { suiteDatabase } from '../helpers/suite-database.js';

// The hand-written SQL's writes of one turn of the event loop share one transaction (SQLite's
// thread) or one statement (PostgreSQL's batched inserts). A write that fails for its own sake (here a
// duplicate key) must fail alone: its neighbours in the batch commit, and what it did before failing
// is undone (src/storage/sqlite-thread.ts, src/storage/tick-batch.ts).

const THROTTLE: Table = {
  name: '"Throttle"',
  columns: ['"key"', '"failures"', '"windowStart"'],
  types: ['text', 'integer', 'timestamp(3)'],
};
const insertText = 'INSERT INTO "Throttle" ("key", "failures", "windowStart") VALUES (?, ?, ?)';

describe('writes batched together', () => {
  const suite = suiteDatabase({ migrated: true });

  const failuresOf = async (key: string) =>
    (await suite.db.sql.get<{ failures: number }>('SELECT "failures" FROM "Throttle" WHERE "key" = ?', [key]))
      ?.failures;

  it('fail one at a time: a failing write is undone whole and its neighbours commit', async () => {
    const now = new Date();
    await suite.db.sql.insert([{ table: THROTTLE, values: ['seed', 1, now] }]);

    // All in one turn: one batch.
    const sql = suite.db.sql;
    const outcomes = await Promise.allSettled([
      sql.transaction([{ text: insertText, values: ['first', 1, now] }]),
      // Changes "seed", then fails on a key the write above takes: the change must not stay.
      sql.transaction([
        { text: 'UPDATE "Throttle" SET "failures" = 99 WHERE "key" = ?', values: ['seed'] },
        { text: insertText, values: ['first', 2, now] },
      ]),
      sql.insert([{ table: THROTTLE, values: ['twice', 1, now] }]),
      sql.insert([{ table: THROTTLE, values: ['twice', 2, now] }]),
      // Guarded writes (SQLite's token exchanges; PostgreSQL has one statement for them).
      ...(sql.kind === 'sqlite'
        ? [
            sql.guarded([
              { text: 'UPDATE "Throttle" SET "failures" = "failures" + 1 WHERE "key" = ?', values: ['seed'] },
              { text: insertText, values: ['second', 1, now] },
            ]),
            // One whose first statement changes nothing does nothing, and is no failure.
            sql.guarded([
              { text: 'UPDATE "Throttle" SET "failures" = 0 WHERE "key" = ?', values: ['nobody'] },
              { text: insertText, values: ['never', 1, now] },
            ]),
          ]
        : []),
    ]);

    // Of two writes taking one key exactly one fails, whichever comes second: on SQLite the batch's
    // order; on PostgreSQL transactions run on connections of their own, and a failed batched
    // insert is retried one by one at once.
    const statuses = outcomes.slice(0, 4).map((o) => o.status);
    expect(statuses.filter((s, i) => i < 2 && s === 'rejected')).toHaveLength(1);
    expect(statuses.filter((s, i) => i >= 2 && s === 'rejected')).toHaveLength(1);
    if (sql.kind === 'sqlite') expect(statuses).toEqual(['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(String(failed?.reason)).toMatch(/UNIQUE|unique/);
    const updateWon = statuses[1] === 'fulfilled';
    // The failing write's change to "seed" is undone with it.
    const guardedChange = sql.kind === 'sqlite' ? 1 : 0;
    expect(await failuresOf('seed')).toBe((updateWon ? 99 : 1) + guardedChange);
    expect(await failuresOf('first')).toBe(updateWon ? 2 : 1);
    expect(await failuresOf('twice')).toBe(statuses[2] === 'fulfilled' ? 1 : 2);
    if (sql.kind === 'sqlite') {
      expect(outcomes.slice(4)).toEqual([
        { status: 'fulfilled', value: [1, 1] },
        { status: 'fulfilled', value: null },
      ]);
      expect(await failuresOf('second')).toBe(1);
      expect(await failuresOf('never')).toBeUndefined();
    }
  });

  it('commit every write of a batch without failures', async () => {
    const now = new Date();
    const keys = Array.from({ length: 200 }, (_, i) => `many-${i}`);
    await Promise.all(
      keys.map((key, i) => suite.db.sql.insert([{ table: THROTTLE, values: [key, i, now] }])),
    );
    const rows = await suite.db.sql.all<{ key: string; failures: number }>(
      'SELECT "key", "failures" FROM "Throttle" WHERE "key" LIKE ? ORDER BY "failures"',
      ['many-%'],
    );
    expect(rows.map((row) => row.key)).toEqual(keys);
  });
});
