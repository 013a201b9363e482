import type { Db } from './database.js';

export interface AccountRecord {
  id: string;
  name: string;
  createdAt: Date;
}

const fields = { id: true, name: true, createdAt: true } as const;

export function accountStore(db: Db) {
  return {
    create(account: { id: string; name: string }): Promise<AccountRecord> {
      return db.account.create({ data: account, select: fields });
    },

    find(id: string): Promise<AccountRecord | null> {
      return db.account.findUnique({ where: { id }, select: fields });
    },

    list(): Promise<AccountRecord[]> {
      return db.account.findMany({ select: fields, orderBy: { createdAt: 'asc' } });
    },

    async existing(ids: readonly string[]): Promise<string[]> {
      const rows = await db.account.findMany({ where: { id: { in: [...ids] } }, select: { id: true } });
      return rows.map((row) => row.id);
    },

    async addMember(accountId: string, userId: string): Promise<void> {
      await db.accountMember.upsert({
        where: { accountId_userId: { accountId, userId } },
        create: { accountId, userId },
        update: {},
      });
    },

    async ofUser(userId: string): Promise<AccountRecord[]> {
      const rows = await db.accountMember.findMany({
        where: { userId },
        select: { account: { select: fields } },
        orderBy: { createdAt: 'asc' },
      });
      return rows.map((row) => row.account);
    },
  };
}
