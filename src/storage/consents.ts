import type { Db } from './database.js';
import { fromList, toList } from './lists.js';

export interface ConnectedApp {
  clientId: string;
  clientName: string;
  scopes: string[];
  grantedAt: Date;
}

export function consentStore(db: Db) {
  return {
    async scopesFor(userId: string, clientId: string): Promise<string[] | null> {
      const row = await db.consent.findUnique({
        where: { userId_clientId: { userId, clientId } },
        select: { scope: true },
      });
      return row ? toList(row.scope) : null;
    },

    async remember(userId: string, clientId: string, scopes: readonly string[]): Promise<void> {
      const scope = fromList(scopes);
      await db.consent.upsert({
        where: { userId_clientId: { userId, clientId } },
        create: { userId, clientId, scope },
        update: { scope },
      });
    },

    async forget(userId: string, clientId: string): Promise<boolean> {
      const { count } = await db.consent.deleteMany({ where: { userId, clientId } });
      return count === 1;
    },

    async ofUser(userId: string): Promise<ConnectedApp[]> {
      const rows = await db.consent.findMany({
        where: { userId },
        select: { clientId: true, scope: true, updatedAt: true, client: { select: { name: true } } },
        orderBy: { updatedAt: 'desc' },
      });
      return rows.map((row) => ({
        clientId: row.clientId,
        clientName: row.client.name,
        scopes: toList(row.scope),
        grantedAt: row.updatedAt,
      }));
    },
  };
}
