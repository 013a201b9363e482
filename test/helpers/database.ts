import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { DatabaseKind } from '../../src/config.js';

/** Which database this run tests: set by test/run.mjs (TEST_DATABASE=sqlite|postgresql). */
export const TEST_DATABASE: DatabaseKind =
  process.env.TEST_DATABASE === 'postgresql' ? 'postgresql' : 'sqlite';
export const POSTGRES_ADMIN_URL =
  process.env.TEST_POSTGRES_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  kind: DatabaseKind;
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database of its own for one test file (or one benchmark run: its own name prefix
 * and PostgreSQL server).
 */
export async function createTestDatabase(
  kind: DatabaseKind = TEST_DATABASE,
  { prefix = 'appointman_test', adminUrl = POSTGRES_ADMIN_URL }: { prefix?: string; adminUrl?: string } = {},
): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  if (kind === 'sqlite') {
    const dir = join(tmpdir(), name);
    mkdirSync(dir, { recursive: true });
    return {
      kind,
      url: `file:${join(dir, 'test.db')}`,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
