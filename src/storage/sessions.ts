import type { Db } from './database.js';

export interface SessionUser {
  userId: string;
  username: string;
}

export function sessionStore(db: Db) {
  return {
    async create(session: { idHash: string; userId: string; expiresAt: Date }): Promise<void> {
      await db.session.create({ data: session });
    },

    async find(idHash: string): Promise<SessionUser | null> {
      const row = await db.session.findUnique({
        where: { idHash },
        select: { expiresAt: true, user: { select: { id: true, username: true } } },
      });
      if (!row || row.expiresAt <= new Date()) return null;
      return { userId: row.user.id, username: row.user.username };
    },

    async delete(idHash: string): Promise<void> {
      await db.session.deleteMany({ where: { idHash } });
    },
  };
}
