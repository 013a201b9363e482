import { type CacheEpoch, cachedLookup } from './cache-epoch.js';
import type { Db } from './database.js';
import { fromList, toList } from './lists.js';
import { asBoolean, asDateOrNull, type KeyedQuery, type Sql } from './sql.js';
import type { ThrottlePolicy } from './throttle.js';

export interface ClientRecord {
  id: string;
  name: string;
  description: string;
  isPublic: boolean;
  isAdmin: boolean;
  redirectUris: string[];
  grantTypes: string[];
  scopes: string[];
  ownerId: string | null;
  allAccounts: boolean;
  accountIds: string[];
  createdAt: Date;
  /** Never shown: only compared (hashSecret of the presented secret). */
  secretHash: string | null;
}

/** What the token endpoint needs to authenticate a client: one row, no joins. */
export interface ClientCredentialsRecord {
  id: string;
  secretHash: string | null;
  isPublic: boolean;
  isAdmin: boolean;
  grantTypes: string[];
  scopes: string[];
  authLockedUntil: Date | null;
}

export interface NewClient extends Omit<ClientRecord, 'createdAt'> {}

export type ClientChanges = Partial<
  Pick<
    ClientRecord,
    'name' | 'description' | 'redirectUris' | 'grantTypes' | 'scopes' | 'allAccounts' | 'accountIds'
  >
>;

type Row = NonNullable<Awaited<ReturnType<Db['client']['findUnique']>>> & {
  accounts: { accountId: string }[];
};

function toRecord(row: Row): ClientRecord {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    isPublic: row.isPublic,
    isAdmin: row.isAdmin,
    redirectUris: toList(row.redirectUris),
    grantTypes: toList(row.grantTypes),
    scopes: toList(row.scopes),
    ownerId: row.ownerId,
    allAccounts: row.allAccounts,
    accountIds: row.accounts.map((a) => a.accountId),
    createdAt: row.createdAt,
    secretHash: row.secretHash,
  };
}

const withAccounts = { accounts: { select: { accountId: true } } } as const;

/** Clients whose credentials are kept in memory at most (cache-epoch.ts). */
const CACHED_CLIENTS = 1_000;

export function clientStore(db: Db, sql: Sql, epoch: CacheEpoch) {
  // Shared by the requests of one client: never changed by its users.
  async function readCredentials(id: string): Promise<ClientCredentialsRecord | null> {
    const row = await sql.getBy<CredentialsRow>(FIND_CREDENTIALS, id);
    if (!row) return null;
    return {
      id: row.id,
      secretHash: row.secretHash,
      isPublic: asBoolean(row.isPublic),
      isAdmin: asBoolean(row.isAdmin),
      grantTypes: toList(row.grantTypes),
      scopes: toList(row.scopes),
      authLockedUntil: asDateOrNull(row.authLockedUntil),
    };
  }
  const credentials = cachedLookup(epoch, CACHED_CLIENTS, readCredentials);

  return {
    async create(client: NewClient): Promise<ClientRecord> {
      const row = await db.client.create({
        data: {
          id: client.id,
          secretHash: client.secretHash,
          name: client.name,
          description: client.description,
          isPublic: client.isPublic,
          isAdmin: client.isAdmin,
          redirectUris: fromList(client.redirectUris),
          grantTypes: fromList(client.grantTypes),
          scopes: fromList(client.scopes),
          ownerId: client.ownerId,
          allAccounts: client.allAccounts,
          accounts: { create: client.accountIds.map((accountId) => ({ accountId })) },
        },
        include: withAccounts,
      });
      return toRecord(row);
    },

    async find(id: string): Promise<ClientRecord | null> {
      const row = await db.client.findUnique({ where: { id }, include: withAccounts });
      return row ? toRecord(row) : null;
    },

    /**
     * What client authentication reads on every token, revocation and introspection request: one
     * row, or the cached one while nothing that could change it was committed (cache-epoch.ts).
     */
    findCredentials(id: string): Promise<ClientCredentialsRecord | null> {
      return credentials.get(id);
    },

    /**
     * Counts a failed authentication; past the policy's limit the client is locked out for a while.
     * The count is incremented in the database, never read-modified-written, so a burst of parallel
     * guesses is counted in full (checklist T2).
     */
    async recordAuthFailure(id: string, policy: ThrottlePolicy): Promise<void> {
      const now = new Date();
      const windowOpenedAfter = new Date(now.getTime() - policy.windowSeconds * 1000);
      for (let attempt = 0; attempt < 3; attempt++) {
        const { count } = await db.client.updateMany({
          where: { id, authWindowStart: { gt: windowOpenedAfter } },
          data: { authFailures: { increment: 1 } },
        });
        if (count === 1) break;
        // No open window: open one with this failure. A parallel request may win that race; then count again.
        const opened = await db.client.updateMany({
          where: { id, OR: [{ authWindowStart: null }, { authWindowStart: { lte: windowOpenedAfter } }] },
          data: { authFailures: 1, authWindowStart: now },
        });
        if (opened.count === 1) break;
      }
      const row = await db.client.findUnique({ where: { id }, select: { authFailures: true } });
      if (!row || row.authFailures < policy.limit) return;
      const lockSeconds = Math.min(
        policy.lockSeconds * 2 ** (row.authFailures - policy.limit),
        policy.maxLockSeconds,
      );
      await db.client.updateMany({
        where: { id },
        data: { authLockedUntil: new Date(now.getTime() + lockSeconds * 1000) },
      });
    },

    async list(): Promise<ClientRecord[]> {
      const rows = await db.client.findMany({ include: withAccounts, orderBy: { createdAt: 'asc' } });
      return rows.map(toRecord);
    },

    async update(id: string, changes: ClientChanges): Promise<ClientRecord | null> {
      const found = await db.client.findUnique({ where: { id }, select: { id: true } });
      if (!found) return null;
      const row = await db.client.update({
        where: { id },
        data: {
          name: changes.name,
          description: changes.description,
          redirectUris: changes.redirectUris && fromList(changes.redirectUris),
          grantTypes: changes.grantTypes && fromList(changes.grantTypes),
          scopes: changes.scopes && fromList(changes.scopes),
          allAccounts: changes.allAccounts,
          accounts: changes.accountIds && {
            deleteMany: {},
            create: changes.accountIds.map((accountId) => ({ accountId })),
          },
        },
        include: withAccounts,
      });
      return toRecord(row);
    },

    async setSecretHash(id: string, secretHash: string): Promise<boolean> {
      const { count } = await db.client.updateMany({ where: { id, isPublic: false }, data: { secretHash } });
      return count === 1;
    },

    /** Its grants, codes and tokens go with it (foreign keys cascade). */
    async delete(id: string): Promise<boolean> {
      const { count } = await db.client.deleteMany({ where: { id } });
      return count === 1;
    },
  };
}

interface CredentialsRow {
  id: string;
  secretHash: string | null;
  isPublic: unknown;
  isAdmin: unknown;
  grantTypes: string;
  scopes: string;
  authLockedUntil: unknown;
}

const FIND_CREDENTIALS: KeyedQuery = {
  select: '"id", "secretHash", "isPublic", "isAdmin", "grantTypes", "scopes", "authLockedUntil"',
  from: '"Client"',
  key: '"id"',
};
