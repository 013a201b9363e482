import { type Config, loadConfig } from '../config.js';
import { type Database, openDatabase } from '../storage/database.js';
import { createStorage, type Storage } from '../storage/index.js';
import { migrate } from '../storage/migrate.js';

/** What a command needs: settings and storage, opened on first use and closed by the caller. */
export class CliContext {
  private database?: Database;
  private storageValue?: Storage;
  readonly config: Config;

  constructor(
    readonly out: (line: string) => void,
    env: Record<string, string | undefined> = process.env,
  ) {
    this.config = loadConfig(env);
  }

  async storage(): Promise<Storage> {
    if (!this.storageValue) {
      // The command line works on a fresh clone too: the schema is brought up to date first.
      await migrate(this.config.databaseKind, this.config.databaseUrl);
      this.database = await openDatabase(this.config.databaseKind, this.config.databaseUrl, { poolSize: 2 });
      this.storageValue = createStorage(this.database);
    }
    return this.storageValue;
  }

  async close(): Promise<void> {
    await this.database?.close();
  }

  json(value: unknown): void {
    this.out(JSON.stringify(value));
  }
}
