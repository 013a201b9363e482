import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { DatabaseKind } from '../config.js';
import { PrismaClient as PostgresPrismaClient } from './generated/postgresql/client.js';
import { PrismaClient } from './generated/sqlite/client.js';
import { sqlitePath } from './migrate.js';
import { postgresSql, type Sql, sqliteSql } from './sql.js';

// Both generated clients have the same API at run time, but TypeScript cannot accept one for the
// other; the storage code is typed against the SQLite client and the PostgreSQL one is converted here.
export type Db = PrismaClient;

export interface Database {
  kind: DatabaseKind;
  prisma: Db;
  /** Hand-written SQL for the hot paths (sql.ts), on the same database. */
  sql: Sql;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL pool size. */
  poolSize?: number;
}

export async function openDatabase(
  kind: DatabaseKind,
  url: string,
  options: DatabaseOptions = {},
): Promise<Database> {
  let prisma: Db;
  let sql: Sql;
  let closePool = async () => {};
  if (kind === 'sqlite') {
    // better-sqlite3 waits for a lock synchronously: the whole process stops meanwhile. Only another
    // process (the CLI, a backup) can hold the lock across event-loop turns, so wait briefly, then fail
    // (503, checklist O3) rather than freeze every request for seconds. The hot paths (sql.ts) retry
    // without blocking.
    prisma = new PrismaClient({
      adapter: withPragmas(new PrismaBetterSqlite3({ url: sqlitePath(url), timeout: 250 })),
    });
    sql = sqliteSql(sqlitePath(url));
  } else {
    // One pool for Prisma and the hand-written SQL, so its size bounds the connections of both.
    const pool = new pg.Pool({
      ...withGenericPlans(url),
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5000,
      // A query stuck on a lost database must fail, not hang the request (checklist O3).
      query_timeout: 10_000,
    });
    // An idle connection that breaks (a database restart) just leaves the pool; the next query reconnects.
    pool.on('error', () => {});
    prisma = new PostgresPrismaClient({ adapter: new PrismaPg(pool) }) as unknown as Db;
    sql = postgresSql(pool);
    closePool = () => pool.end();
  }
  return {
    kind,
    prisma,
    sql,
    ping: async () => {
      await prisma.$queryRawUnsafe('SELECT 1');
    },
    close: async () => {
      await prisma.$disconnect();
      await sql.close();
      await closePool();
    },
  };
}

// WAL lets readers run beside the writer; NORMAL is durable across process crashes in WAL mode.
const SQLITE_PRAGMAS =
  'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY;';

/**
 * Prisma's SQLite connection gets its pragmas whenever Prisma opens it (at its first query), not
 * once at start-up: a connection Prisma opens again gets them too, and a process that serves only
 * the hot paths (hand-written SQL, sql.ts) does not load Prisma's query engine (about 70 MB) before
 * its first page or admin request.
 */
function withPragmas(factory: PrismaBetterSqlite3): PrismaBetterSqlite3 {
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    await adapter.executeScript(SQLITE_PRAGMAS);
    return adapter;
  };
  return factory;
}

/**
 * The connection string, with every connection set to plan prepared statements generically, once
 * per connection and statement (PostgreSQL 12 and later). PostgreSQL's default re-plans a prepared
 * statement at every execution while it judges a custom plan worth it, and it did for our batched
 * statements (arrays as parameters): measured per code exchange on PostgreSQL 15, the batched
 * exchange's bind (its planning) took 683 µs of the backend's time and its execution 821; with
 * generic plans, 117 and 886, and the backend's time per exchange fell from 596 to 411 µs. The hot
 * statements find, insert or update rows by key, where one plan suits every value; the others
 * (lists, the purge) are small or rare. A startup option, not a SET after connecting: nothing can
 * run on a connection before it. Options the URL already gives are kept.
 */
function withGenericPlans(url: string): { connectionString: string; options?: string } {
  const setting = '-c plan_cache_mode=force_generic_plan';
  const parsed = new URL(url);
  const given = parsed.searchParams.get('options');
  // pg takes the URL's options over the pool's own: so they are joined in the URL when it has some.
  if (given === null) return { connectionString: url, options: setting };
  parsed.searchParams.set('options', `${given} ${setting}`);
  return { connectionString: parsed.toString() };
}
