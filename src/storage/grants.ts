import type { Db } from './database.js';

export function grantStore(db: Db) {
  return {
    async create(grant: { id: string; clientId: string; userId: string; scope: string }): Promise<void> {
      await db.grant.create({ data: grant });
    },

    /**
     * Ends a whole grant: the grant itself, so tokens issued from it later (a race with a code
     * exchange) are dead on arrival, and every token already issued from it (RFC 6819 §5.2.1.1).
     */
    async revoke(grantId: string): Promise<void> {
      const now = new Date();
      await db.$transaction([
        db.grant.updateMany({ where: { id: grantId, revokedAt: null }, data: { revokedAt: now } }),
        db.accessToken.updateMany({ where: { grantId, revokedAt: null }, data: { revokedAt: now } }),
        db.refreshToken.updateMany({ where: { grantId, revokedAt: null }, data: { revokedAt: now } }),
      ]);
    },

    /** Every live grant of one user to one client (the "Revoke" button of connected apps). */
    async revokeAllFor(userId: string, clientId: string): Promise<void> {
      const grants = await db.grant.findMany({
        where: { userId, clientId, revokedAt: null },
        select: { id: true },
      });
      for (const grant of grants) await this.revoke(grant.id);
    },
  };
}
