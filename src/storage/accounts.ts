import type { Db } from './database.js';
import { asDate, type KeyedQuery, type Sql } from './sql.js';

const ACCOUNTS_OF_USER: KeyedQuery = {
  select: 'a."id", a."name", a."createdAt"',
  from: '"AccountMember" m JOIN "Account" a ON a."id" = m."accountId"',
  key: 'm."userId"',
  orderBy: 'm."createdAt", m."accountId"',
};

export interface AccountRecord {
  id: string;
  name: string;
  createdAt: Date;
}

const fields = { id: true, name: true, createdAt: true } as const;

export function accountStore(db: Db, sql: Sql) {
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

    /** Hand-written SQL: introspection and /api/v1/accounts read it on every request. */
    async ofUser(userId: string): Promise<AccountRecord[]> {
      const rows = await sql.allBy<{ id: string; name: string; createdAt: unknown }>(
        ACCOUNTS_OF_USER,
        userId,
      );
      return rows.map((row) => ({ ...row, createdAt: asDate(row.createdAt) }));
    },
  };
}
