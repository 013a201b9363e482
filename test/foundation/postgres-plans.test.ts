import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/storage/database.js';
import { TEST_DATABASE } from '../helpers/database.js';
import { suiteDatabase } from '../helpers/suite-database.js';

// On PostgreSQL every connection plans prepared statements generically, once
// (src/storage/database.ts): the default re-planned the batched statements at every execution.

describe.skipIf(TEST_DATABASE !== 'postgresql')('PostgreSQL connections', () => {
  const suite = suiteDatabase();

  it('use generic plans on every connection of the pool, for hand-written SQL and Prisma alike', async () => {
    // Ten at once: the pool opens several connections, each set as it connects.
    const seen = await Promise.all(
      Array.from({ length: 10 }, async (_, i) => {
        const row =
          i % 2 === 0
            ? await suite.db.sql.get<{ plan_cache_mode: string }>(
                'SELECT current_setting(\'plan_cache_mode\') AS "plan_cache_mode" FROM (SELECT pg_sleep(0.05)) AS pause',
              )
            : (
                await suite.db.prisma.$queryRawUnsafe<{ plan_cache_mode: string }[]>(
                  'SELECT current_setting(\'plan_cache_mode\') AS "plan_cache_mode" FROM (SELECT pg_sleep(0.05)) AS pause',
                )
              )[0];
        return row?.plan_cache_mode;
      }),
    );
    expect(seen).toEqual(Array.from({ length: 10 }, () => 'force_generic_plan'));
  });

  it('keeps the options the database URL gives, and adds its own', async () => {
    const url = new URL(suite.database.url);
    url.searchParams.set('options', '-c statement_timeout=4321');
    const withOptions = await openDatabase(suite.database.kind, url.toString());
    try {
      const row = await withOptions.sql.get<{ timeout: string; mode: string }>(
        'SELECT current_setting(\'statement_timeout\') AS "timeout", current_setting(\'plan_cache_mode\') AS "mode"',
      );
      expect(row).toEqual({ timeout: '4321ms', mode: 'force_generic_plan' });
    } finally {
      await withOptions.close();
    }
  });
});
