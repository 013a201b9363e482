import { afterAll, beforeAll } from 'vitest';
import { type Database, openDatabase } from '../../src/storage/database.js';
import { migrate } from '../../src/storage/migrate.js';
import { createTestDatabase, type TestDatabase } from './database.js';

/**
 * A fresh database of this run's kind for the calling `describe` block: created (and migrated, if
 * asked) and opened before its tests, closed and dropped after them. Call it in the block's body;
 * the database is there once its tests run.
 */
export function suiteDatabase(options: { migrated?: boolean } = {}): {
  readonly db: Database;
  readonly database: TestDatabase;
} {
  let database: TestDatabase | undefined;
  let db: Database | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    if (options.migrated) await migrate(database.kind, database.url);
    db = await openDatabase(database.kind, database.url);
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });
  const opened = <T>(value: T | undefined): T => {
    if (value === undefined)
      throw new Error('the suite database is opened in beforeAll: use it inside a test');
    return value;
  };
  return {
    get db() {
      return opened(db);
    },
    get database() {
      return opened(database);
    },
  };
}
