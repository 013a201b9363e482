import type { Sql, Table } from './sql.js';

const GRANT_TABLE: Table = {
  name: '"Grant"',
  columns: ['"id"', '"clientId"', '"userId"', '"scope"', '"createdAt"'],
  types: ['text', 'text', 'text', 'text', 'timestamp(3)'],
};

export function grantStore(sql: Sql) {
  return {
    async create(grant: { id: string; clientId: string; userId: string; scope: string }): Promise<void> {
      await sql.insert([
        { table: GRANT_TABLE, values: [grant.id, grant.clientId, grant.userId, grant.scope, new Date()] },
      ]);
    },

    /**
     * Ends a whole grant: the grant itself, so tokens issued from it later (a race with a code
     * exchange) are dead on arrival, and every token already issued from it (RFC 6819 §5.2.1.1).
     * One transaction, committed before this resolves: every instance sees it on its next read.
     */
    async revoke(grantId: string): Promise<void> {
      const now = new Date();
      await sql.transaction([
        {
          text: 'UPDATE "Grant" SET "revokedAt" = ? WHERE "id" = ? AND "revokedAt" IS NULL',
          values: [now, grantId],
        },
        {
          text: 'UPDATE "AccessToken" SET "revokedAt" = ? WHERE "grantId" = ? AND "revokedAt" IS NULL',
          values: [now, grantId],
        },
        {
          text: 'UPDATE "RefreshToken" SET "revokedAt" = ? WHERE "grantId" = ? AND "revokedAt" IS NULL',
          values: [now, grantId],
        },
      ]);
    },

    /** Every live grant of one user to one client (the "Revoke" button of connected apps). */
    async revokeAllFor(userId: string, clientId: string): Promise<void> {
      const grants = await sql.all<{ id: string }>(
        'SELECT "id" FROM "Grant" WHERE "userId" = ? AND "clientId" = ? AND "revokedAt" IS NULL',
        [userId, clientId],
      );
      for (const grant of grants) await this.revoke(grant.id);
    },
  };
}
