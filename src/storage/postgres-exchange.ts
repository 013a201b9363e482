import type { PostgresSql, SqlValue, Table } from './sql.js';
import { tickBatch } from './tick-batch.js';

// Token exchanges on PostgreSQL (a code redeemed, a refresh token rotated), one statement for all
// the exchanges of one turn of the event loop: one round trip and one commit (one WAL flush) for
// many, as the inserts of client-credentials tokens already are (sql.ts). Each exchange still
// stores its tokens only if its own code or refresh token was unspent: the UPDATE spends what it
// can, and only the rows it returns have their tokens inserted (data-modifying CTEs, one snapshot,
// all or nothing).

/** One exchange: the hash spent, when, and the rows to insert (in the tables' column order). */
export interface ExchangeItem {
  spentHash: string;
  spentAt: Date;
  access: readonly SqlValue[];
  refresh: readonly SqlValue[] | null;
}

export interface SpendTarget {
  /** e.g. "AuthorizationCode" */
  table: string;
  /** The key column, e.g. "codeHash". */
  key: string;
  /** The column the spending sets, e.g. "consumedAt". */
  spentColumn: string;
}

export function postgresExchanges(
  sql: PostgresSql,
  target: SpendTarget,
  tables: { access: Table; refresh: Table },
): (item: ExchangeItem) => Promise<boolean> {
  const { access, refresh } = tables;
  const inputColumns = [
    '"spent"',
    '"spentAt"',
    ...access.columns.map((_, i) => `"a${i}"`),
    ...refresh.columns.map((_, i) => `"r${i}"`),
  ];
  const inputTypes = ['text', 'timestamp(3)', ...access.types, ...refresh.types];
  const text =
    `WITH input AS (SELECT * FROM unnest(${inputTypes.map((type) => `?::${type}[]`).join(', ')}) ` +
    `AS i(${inputColumns.join(', ')})), ` +
    `spent AS (UPDATE "${target.table}" t SET "${target.spentColumn}" = i."spentAt" FROM input i ` +
    `WHERE t."${target.key}" = i."spent" AND t."${target.spentColumn}" IS NULL RETURNING t."${target.key}" AS "hash"), ` +
    `access AS (INSERT INTO ${access.name} (${access.columns.join(', ')}) ` +
    `SELECT ${access.columns.map((_, i) => `i."a${i}"`).join(', ')} FROM input i JOIN spent s ON s."hash" = i."spent"), ` +
    `refresh AS (INSERT INTO ${refresh.name} (${refresh.columns.join(', ')}) ` +
    `SELECT ${refresh.columns.map((_, i) => `i."r${i}"`).join(', ')} FROM input i JOIN spent s ON s."hash" = i."spent" ` +
    'WHERE i."r0" IS NOT NULL) ' +
    'SELECT "hash" FROM spent';

  const run = async (items: readonly ExchangeItem[]): Promise<Set<string>> => {
    const columns: SqlValue[][] = inputColumns.map(() => []);
    for (const item of items) {
      const row = [
        item.spentHash,
        item.spentAt,
        ...item.access,
        ...(item.refresh ?? refresh.columns.map(() => null)),
      ];
      for (const [i, value] of row.entries()) columns[i]?.push(value);
    }
    const rows = await sql.all<{ hash: string }>(text, columns as unknown as SqlValue[]);
    return new Set(rows.map((row) => row.hash));
  };

  return tickBatch<ExchangeItem, boolean>({
    runOne: async (item) => (await run([item])).has(item.spentHash),
    runMany: async (items) => {
      // Two exchanges of one code or token in one turn: the first may win, the others lose at once
      // (of parallel exchanges exactly one succeeds; checklist C2, F4).
      const first = new Map<string, ExchangeItem>();
      for (const item of items) if (!first.has(item.spentHash)) first.set(item.spentHash, item);
      const spent = await run([...first.values()]);
      return items.map((item) => first.get(item.spentHash) === item && spent.has(item.spentHash));
    },
  });
}
