import Database from 'better-sqlite3';
import type { RawValue } from './sqlite-thread.js';

// Reads on the event loop itself, for the small reads every request makes: the cache epoch
// (cache-epoch.ts, once a turn) and the point lookups by a unique key (a token, a code, a client,
// the accounts a token reaches). Handing a statement to the SQLite thread and its answer back costs
// two messages between threads: tens of microseconds of CPU on these machines, measured (a quarter
// to a half of the server's time in the cached lookups' profile, and 20 µs of a refresh's), and a
// turn of each thread of waiting. A prepared point read on a connection of the event loop's own
// costs a few µs (2 µs alone; about 12 µs in a busy server, most of it the two fcntl calls of
// SQLite's shared lock, taken and let go by every read).
//
// The connection is read-only and holds no transaction between reads, so it sees every commit
// and never holds up a checkpoint; in WAL mode a reader never waits for the writer. Everything
// else still goes to the thread: larger reads, and every write, which may wait for a lock.

/** How long a failed open is remembered before the next read tries again. */
const RETRY_OPEN_MS = 1000;

export interface ReadNow {
  /** The first row, read now. Throws if the database cannot be read now (the caller asks the thread). */
  get<T>(text: string, values?: readonly RawValue[]): T | undefined;
  /** Every row, read now; throws as `get` does. */
  all<T>(text: string, values?: readonly RawValue[]): T[];
  close(): void;
}

export function sqliteReadNow(path: string): ReadNow {
  let db: Database.Database | undefined;
  let failedAt = Number.NEGATIVE_INFINITY;
  const statements = new Map<string, RowReader>();

  const open = (): Database.Database => {
    if (db) return db;
    if (Date.now() - failedAt < RETRY_OPEN_MS) throw new Error('the read-only SQLite connection is not open');
    try {
      // timeout 0: a read that would have to wait fails at once and goes to the thread instead.
      db = new Database(path, { readonly: true, fileMustExist: true, timeout: 0 });
      return db;
    } catch (error) {
      failedAt = Date.now();
      throw error;
    }
  };

  const prepared = (text: string): RowReader => {
    const connection = open();
    let reader = statements.get(text);
    if (!reader) {
      reader = rowReader(connection.prepare(text));
      statements.set(text, reader);
    }
    return reader;
  };

  return {
    get<T>(text: string, values: readonly RawValue[] = []): T | undefined {
      const reader = prepared(text);
      const row = reader.statement.get(values) as unknown[] | undefined;
      return row === undefined ? undefined : (reader.toObject(row) as T);
    },
    all<T>(text: string, values: readonly RawValue[] = []): T[] {
      const reader = prepared(text);
      return (reader.statement.all(values) as unknown[][]).map((row) => reader.toObject(row) as T);
    },
    close() {
      db?.close();
      db = undefined;
      statements.clear();
    },
  };
}

/**
 * A statement that returns each row as an array, and the function that names its values. Rows as
 * objects cost better-sqlite3 a property name looked up in V8's string table and a property added
 * through V8's API for every column of every row: 18,000 instructions for a refresh token's row
 * (callgrind), more than SQLite itself spends finding it. As an array, named by a loop in
 * JavaScript, the same row costs 12,400.
 */
interface RowReader {
  statement: Database.Statement;
  toObject(row: unknown[]): Record<string, unknown>;
}

function rowReader(statement: Database.Statement): RowReader {
  const names = statement.columns().map((column) => column.name);
  statement.raw(true);
  return {
    statement,
    toObject(row) {
      const object: Record<string, unknown> = {};
      // A repeated name keeps its last value, as better-sqlite3's objects do.
      for (let i = 0; i < names.length; i++) object[names[i] as string] = row[i];
      return object;
    },
  };
}
