import pg from 'pg';
import { postgresValue } from './postgres-values.js';
import { sqliteReadNow } from './sqlite-read-now.js';
import { type RawValue, SqliteThread } from './sqlite-thread.js';
import { tickBatch } from './tick-batch.js';
import { utcTimestamp } from './timestamps.js';

// Hand-written SQL for the hot paths (token issuance, bearer checks, introspection), beside Prisma.
// A Prisma query costs a few hundred microseconds of CPU whatever the database does
// (ENVIRONMENT.md); a prepared better-sqlite3 point read costs a few microseconds, a pg query one
// round trip. Statements are written once with `?` placeholders and the quoted table and column
// names of the Prisma schema, and read and write values exactly as Prisma's adapters do, so rows
// written by either side read the same through the other.

export type SqlValue = string | number | boolean | Date | null;
export type Row = Record<string, unknown>;

export interface Statement {
  text: string;
  values: readonly SqlValue[];
}

/**
 * A lookup by one key column. PostgreSQL runs the lookups of one turn of the event loop as one
 * statement (`key = ANY(...)`); SQLite runs each at once, on the event loop's own connection.
 */
export interface KeyedQuery {
  /** The column list, e.g. `t."scope", g."revokedAt" AS "grantRevokedAt"`. */
  select: string;
  /** The FROM clause with its joins, e.g. `"AccessToken" t LEFT JOIN "Grant" g ON ...`. */
  from: string;
  /** The key column, e.g. `t."tokenHash"` (text). */
  key: string;
  /** For allBy: the order of the rows of one key. */
  orderBy?: string;
}

/** A table's columns, with their PostgreSQL types for batched inserts. */
export interface Table {
  name: string;
  columns: readonly string[];
  types: readonly string[];
}

export interface NewRow {
  table: Table;
  values: readonly SqlValue[];
}

interface SqlBase {
  getBy<T = Row>(query: KeyedQuery, key: string): Promise<T | undefined>;
  allBy<T = Row>(query: KeyedQuery, key: string): Promise<T[]>;
  /** Inserts rows in one transaction. PostgreSQL inserts the rows of one turn as one statement. */
  insert(rows: readonly NewRow[]): Promise<void>;
  all<T = Row>(text: string, values?: readonly SqlValue[]): Promise<T[]>;
  get<T = Row>(text: string, values?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs a data-changing statement; the number of rows it changed. */
  run(text: string, values?: readonly SqlValue[]): Promise<number>;
  /** Statements in one transaction, all or none; the rows each changed. */
  transaction(statements: readonly Statement[]): Promise<number[]>;
  close(): Promise<void>;
}

export interface SqliteSql extends SqlBase {
  readonly kind: 'sqlite';
  /**
   * Statements in one transaction where the first must change exactly one row, or nothing else runs
   * and the result is null (e.g. store a refresh token's successors only if it was not retired yet).
   */
  guarded(statements: readonly Statement[]): Promise<number[] | null>;
  /**
   * A tiny read (no values) on the event loop's own read-only connection, instead of a trip to the
   * thread and back (sqlite-read-now.ts). Throws when it cannot read now: ask `get` instead.
   */
  getNow<T = Row>(text: string): T | undefined;
}

export interface PostgresSql extends SqlBase {
  readonly kind: 'postgresql';
}

export type Sql = SqliteSql | PostgresSql;

/** A DateTime column's value as a Date: ISO-8601 text (SQLite) or timestamp text (PostgreSQL, UTC). */
export function asDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value);
  const text = String(value);
  // "2026-01-01 10:00:00.123" (PostgreSQL timestamp, SQLite CURRENT_TIMESTAMP) is UTC without a zone.
  return new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(text) ? text : `${text.replace(' ', 'T')}Z`);
}

export function asDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : asDate(value);
}

/** A read made now, or, if it cannot be made now (a lock, a file not there yet), by `fallback`. */
function readAtOnce<T>(read: () => T, fallback: () => Promise<T>): Promise<T> {
  let value: T;
  try {
    value = read();
  } catch {
    return fallback();
  }
  return Promise.resolve(value);
}

/** A Boolean column: SQLite stores 0 or 1. */
export function asBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === 1n;
}

// ---------------------------------------------------------------------------------------------
// SQLite: a thread of its own with its own connection to the same file (sqlite-thread.ts).

export function sqliteSql(path: string): SqliteSql {
  const thread = new SqliteThread(path);
  const readNow = sqliteReadNow(path);
  const raw = (text: string, values: readonly SqlValue[]) => ({ text, values: values.map(sqliteValue) });
  const write = (batch: readonly Statement[], guarded: boolean) =>
    thread.write({ statements: batch.map((s) => raw(s.text, s.values)), guarded });

  return {
    kind: 'sqlite',
    // Point lookups on the event loop's own connection; the thread when it cannot read now.
    getBy: <T>(query: KeyedQuery, key: string) => {
      const text = keyedText(query).one;
      return readAtOnce(
        () => readNow.get<T>(text, [key]),
        () => thread.get<T>(raw(text, [key])),
      );
    },
    allBy: <T>(query: KeyedQuery, key: string) => {
      const text = keyedText(query).one;
      return readAtOnce(
        () => readNow.all<T>(text, [key]),
        () => thread.all<T>(raw(text, [key])),
      );
    },
    insert: async (rows) => {
      await write(
        rows.map((row) => ({ text: insertText(row.table), values: row.values })),
        false,
      );
    },
    all: <T>(text: string, values: readonly SqlValue[] = []) => thread.all<T>(raw(text, values)),
    get: <T>(text: string, values: readonly SqlValue[] = []) => thread.get<T>(raw(text, values)),
    run: async (text, values = []) => (await write([{ text, values }], false))?.[0] ?? 0,
    transaction: async (batch) => (await write(batch, false)) ?? [],
    guarded: (batch) => write(batch, true),
    getNow: <T>(text: string) => readNow.get<T>(text),
    close: () => {
      readNow.close();
      return thread.close();
    },
  };
}

const keyedTexts = new WeakMap<KeyedQuery, { one: string; many: string }>();

/** The statement for one key, and the batched one (PostgreSQL) that returns the key as "batchKey". */
function keyedText(query: KeyedQuery): { one: string; many: string } {
  let texts = keyedTexts.get(query);
  if (!texts) {
    const order = query.orderBy ? ` ORDER BY ${query.orderBy}` : '';
    texts = {
      one: `SELECT ${query.select} FROM ${query.from} WHERE ${query.key} = ?${order}`,
      many:
        `SELECT ${query.key} AS "batchKey", ${query.select} FROM ${query.from} ` +
        `WHERE ${query.key} = ANY(?::text[])${query.orderBy ? ` ORDER BY "batchKey", ${query.orderBy}` : ''}`,
    };
    keyedTexts.set(query, texts);
  }
  return texts;
}

const insertTexts = new WeakMap<Table, string>();

/** The INSERT statement of a table, written once per table (every issued token writes one or two). */
export function insertText(table: Table): string {
  let text = insertTexts.get(table);
  if (text === undefined) {
    text = `INSERT INTO ${table.name} (${table.columns.join(', ')}) VALUES (${table.columns.map(() => '?').join(', ')})`;
    insertTexts.set(table, text);
  }
  return text;
}

/** As @prisma/adapter-better-sqlite3 writes them: ISO-8601 with "+00:00", booleans as 0/1. */
function sqliteValue(value: SqlValue): RawValue {
  if (value instanceof Date) return utcTimestamp(value, '+00:00');
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL: the pool Prisma's adapter uses too, so the pool size bounds both.

const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;
/** Timestamps as text (read as UTC by asDate, as Prisma does): pg's default reads them as local time. */
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMP || oid === TIMESTAMPTZ
      ? (text: string) => text
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

export function postgresSql(pool: pg.Pool): PostgresSql {
  // Named prepared statements: each connection parses and plans a statement once.
  const names = new Map<string, { name: string; text: string }>();
  const prepared = (text: string) => {
    let entry = names.get(text);
    if (!entry) {
      let n = 0;
      entry = { name: `appointman_${names.size}`, text: text.replace(/\?/g, () => `$${++n}`) };
      names.set(text, entry);
    }
    return entry;
  };
  const query = (
    client: pg.Pool | pg.PoolClient,
    text: string,
    values: readonly (SqlValue | SqlValue[])[],
  ) => {
    const { name, text: sql } = prepared(text);
    return client.query({ name, text: sql, values: values.map(postgresValue), types: pgTypes });
  };

  // One batcher per keyed query: the lookups of a turn become one `= ANY(...)` statement.
  const lookups = new WeakMap<KeyedQuery, (key: string) => Promise<Row[]>>();
  const lookup = (keyed: KeyedQuery) => {
    let batched = lookups.get(keyed);
    if (!batched) {
      const { one, many } = keyedText(keyed);
      batched = tickBatch<string, Row[]>({
        runOne: async (key) => (await query(pool, one, [key])).rows,
        runMany: async (keys) => {
          const rows = (await query(pool, many, [[...new Set(keys)]])).rows as Row[];
          const byKey = new Map<unknown, Row[]>();
          for (const { batchKey, ...row } of rows) {
            const list = byKey.get(batchKey);
            if (list) list.push(row);
            else byKey.set(batchKey, [row]);
          }
          return keys.map((key) => byKey.get(key) ?? []);
        },
      });
      lookups.set(keyed, batched);
    }
    return batched;
  };
  // The inserts of a turn: one statement, so one round trip and one commit (group commit).
  const insertBatch = tickBatch<readonly NewRow[], void>({
    runOne: async (rows) => {
      const { text, values } = batchedInsert([rows]);
      await query(pool, text, values);
    },
    runMany: async (calls) => {
      const { text, values } = batchedInsert(calls);
      await query(pool, text, values);
      return calls.map(() => undefined);
    },
  });

  return {
    kind: 'postgresql',
    getBy: async <T>(keyed: KeyedQuery, key: string) => (await lookup(keyed)(key))[0] as T | undefined,
    allBy: async <T>(keyed: KeyedQuery, key: string) => (await lookup(keyed)(key)) as T[],
    insert: (rows) => insertBatch(rows),
    all: async <T>(text: string, values: readonly SqlValue[] = []) =>
      (await query(pool, text, values)).rows as T[],
    get: async <T>(text: string, values: readonly SqlValue[] = []) =>
      (await query(pool, text, values)).rows[0] as T | undefined,
    run: async (text, values = []) => (await query(pool, text, values)).rowCount ?? 0,
    transaction: async (batch) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const counts: number[] = [];
        for (const s of batch) counts.push((await query(client, s.text, s.values)).rowCount ?? 0);
        await client.query('COMMIT');
        client.release();
        return counts;
      } catch (error) {
        // A connection that cannot even roll back is broken: it leaves the pool.
        const broken = await client.query('ROLLBACK').then(
          () => false,
          () => true,
        );
        client.release(broken);
        throw error;
      }
    },
    close: async () => {},
  };
}

/**
 * The rows of several calls as one statement: one `INSERT ... SELECT * FROM unnest(<one array per
 * column>)` per table, chained as data-modifying CTEs, so all commit together or not at all.
 */
function batchedInsert(calls: readonly (readonly NewRow[])[]): { text: string; values: SqlValue[][] } {
  const tables = new Map<Table, SqlValue[][]>();
  for (const rows of calls) {
    for (const { table, values } of rows) {
      let columns = tables.get(table);
      if (!columns) {
        columns = table.columns.map(() => []);
        tables.set(table, columns);
      }
      for (const [i, value] of values.entries()) columns[i]?.push(value);
    }
  }
  const inserts = [...tables.keys()].map(
    (table) =>
      `INSERT INTO ${table.name} (${table.columns.join(', ')}) ` +
      `SELECT * FROM unnest(${table.types.map((type) => `?::${type}[]`).join(', ')})`,
  );
  const last = inserts.pop() ?? '';
  const text = inserts.length
    ? `WITH ${inserts.map((insert, i) => `insert_${i} AS (${insert})`).join(', ')} ${last}`
    : last;
  return { text, values: [...tables.values()].flat() };
}
