import { type CacheEpoch, cachedLookup } from './cache-epoch.js';
import type { Db } from './database.js';
import { asDate, type KeyedQuery, type Sql } from './sql.js';

/**
 * The accounts a token reaches (the Appointedd model), in one read keyed by the token's hash: its
 * holder's accounts (the user's, or for a client-credentials token the client owner's), narrowed to
 * the client's list unless the client may reach all of them.
 */
function reachableWith(from: string, holder: string, key: string): KeyedQuery {
  return {
    select: 'a."id", a."name", a."createdAt"',
    from:
      `${from} JOIN "AccountMember" m ON m."userId" = ${holder} ` +
      'JOIN "Account" a ON a."id" = m."accountId" AND (c."allAccounts" OR EXISTS (' +
      'SELECT 1 FROM "ClientAccount" ca WHERE ca."clientId" = c."id" AND ca."accountId" = m."accountId"))',
    key,
    orderBy: 'm."createdAt", m."accountId"',
  };
}

const REACHABLE_WITH_ACCESS_TOKEN = reachableWith(
  '"AccessToken" t JOIN "Client" c ON c."id" = t."clientId"',
  'COALESCE(t."userId", c."ownerId")',
  't."tokenHash"',
);

const REACHABLE_WITH_REFRESH_TOKEN = reachableWith(
  '"RefreshToken" r JOIN "Grant" g ON g."id" = r."grantId" JOIN "Client" c ON c."id" = g."clientId"',
  'g."userId"',
  'r."tokenHash"',
);

export interface AccountRecord {
  id: string;
  name: string;
  createdAt: Date;
}

const fields = { id: true, name: true, createdAt: true } as const;

/** Tokens whose reachable accounts are kept in memory at most, per kind of token (cache-epoch.ts). */
const CACHED_ACCOUNT_LISTS = 10_000;

export function accountStore(db: Db, sql: Sql, epoch: CacheEpoch) {
  async function readReachable(kind: 'access_token' | 'refresh_token', tokenHash: string) {
    const rows = await sql.allBy<{ id: string; name: string; createdAt: unknown }>(
      kind === 'access_token' ? REACHABLE_WITH_ACCESS_TOKEN : REACHABLE_WITH_REFRESH_TOKEN,
      tokenHash,
    );
    return rows.map((row) => ({ ...row, createdAt: asDate(row.createdAt) }));
  }

  // Shared by the requests that present the same token: never changed by their users.
  // One cache per kind of token, keyed by the token's hash as it is (no key built per lookup).
  const reachable = {
    access_token: cachedLookup(epoch, CACHED_ACCOUNT_LISTS, (hash) => readReachable('access_token', hash)),
    refresh_token: cachedLookup(epoch, CACHED_ACCOUNT_LISTS, (hash) => readReachable('refresh_token', hash)),
  };

  return {
    create(account: { id: string; name: string }): Promise<AccountRecord> {
      return db.account.create({ data: account, select: fields });
    },

    find(id: string): Promise<AccountRecord | null> {
      return db.account.findUnique({ where: { id }, select: fields });
    },

    list(): Promise<AccountRecord[]> {
      return db.account.findMany({ select: fields, orderBy: { createdAt: 'asc' } });
    },

    async existing(ids: readonly string[]): Promise<string[]> {
      const rows = await db.account.findMany({ where: { id: { in: [...ids] } }, select: { id: true } });
      return rows.map((row) => row.id);
    },

    async addMember(accountId: string, userId: string): Promise<void> {
      await db.accountMember.upsert({
        where: { accountId_userId: { accountId, userId } },
        create: { accountId, userId },
        update: {},
      });
    },

    async ofUser(userId: string): Promise<AccountRecord[]> {
      const rows = await db.accountMember.findMany({
        where: { userId },
        select: { account: { select: fields } },
        orderBy: { createdAt: 'asc' },
      });
      return rows.map((row) => row.account);
    },

    /**
     * The accounts a known, valid token reaches (by the token's hash; see reachableWith), or the
     * cached list while nothing that could change it was committed (cache-epoch.ts). Ask only for
     * tokens found valid, so made-up tokens take no room in the cache.
     */
    async reachableWith(kind: 'access_token' | 'refresh_token', tokenHash: string): Promise<AccountRecord[]> {
      return (await reachable[kind].get(tokenHash)) ?? [];
    },

    /** The same, always read from the database: for a lookup cached above storage under its own epoch. */
    readReachableWith: readReachable,
  };
}
