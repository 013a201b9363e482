import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './storage/database.js';
import { createStorage } from './storage/index.js';
import { migrate } from './storage/migrate.js';
import { purgeExpired, schedulePurge } from './storage/purge.js';

// Start-up: settings, schema, database, app, listen; and a graceful stop on SIGTERM/SIGINT.

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const problem of error.problems) process.stderr.write(`config error: ${problem}\n`);
      process.exit(1);
    }
    throw error;
  }

  const applied = await migrate(config.databaseKind, config.databaseUrl);
  const database = await openDatabase(config.databaseKind, config.databaseUrl);
  const app = await buildApp({ config, storage: createStorage(database) });
  if (applied.length > 0) app.log.info({ applied }, 'database migrations applied');
  // Expired codes, tokens and sessions do not pile up (PURGE_INTERVAL seconds; 0 turns it off).
  const purge =
    config.purgeInterval > 0
      ? schedulePurge(() => purgeExpired(database.prisma), config.purgeInterval * 1000, app.log)
      : null;

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: finishing requests in flight');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await purge?.stop();
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  app.log.info(
    { issuer: config.issuer, database: config.databaseKind },
    'appointman authorization server ready',
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`startup failed: ${(error as Error).message?.split('\n')[0] ?? String(error)}\n`);
  process.exit(1);
});
