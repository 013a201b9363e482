import { parseScope } from '../oauth/scopes.js';
import { type CacheEpoch, cachedLookup } from './cache-epoch.js';
import { type ExchangeItem, postgresExchanges, type SpendTarget } from './postgres-exchange.js';
import {
  asDate,
  asDateOrNull,
  insertText,
  type KeyedQuery,
  type Sql,
  type SqlValue,
  type Table,
} from './sql.js';

export interface NewTokens {
  clientId: string;
  userId: string | null;
  grantId: string | null;
  scope: string;
  accessTokenHash: string;
  accessTokenExpiresAt: Date;
  refresh?: { tokenHash: string; expiresAt: Date; absoluteExpiresAt: Date | null };
}

/** The single-use credential a token request spends: a refresh token or an authorization code (hashes). */
export interface Spent {
  kind: 'refresh_token' | 'authorization_code';
  hash: string;
}

export interface StoredAccessToken {
  tokenHash: string;
  clientId: string;
  userId: string | null;
  /** The user's name, read with the token (null for client-credentials tokens). */
  username: string | null;
  grantId: string | null;
  scope: string;
  /** The scope, parsed once when read (RFC 6749 §3.3). */
  scopes: readonly string[];
  expiresAt: Date;
  createdAt: Date;
  /** Revoked itself, or the grant it belongs to was. */
  revoked: boolean;
}

export interface StoredRefreshToken {
  tokenHash: string;
  grantId: string;
  clientId: string;
  userId: string;
  username: string | null;
  scope: string;
  expiresAt: Date;
  absoluteExpiresAt: Date | null;
  createdAt: Date;
  revoked: boolean;
}

/** Access tokens kept in memory at most (cache-epoch.ts): a few MB. */
const CACHED_ACCESS_TOKENS = 10_000;

export function tokenStore(sql: Sql, epoch: CacheEpoch) {
  const exchanges = {
    authorization_code: exchanger(sql, SPEND.authorization_code),
    refresh_token: exchanger(sql, SPEND.refresh_token),
  };
  async function readAccess(tokenHash: string): Promise<StoredAccessToken | null> {
    const row = await sql.getBy<AccessRow>(FIND_ACCESS, tokenHash);
    if (!row) return null;
    return {
      tokenHash,
      clientId: row.clientId,
      userId: row.userId,
      username: row.username,
      grantId: row.grantId,
      scope: row.scope,
      scopes: parseScope(row.scope),
      expiresAt: asDate(row.expiresAt),
      createdAt: asDate(row.createdAt),
      revoked: row.revokedAt !== null || row.grantRevokedAt !== null,
    };
  } // Shared by the requests that present the same token: never changed by its users.
  const accessTokens = cachedLookup(epoch, CACHED_ACCESS_TOKENS, readAccess);

  return {
    /** Both tokens in one transaction: a refresh token never exists without its access token. */
    async save(tokens: NewTokens): Promise<void> {
      const { access, refresh } = rows(tokens, new Date());
      await sql.insert(
        refresh
          ? [
              { table: ACCESS_TABLE, values: access },
              { table: REFRESH_TABLE, values: refresh },
            ]
          : [{ table: ACCESS_TABLE, values: access }],
      );
    },

    /**
     * Stores tokens in exchange for a single-use credential, in one transaction (one write, one
     * commit): a refresh token is retired (rotation, RFC 9700 §4.14.2; checklist F3, F4) or an
     * authorization code consumed (RFC 6749 §4.1.2; checklist C2). Of parallel exchanges of one
     * credential exactly one returns `true`; the others store nothing and return `false`.
     */
    async exchange(spent: Spent, tokens: NewTokens): Promise<boolean> {
      const now = new Date();
      const { access, refresh } = rows(tokens, now);
      return exchanges[spent.kind]({ spentHash: spent.hash, spentAt: now, access, refresh });
    },

    /**
     * The token, its user's name and whether its grant was revoked: one indexed read, or the cached
     * answer while nothing that could change it was committed (cache-epoch.ts).
     */
    findAccess(tokenHash: string): Promise<StoredAccessToken | null> {
      return accessTokens.get(tokenHash);
    },

    /** The same, always read from the database: for a lookup cached above storage under its own epoch. */
    readAccess,

    async findRefresh(tokenHash: string): Promise<StoredRefreshToken | null> {
      const row = await sql.getBy<RefreshRow>(FIND_REFRESH, tokenHash);
      if (!row) return null;
      return {
        tokenHash,
        grantId: row.grantId,
        clientId: row.clientId,
        userId: row.userId,
        username: row.username,
        scope: row.scope,
        expiresAt: asDate(row.expiresAt),
        absoluteExpiresAt: asDateOrNull(row.absoluteExpiresAt),
        createdAt: asDate(row.createdAt),
        revoked: row.revokedAt !== null || row.grantRevokedAt !== null,
      };
    },

    async revokeAccess(tokenHash: string): Promise<void> {
      await sql.run(REVOKE_ACCESS, [new Date(), tokenHash]);
    },
  };
}

/** The values of the AccessToken and RefreshToken rows, in the column order of the INSERTs below. */
function rows(tokens: NewTokens, now: Date): { access: SqlValue[]; refresh: SqlValue[] | null } {
  return {
    access: [
      tokens.accessTokenHash,
      tokens.grantId,
      tokens.clientId,
      tokens.userId,
      tokens.scope,
      tokens.accessTokenExpiresAt,
      now,
    ],
    refresh:
      tokens.refresh && tokens.grantId
        ? [
            tokens.refresh.tokenHash,
            tokens.grantId,
            tokens.scope,
            tokens.refresh.expiresAt,
            tokens.refresh.absoluteExpiresAt,
            now,
          ]
        : null,
  };
}

interface AccessRow {
  clientId: string;
  userId: string | null;
  username: string | null;
  grantId: string | null;
  scope: string;
  expiresAt: unknown;
  createdAt: unknown;
  revokedAt: unknown;
  grantRevokedAt: unknown;
}

interface RefreshRow {
  grantId: string;
  clientId: string;
  userId: string;
  username: string | null;
  scope: string;
  expiresAt: unknown;
  absoluteExpiresAt: unknown;
  createdAt: unknown;
  revokedAt: unknown;
  grantRevokedAt: unknown;
}

const TIMESTAMP = 'timestamp(3)';

const ACCESS_TABLE: Table = {
  name: '"AccessToken"',
  columns: ['"tokenHash"', '"grantId"', '"clientId"', '"userId"', '"scope"', '"expiresAt"', '"createdAt"'],
  types: ['text', 'text', 'text', 'text', 'text', TIMESTAMP, TIMESTAMP],
};

const REFRESH_TABLE: Table = {
  name: '"RefreshToken"',
  columns: ['"tokenHash"', '"grantId"', '"scope"', '"expiresAt"', '"absoluteExpiresAt"', '"createdAt"'],
  types: ['text', 'text', 'text', TIMESTAMP, TIMESTAMP, TIMESTAMP],
};

/** What an exchange spends: the row's table, key column, and the column that marks it spent. */
const SPEND = {
  refresh_token: { table: 'RefreshToken', key: 'tokenHash', spentColumn: 'revokedAt' },
  authorization_code: { table: 'AuthorizationCode', key: 'codeHash', spentColumn: 'consumedAt' },
};

/**
 * One exchange, in one transaction. SQLite: a guarded write (the spending UPDATE must change its
 * row, or nothing else runs). PostgreSQL: the exchanges of one turn in one statement
 * (postgres-exchange.ts).
 */
function exchanger(sql: Sql, target: SpendTarget): (item: ExchangeItem) => Promise<boolean> {
  if (sql.kind === 'postgresql') {
    return postgresExchanges(sql, target, { access: ACCESS_TABLE, refresh: REFRESH_TABLE });
  }
  const spend =
    `UPDATE "${target.table}" SET "${target.spentColumn}" = ? ` +
    `WHERE "${target.key}" = ? AND "${target.spentColumn}" IS NULL`;
  return async ({ spentHash, spentAt, access, refresh }) =>
    (await sql.guarded([
      { text: spend, values: [spentAt, spentHash] },
      { text: insertText(ACCESS_TABLE), values: access },
      ...(refresh ? [{ text: insertText(REFRESH_TABLE), values: refresh }] : []),
    ])) !== null;
}

const FIND_ACCESS: KeyedQuery = {
  select:
    't."clientId", t."userId", u."username", t."grantId", t."scope", t."expiresAt", t."createdAt", ' +
    't."revokedAt", g."revokedAt" AS "grantRevokedAt"',
  from: '"AccessToken" t LEFT JOIN "Grant" g ON g."id" = t."grantId" LEFT JOIN "User" u ON u."id" = t."userId"',
  key: 't."tokenHash"',
};

const FIND_REFRESH: KeyedQuery = {
  select:
    'r."grantId", g."clientId", g."userId", u."username", r."scope", r."expiresAt", r."absoluteExpiresAt", ' +
    'r."createdAt", r."revokedAt", g."revokedAt" AS "grantRevokedAt"',
  from: '"RefreshToken" r JOIN "Grant" g ON g."id" = r."grantId" LEFT JOIN "User" u ON u."id" = g."userId"',
  key: 'r."tokenHash"',
};

const REVOKE_ACCESS =
  'UPDATE "AccessToken" SET "revokedAt" = ? WHERE "tokenHash" = ? AND "revokedAt" IS NULL';
