import type { Db } from './database.js';

export interface UserRecord {
  id: string;
  username: string;
  email: string | null;
  createdAt: Date;
}

const publicFields = { id: true, username: true, email: true, createdAt: true } as const;

export function userStore(db: Db) {
  return {
    create(user: {
      id: string;
      username: string;
      email: string | null;
      passwordHash: string;
    }): Promise<UserRecord> {
      return db.user.create({ data: user, select: publicFields });
    },

    find(id: string): Promise<UserRecord | null> {
      return db.user.findUnique({ where: { id }, select: publicFields });
    },

    findByUsername(username: string): Promise<UserRecord | null> {
      return db.user.findUnique({ where: { username }, select: publicFields });
    },

    /** Only for sign-in: the hash never travels further than the password check. */
    findCredentials(username: string): Promise<{ id: string; passwordHash: string } | null> {
      return db.user.findUnique({ where: { username }, select: { id: true, passwordHash: true } });
    },

    list(): Promise<UserRecord[]> {
      return db.user.findMany({ select: publicFields, orderBy: { createdAt: 'asc' } });
    },

    async setPasswordHash(username: string, passwordHash: string): Promise<boolean> {
      const { count } = await db.user.updateMany({ where: { username }, data: { passwordHash } });
      return count === 1;
    },

    /** Sessions, grants, tokens and consents go with the user (foreign keys cascade). */
    async delete(username: string): Promise<boolean> {
      const { count } = await db.user.deleteMany({ where: { username } });
      return count === 1;
    },
  };
}
