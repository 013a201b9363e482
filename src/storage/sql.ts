import Database from 'better-sqlite3';
import pg from 'pg';
import { groupCommit, type Settled } from './group-commit.js';

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

interface SqlBase {
  all<T = Row>(text: string, values?: readonly SqlValue[]): Promise<T[]>;
  get<T = Row>(text: string, values?: readonly SqlValue[]): Promise<T | undefined>;
  /** Runs a data-changing statement; the number of rows it changed. */
  run(text: string, values?: readonly SqlValue[]): Promise<number>;
  /** Statements in one transaction, all or none; the rows each changed. */
  transaction(statements: readonly Statement[]): Promise<number[]>;
  close(): Promise<void>;
}

/** Synchronous statements inside a SQLite transaction. */
export interface SqliteTransaction {
  run(text: string, values?: readonly SqlValue[]): number;
  get<T = Row>(text: string, values?: readonly SqlValue[]): T | undefined;
}

export interface SqliteSql extends SqlBase {
  readonly kind: 'sqlite';
  /**
   * Runs `work` synchronously inside the next group transaction, all or nothing, and settles once
   * that transaction has committed. For writes that depend on each other (rotate only if retired).
   */
  atomic<T>(work: (tx: SqliteTransaction) => T): Promise<T>;
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

/** A Boolean column: SQLite stores 0 or 1. */
export function asBoolean(value: unknown): boolean {
  return value === true || value === 1 || value === 1n;
}

// ---------------------------------------------------------------------------------------------
// SQLite: a connection of our own to the same file (better-sqlite3, synchronous).

/** Errors about the database file as a whole, not about one statement's values. */
const DATABASE_WIDE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CORRUPT|CANTOPEN|NOTADB|READONLY|NOMEM)/;

/** How long a write waits for another connection's lock, retrying without blocking the event loop. */
const SQLITE_BUSY_DEADLINE_MS = 5000;

export function sqliteSql(path: string): SqliteSql {
  // busy_timeout 0: a write that meets another connection's lock (Prisma's transactions hold it
  // across awaits) must not sleep inside SQLite, which would freeze the event loop that has to finish
  // that transaction. It is retried from a timer instead.
  const connection = new Database(path, { timeout: 0 });
  connection.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a commit survives a crash of the process (the WAL is synced at checkpoints).
  connection.pragma('synchronous = NORMAL');
  connection.pragma('foreign_keys = ON');
  const statements = new Map<string, Database.Statement>();
  const prepare = (text: string) => {
    let statement = statements.get(text);
    if (!statement) {
      statement = connection.prepare(text);
      statements.set(text, statement);
    }
    return statement;
  };
  const bind = (values: readonly SqlValue[]) => values.map(sqliteValue);
  const tx: SqliteTransaction = {
    run: (text, values = []) => prepare(text).run(bind(values)).changes,
    get: <T>(text: string, values: readonly SqlValue[] = []) =>
      prepare(text).get(bind(values)) as T | undefined,
  };
  // Nested inside the group transaction, better-sqlite3 runs each work in a savepoint of its own.
  const own = connection.transaction((work: (tx: SqliteTransaction) => unknown) => work(tx));
  // Writes go through group commit: one transaction per turn of the event loop. Reads run at once.
  const writes = groupCommit({
    commit: connection.transaction((works: readonly (() => unknown)[]): Settled[] =>
      works.map((work) => {
        try {
          return { ok: true, value: work() };
        } catch (error) {
          if (DATABASE_WIDE.test(String((error as { code?: unknown }).code ?? ''))) throw error;
          return { ok: false, error };
        }
      }),
    ),
    retry: retryBusy,
  });
  const atomic = <T>(work: (tx: SqliteTransaction) => T) => writes.submit(() => own(work) as T);

  return {
    kind: 'sqlite',
    all: <T>(text: string, values: readonly SqlValue[] = []) =>
      retryBusy(() => prepare(text).all(bind(values)) as T[]),
    get: <T>(text: string, values: readonly SqlValue[] = []) =>
      retryBusy(() => prepare(text).get(bind(values)) as T | undefined),
    run: (text, values = []) => atomic((t) => t.run(text, values)),
    transaction: (batch) => atomic((t) => batch.map((s) => t.run(s.text, s.values))),
    atomic,
    close: async () => {
      connection.close();
    },
  };
}

/** As @prisma/adapter-better-sqlite3 writes them: ISO-8601 with "+00:00", booleans as 0/1. */
function sqliteValue(value: SqlValue): string | number | null {
  if (value instanceof Date) return value.toISOString().replace('Z', '+00:00');
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}

async function retryBusy<T>(work: () => T): Promise<T> {
  const deadline = Date.now() + SQLITE_BUSY_DEADLINE_MS;
  for (let wait = 1; ; wait = Math.min(wait * 2, 50)) {
    try {
      return work();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code !== 'string' || !code.startsWith('SQLITE_BUSY') || Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
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
  const query = (client: pg.Pool | pg.PoolClient, text: string, values: readonly SqlValue[]) => {
    const { name, text: sql } = prepared(text);
    return client.query({ name, text: sql, values: values.map(postgresValue), types: pgTypes });
  };

  return {
    kind: 'postgresql',
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

/** Timestamps as UTC text: a "timestamp without time zone" column takes the wall time and drops the zone. */
function postgresValue(value: SqlValue): string | number | boolean | null {
  return value instanceof Date ? value.toISOString() : value;
}
