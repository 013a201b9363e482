import type { Db } from './database.js';

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

export function tokenStore(db: Db) {
  return {
    async save(tokens: NewTokens): Promise<void> {
      const access = db.accessToken.create({
        data: {
          tokenHash: tokens.accessTokenHash,
          clientId: tokens.clientId,
          userId: tokens.userId,
          grantId: tokens.grantId,
          scope: tokens.scope,
          expiresAt: tokens.accessTokenExpiresAt,
        },
      });
      if (!tokens.refresh || !tokens.grantId) {
        await access;
        return;
      }
      await db.$transaction([
        access,
        db.refreshToken.create({
          data: {
            tokenHash: tokens.refresh.tokenHash,
            grantId: tokens.grantId,
            scope: tokens.scope,
            expiresAt: tokens.refresh.expiresAt,
            absoluteExpiresAt: tokens.refresh.absoluteExpiresAt,
          },
        }),
      ]);
    },

    async findAccess(tokenHash: string): Promise<StoredAccessToken | null> {
      const row = await db.accessToken.findUnique({
        where: { tokenHash },
        include: { grant: { select: { revokedAt: true } } },
      });
      if (!row) return null;
      return {
        clientId: row.clientId,
        userId: row.userId,
        grantId: row.grantId,
        scope: row.scope,
        expiresAt: row.expiresAt,
        createdAt: row.createdAt,
        revoked: row.revokedAt !== null || (row.grant !== null && row.grant.revokedAt !== null),
      };
    },

    async findRefresh(tokenHash: string): Promise<StoredRefreshToken | null> {
      const row = await db.refreshToken.findUnique({
        where: { tokenHash },
        include: { grant: { select: { clientId: true, userId: true, revokedAt: true } } },
      });
      if (!row) return null;
      return {
        grantId: row.grantId,
        clientId: row.grant.clientId,
        userId: row.grant.userId,
        scope: row.scope,
        expiresAt: row.expiresAt,
        absoluteExpiresAt: row.absoluteExpiresAt,
        createdAt: row.createdAt,
        revoked: row.revokedAt !== null || row.grant.revokedAt !== null,
      };
    },

    /** Retires a refresh token; of parallel rotations of one token exactly one sees `true`. */
    async retireRefresh(tokenHash: string): Promise<boolean> {
      const { count } = await db.refreshToken.updateMany({
        where: { tokenHash, revokedAt: null },
        data: { revokedAt: new Date() },
      });
      return count === 1;
    },

    async revokeAccess(tokenHash: string): Promise<void> {
      await db.accessToken.updateMany({
        where: { tokenHash, revokedAt: null },
        data: { revokedAt: new Date() },
      });
    },
  };
}
