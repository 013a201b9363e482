// `npm test`: the whole suite on SQLite, then on PostgreSQL when one is reachable.
// In CI (CI=true) PostgreSQL is required: its part is never skipped there.
import { spawnSync } from 'node:child_process';
import pg from 'pg';

const postgresUrl = process.env.TEST_POSTGRES_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
const extra = process.argv.slice(2);

function vitest(database) {
  console.log(`\n=== Test suite on ${database} ===\n`);
  const result = spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...extra], {
    stdio: 'inherit',
    env: { ...process.env, TEST_DATABASE: database },
  });
  return result.status ?? 1;
}

async function postgresReachable() {
  const client = new pg.Client({ connectionString: postgresUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    return error;
  } finally {
    await client.end().catch(() => {});
  }
}

let failed = vitest('sqlite') !== 0;
const reachable = await postgresReachable();
if (reachable === true) {
  failed = vitest('postgresql') !== 0 || failed;
} else if (process.env.CI) {
  console.error(`\nPostgreSQL is required in CI but not reachable at ${postgresUrl}: ${reachable.message}`);
  failed = true;
} else {
  console.log(`\nSKIPPED: the PostgreSQL part of the suite (no server at ${postgresUrl}).`);
  console.log(
    'To run it, start PostgreSQL (docker compose up -d postgres) or set TEST_POSTGRES_URL, then npm test again.',
  );
}
process.exit(failed ? 1 : 0);
