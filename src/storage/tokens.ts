import { asDate, asDateOrNull, type Sql, type Statement } from './sql.js';

export interface NewTokens {
  clientId: string;
  userId: string | null;
  grantId: string | null;
  scope: string;
  accessTokenHash: string;
  accessTokenExpiresAt: Date;
  refresh?: { tokenHash: string; expiresAt: Date; absoluteExpiresAt: Date | null };
}

export interface StoredAccessToken {
  clientId: string;
  userId: string | null;
  grantId: string | null;
  scope: string;
  expiresAt: Date;
  createdAt: Date;
  /** Revoked itself, or the grant it belongs to was. */
  revoked: boolean;
}

export interface StoredRefreshToken {
  grantId: string;
  clientId: string;
  userId: string;
  scope: string;
  expiresAt: Date;
  absoluteExpiresAt: Date | null;
  createdAt: Date;
  revoked: boolean;
}

export function tokenStore(sql: Sql) {
  return {
    /** Both tokens in one transaction: a refresh token never exists without its access token. */
    async save(tokens: NewTokens): Promise<void> {
      const now = new Date();
      const access: Statement = {
        text: INSERT_ACCESS,
        values: [
          tokens.accessTokenHash,
          tokens.grantId,
          tokens.clientId,
          tokens.userId,
          tokens.scope,
          tokens.accessTokenExpiresAt,
          now,
        ],
      };
      if (!tokens.refresh || !tokens.grantId) {
        await sql.run(access.text, access.values);
        return;
      }
      await sql.transaction([
        access,
        {
          text: INSERT_REFRESH,
          values: [
            tokens.refresh.tokenHash,
            tokens.grantId,
            tokens.scope,
            tokens.refresh.expiresAt,
            tokens.refresh.absoluteExpiresAt,
            now,
          ],
        },
      ]);
    },

    /** One indexed read: the token and whether its grant was revoked. */
    async findAccess(tokenHash: string): Promise<StoredAccessToken | null> {
      const row = await sql.get<AccessRow>(FIND_ACCESS, [tokenHash]);
      if (!row) return null;
      return {
        clientId: row.clientId,
        userId: row.userId,
        grantId: row.grantId,
        scope: row.scope,
        expiresAt: asDate(row.expiresAt),
        createdAt: asDate(row.createdAt),
        revoked: row.revokedAt !== null || row.grantRevokedAt !== null,
      };
    },

    async findRefresh(tokenHash: string): Promise<StoredRefreshToken | null> {
      const row = await sql.get<RefreshRow>(FIND_REFRESH, [tokenHash]);
      if (!row) return null;
      return {
        grantId: row.grantId,
        clientId: row.clientId,
        userId: row.userId,
        scope: row.scope,
        expiresAt: asDate(row.expiresAt),
        absoluteExpiresAt: asDateOrNull(row.absoluteExpiresAt),
        createdAt: asDate(row.createdAt),
        revoked: row.revokedAt !== null || row.grantRevokedAt !== null,
      };
    },

    /** Retires a refresh token; of parallel rotations of one token exactly one sees `true`. */
    async retireRefresh(tokenHash: string): Promise<boolean> {
      return (await sql.run(RETIRE_REFRESH, [new Date(), tokenHash])) === 1;
    },

    async revokeAccess(tokenHash: string): Promise<void> {
      await sql.run(REVOKE_ACCESS, [new Date(), tokenHash]);
    },
  };
}

interface AccessRow {
  clientId: string;
  userId: string | null;
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
  scope: string;
  expiresAt: unknown;
  absoluteExpiresAt: unknown;
  createdAt: unknown;
  revokedAt: unknown;
  grantRevokedAt: unknown;
}

const INSERT_ACCESS =
  'INSERT INTO "AccessToken" ("tokenHash", "grantId", "clientId", "userId", "scope", "expiresAt", "createdAt") ' +
  'VALUES (?, ?, ?, ?, ?, ?, ?)';

const INSERT_REFRESH =
  'INSERT INTO "RefreshToken" ("tokenHash", "grantId", "scope", "expiresAt", "absoluteExpiresAt", "createdAt") ' +
  'VALUES (?, ?, ?, ?, ?, ?)';

const FIND_ACCESS =
  'SELECT t."clientId", t."userId", t."grantId", t."scope", t."expiresAt", t."createdAt", t."revokedAt", ' +
  'g."revokedAt" AS "grantRevokedAt" ' +
  'FROM "AccessToken" t LEFT JOIN "Grant" g ON g."id" = t."grantId" WHERE t."tokenHash" = ?';

const FIND_REFRESH =
  'SELECT r."grantId", g."clientId", g."userId", r."scope", r."expiresAt", r."absoluteExpiresAt", ' +
  'r."createdAt", r."revokedAt", g."revokedAt" AS "grantRevokedAt" ' +
  'FROM "RefreshToken" r JOIN "Grant" g ON g."id" = r."grantId" WHERE r."tokenHash" = ?';

const RETIRE_REFRESH =
  'UPDATE "RefreshToken" SET "revokedAt" = ? WHERE "tokenHash" = ? AND "revokedAt" IS NULL';

const REVOKE_ACCESS =
  'UPDATE "AccessToken" SET "revokedAt" = ? WHERE "tokenHash" = ? AND "revokedAt" IS NULL';
