import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { TEST_DATABASE } from '../helpers/database.js';
import { makeClient } from '../helpers/fixtures.js';
import { clientToken } from '../helpers/tokens.js';

// SQLite's write-ahead log is copied back into the database file by a thread of its own
// (src/storage/sqlite-checkpoints.ts), not by the writer, whose own checkpoint waits for a log of
// 20,000 pages. A few tokens are far from that: they reach the database file itself only if the
// checkpoint thread copied them there.

/** Rows of AccessToken in a copy of the database file alone, without its log; null if the copy was torn. */
function tokensInFileAlone(databasePath: string): number | null {
  const dir = mkdtempSync(join(tmpdir(), 'appointman-copy-'));
  try {
    const copy = join(dir, 'copy.db');
    copyFileSync(databasePath, copy);
    const db = new Database(copy);
    try {
      return (db.prepare('SELECT count(*) AS n FROM "AccessToken"').get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    // Copied in the middle of a checkpoint's writes: look again.
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe.skipIf(TEST_DATABASE !== 'sqlite')('SQLite checkpoints on their own thread', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('copies committed tokens into the database file soon after they are answered', async () => {
    const client = await makeClient(t, { grantTypes: ['client_credentials'], scopes: ['read'] });
    const issued = 20;
    for (let i = 0; i < issued; i++) await clientToken(t, client, 'read');
    const databasePath = t.database.url.replace(/^file:/, '');
    let found: number | null = null;
    for (const started = Date.now(); Date.now() - started < 5000; ) {
      found = tokensInFileAlone(databasePath);
      if (found === issued) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(found).toBe(issued);
  });
});
