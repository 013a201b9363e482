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
  const statements = new Map<string, Database.Statement>();

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

  const prepared = (text: string): Database.Statement => {
    const connection = open();
    let statement = statements.get(text);
    if (!statement) {
      statement = connection.prepare(text);
      statements.set(text, statement);
    }
    return statement;
  };

  return {
    get<T>(text: string, values: readonly RawValue[] = []): T | undefined {
      return prepared(text).get(values) as T | undefined;
    },
    all<T>(text: string, values: readonly RawValue[] = []): T[] {
      return prepared(text).all(values) as T[];
    },
    close() {
      db?.close();
      db = undefined;
      statements.clear();
    },
  };
}
