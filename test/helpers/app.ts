import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/storage/database.js';
import { createStorage, type Storage } from '../../src/storage/index.js';
import { migrate } from '../../src/storage/migrate.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestApp {
  app: FastifyInstance;
  storage: Storage;
  config: Config;
  database: TestDatabase;
  /** Every log line the app wrote, as text (for checks that no secret is logged). */
  logs: string[];
  close(): Promise<void>;
}

export const TEST_ISSUER = 'http://127.0.0.1:3000';

/** The app on a fresh database of its own, with its logs captured. */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: database.url,
    SESSION_SECRET: 'test-session-secret-that-is-long-enough-0123456789',
    ISSUER: TEST_ISSUER,
    LOG_LEVEL: 'info',
    ...env,
  });
  await migrate(config.databaseKind, config.databaseUrl);
  const db = await openDatabase(config.databaseKind, config.databaseUrl);
  const storage = createStorage(db);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const { loggerOptions } = await import('../../src/http/logging.js');
  const loggerInstance = pino(loggerOptions({ level: config.logLevel }), sink);
  const app = await buildApp({ config, storage, loggerInstance });
  await app.ready();
  return {
    app,
    storage,
    config,
    database,
    logs,
    close: async () => {
      await app.close();
      await db.close();
      await database.drop();
    },
  };
}
