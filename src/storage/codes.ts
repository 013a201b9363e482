import { asDate, asDateOrNull, type KeyedQuery, type Sql, type Table } from './sql.js';

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
      await sql.insert([
        {
          table: CODE_TABLE,
          values: [
            code.codeHash,
            code.grantId,
            code.redirectUri,
            code.scope,
            code.codeChallenge,
            code.codeChallengeMethod,
            code.expiresAt,
            new Date(),
          ],
        },
      ]);
    },

    /** One indexed read: the code, its grant's client and user, and whether the grant was revoked. */
    async find(codeHash: string): Promise<StoredAuthorizationCode | null> {
      const row = await sql.getBy<CodeRow>(FIND_CODE, codeHash);
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

const CODE_TABLE: Table = {
  name: '"AuthorizationCode"',
  columns: [
    '"codeHash"',
    '"grantId"',
    '"redirectUri"',
    '"scope"',
    '"codeChallenge"',
    '"codeChallengeMethod"',
    '"expiresAt"',
    '"createdAt"',
  ],
  types: ['text', 'text', 'text', 'text', 'text', 'text', 'timestamp(3)', 'timestamp(3)'],
};

const FIND_CODE: KeyedQuery = {
  select:
    'c."codeHash", c."grantId", c."redirectUri", c."scope", c."codeChallenge", c."codeChallengeMethod", ' +
    'c."expiresAt", c."consumedAt", g."clientId", g."userId", g."revokedAt" AS "grantRevokedAt"',
  from: '"AuthorizationCode" c JOIN "Grant" g ON g."id" = c."grantId"',
  key: 'c."codeHash"',
};

const CONSUME_CODE =
  'UPDATE "AuthorizationCode" SET "consumedAt" = ? WHERE "codeHash" = ? AND "consumedAt" IS NULL';
