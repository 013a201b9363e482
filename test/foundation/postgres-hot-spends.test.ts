import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { type ApprovedCode, codeMinter } from '../helpers/approved-codes.js';
import { TEST_DATABASE } from '../helpers/database.js';
import { makeClient, makeUser } from '../helpers/fixtures.js';
import { exchangeCode, REDIRECT_URI, refresh, type TestClient } from '../security/support.js';

// Spending a code or a refresh token sets one column that no index covers ("consumedAt",
// "revokedAt"). PostgreSQL then writes the row's new version on its own page and touches no index
// (a heap-only tuple), provided the page has room for it: the tables' pages are filled half full
// (prisma/postgresql/migrations/20261201000000_spend_in_place). Without that room the new version
// lands on another page, and every index of the table gets an entry for it.

const CODES = 150;
/**
 * Rows that may still move: here every row of a page is spent at about the same moment, in a few
 * transactions, so old versions cannot be pruned to make room before those commit, and the last
 * row of a full page may find none (4 of 150 refresh tokens; without the room, all 150 move).
 */
const FEW = CODES / 20;

describe.skipIf(TEST_DATABASE !== 'postgresql')('PostgreSQL: spent codes and refresh tokens', () => {
  let t: TestApp;
  let client: TestClient;
  const codes: ApprovedCode[] = [];
  const refreshTokens: string[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    const user = await makeUser(t, 'alice');
    client = await makeClient(t, { grantTypes: ['authorization_code', 'refresh_token'] });
    const record = await t.storage.clients.find(client.clientId);
    if (!record) throw new Error('the client was not stored');
    const mint = codeMinter(t.storage, { client: record, userId: user.id, redirectUri: REDIRECT_URI });
    for (let i = 0; i < CODES; i++) codes.push(await mint());
  });
  afterAll(() => t.close());

  /** The rows of `before` whose current version is on another page now. */
  const moved = (before: Map<string, number>, after: Map<string, number>) =>
    [...before].filter(([key, page]) => after.get(key) !== page).length;

  /** The page (block number) each row's current version is on, by key. */
  const pages = async (table: string, key: string) => {
    const found = await t.storage.database.prisma.$queryRawUnsafe<{ key: string; page: number }[]>(
      `SELECT "${key}" AS "key", (ctid::text::point)[0]::int AS "page" FROM "${table}"`,
    );
    return new Map(found.map((row) => [row.key, row.page]));
  };

  it('a redeemed code stays on its page', async () => {
    const before = await pages('AuthorizationCode', 'codeHash');
    expect(before.size).toBe(CODES);
    expect(new Set(before.values()).size).toBeGreaterThan(1);

    const responses = await Promise.all(
      codes.map(({ code, verifier }) => exchangeCode(t, client, code, verifier)),
    );
    expect(responses.map((response) => response.statusCode)).toEqual(codes.map(() => 200));
    for (const response of responses) refreshTokens.push(response.json().refresh_token);

    const spent = await t.storage.database.prisma.$queryRawUnsafe<{ count: number }[]>(
      'SELECT count(*)::int AS "count" FROM "AuthorizationCode" WHERE "consumedAt" IS NOT NULL',
    );
    expect(spent[0]?.count).toBe(CODES);
    expect(moved(before, await pages('AuthorizationCode', 'codeHash'))).toBeLessThanOrEqual(FEW);
  });

  it('a rotated refresh token stays on its page', async () => {
    expect(refreshTokens).toHaveLength(CODES);
    const before = await pages('RefreshToken', 'tokenHash');
    expect(new Set(before.values()).size).toBeGreaterThan(1);

    const responses = await Promise.all(refreshTokens.map((token) => refresh(t, client, token)));
    expect(responses.map((response) => response.statusCode)).toEqual(refreshTokens.map(() => 200));

    const after = await pages('RefreshToken', 'tokenHash');
    // The spent tokens where they were; the new ones are rows of their own.
    expect(moved(before, after)).toBeLessThanOrEqual(FEW);
    expect(after.size).toBe(2 * CODES);
  });
});
