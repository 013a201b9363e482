import { asDate, asDateOrNull, type Sql } from './sql.js';

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

export function codeStore(sql: Sql) {
  return {
    async save(code: NewAuthorizationCode): Promise<void> {
      await sql.run(INSERT_CODE, [
        code.codeHash,
        code.grantId,
        code.redirectUri,
        code.scope,
        code.codeChallenge,
        code.codeChallengeMethod,
        code.expiresAt,
        new Date(),
      ]);
    },

    /** One indexed read: the code, its grant's client and user, and whether the grant was revoked. */
    async find(codeHash: string): Promise<StoredAuthorizationCode | null> {
      const row = await sql.get<CodeRow>(FIND_CODE, [codeHash]);
      if (!row) return null;
      return {
        codeHash: row.codeHash,
        grantId: row.grantId,
        redirectUri: row.redirectUri,
        scope: row.scope,
        codeChallenge: row.codeChallenge,
        codeChallengeMethod: row.codeChallengeMethod,
        expiresAt: asDate(row.expiresAt),
        consumedAt: asDateOrNull(row.consumedAt),
        clientId: row.clientId,
        userId: row.userId,
        grantRevoked: row.grantRevokedAt !== null,
      };
    },

    /**
     * Marks the code used. Atomic in the database: of any number of parallel redemptions exactly
     * one sees `true` (RFC 6749 §4.1.2: a code is used once; checklist C2).
     */
    async consume(codeHash: string): Promise<boolean> {
      return (await sql.run(CONSUME_CODE, [new Date(), codeHash])) === 1;
    },
  };
}

interface CodeRow {
  codeHash: string;
  grantId: string;
  redirectUri: string;
  scope: string;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  expiresAt: unknown;
  consumedAt: unknown;
  clientId: string;
  userId: string;
  grantRevokedAt: unknown;
}

const INSERT_CODE =
  'INSERT INTO "AuthorizationCode" ("codeHash", "grantId", "redirectUri", "scope", "codeChallenge", ' +
  '"codeChallengeMethod", "expiresAt", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?)';

const FIND_CODE =
  'SELECT c."codeHash", c."grantId", c."redirectUri", c."scope", c."codeChallenge", c."codeChallengeMethod", ' +
  'c."expiresAt", c."consumedAt", g."clientId", g."userId", g."revokedAt" AS "grantRevokedAt" ' +
  'FROM "AuthorizationCode" c JOIN "Grant" g ON g."id" = c."grantId" WHERE c."codeHash" = ?';

const CONSUME_CODE =
  'UPDATE "AuthorizationCode" SET "consumedAt" = ? WHERE "codeHash" = ? AND "consumedAt" IS NULL';
