import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/storage/database.js';
import { migrate, migrationsDir, readMigrations } from '../../src/storage/migrate.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

describe('migrations, with Prisma Migrate bookkeeping', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('applies every migration once, even when several processes start at once', async () => {
    const all = readMigrations(database.kind).map((m) => m.name);
    const runs = await Promise.all([1, 2, 3].map(() => migrate(database.kind, database.url)));
    expect(runs.flat().sort()).toEqual(all.sort());
    expect(await migrate(database.kind, database.url)).toEqual([]);
  });

  it('records name and sha256 checksum of migration.sql in _prisma_migrations', async () => {
    const db = await openDatabase(database.kind, database.url);
    try {
      const rows = await db.prisma.$queryRawUnsafe<
        { migration_name: string; checksum: string; finished_at: unknown; applied_steps_count: unknown }[]
      >(
        'SELECT migration_name, checksum, finished_at, applied_steps_count FROM "_prisma_migrations" ORDER BY migration_name',
      );
      const expected = readMigrations(database.kind);
      expect(rows.map((r) => r.migration_name)).toEqual(expected.map((m) => m.name));
      for (const [index, row] of rows.entries()) {
        const file = readFileSync(join(migrationsDir(database.kind), row.migration_name, 'migration.sql'));
        expect(row.checksum).toBe(createHash('sha256').update(file).digest('hex'));
        expect(row.finished_at).not.toBeNull();
        expect(Number(row.applied_steps_count)).toBe(1);
        expect(expected[index]?.checksum).toBe(row.checksum);
      }
    } finally {
      await db.close();
    }
  });

  it('creates the schema the Prisma client expects: every model answers a query', async () => {
    const db = await openDatabase(database.kind, database.url);
    try {
      const prisma = db.prisma;
      const counts = await Promise.all([
        prisma.user.count(),
        prisma.account.count(),
        prisma.accountMember.count(),
        prisma.client.count(),
        prisma.clientAccount.count(),
        prisma.grant.count(),
        prisma.authorizationCode.count(),
        prisma.accessToken.count(),
        prisma.refreshToken.count(),
        prisma.consent.count(),
        prisma.session.count(),
        prisma.throttle.count(),
      ]);
      expect(counts.every((count) => count === 0)).toBe(true);
    } finally {
      await db.close();
    }
  });

  it('has the same migrations for both databases', () => {
    expect(readMigrations('sqlite').map((m) => m.name)).toEqual(
      readMigrations('postgresql').map((m) => m.name),
    );
  });
});
