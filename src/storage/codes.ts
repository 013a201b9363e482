import type { Db } from './database.js';

export interface NewAuthorizationCode {
  codeHash: string;
  grantId: string;
  redirectUri: string;
  scope: string;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  expiresAt: Date;
}

export interface StoredAuthorizationCode extends NewAuthorizationCode {
  consumedAt: Date | null;
  clientId: string;
  userId: string;
  grantRevoked: boolean;
}

export function codeStore(db: Db) {
  return {
    async save(code: NewAuthorizationCode): Promise<void> {
      await db.authorizationCode.create({ data: code });
    },

    async find(codeHash: string): Promise<StoredAuthorizationCode | null> {
      const row = await db.authorizationCode.findUnique({
        where: { codeHash },
        include: { grant: { select: { clientId: true, userId: true, revokedAt: true } } },
      });
      if (!row) return null;
      const { grant, createdAt: _createdAt, ...code } = row;
      return {
        ...code,
        clientId: grant.clientId,
        userId: grant.userId,
        grantRevoked: grant.revokedAt !== null,
      };
    },

    /**
     * Marks the code used. Atomic in the database: of any number of parallel redemptions exactly
     * one sees `true` (RFC 6749 §4.1.2: a code is used once; checklist C2).
     */
    async consume(codeHash: string): Promise<boolean> {
      const { count } = await db.authorizationCode.updateMany({
        where: { codeHash, consumedAt: null },
        data: { consumedAt: new Date() },
      });
      return count === 1;
    },
  };
}
