import type { AccountRecord } from '../storage/accounts.js';
import type { Storage } from '../storage/index.js';
import type { StoredAccessToken } from '../storage/tokens.js';
import { parseScope } from './scopes.js';

/** A valid access token, as resource endpoints see it. */
export interface AccessGrant {
  clientId: string;
  userId: string | null;
  /** The user's name (null for client-credentials tokens, and for a token whose user is gone). */
  username: string | null;
  scopes: string[];
  expiresAt: Date;
  issuedAt: Date;
}

/** The token's record when it is currently valid: known, not expired, not revoked (nor its grant). */
export function activeAccess(stored: StoredAccessToken | null, now = new Date()): AccessGrant | null {
  if (!stored || stored.revoked || stored.expiresAt <= now) return null;
  return {
    clientId: stored.clientId,
    userId: stored.userId,
    username: stored.username,
    scopes: parseScope(stored.scope),
    expiresAt: stored.expiresAt,
    issuedAt: stored.createdAt,
  };
}

/**
 * The accounts a token reaches (the Appointedd model): the user's accounts, or for a
 * client-credentials token its owner's, narrowed to the client's list unless it may reach all.
 */
export async function reachableAccounts(storage: Storage, access: AccessGrant): Promise<AccountRecord[]> {
  const client = await storage.clients.find(access.clientId);
  if (!client) return [];
  const holder = access.userId ?? client.ownerId;
  if (!holder) return [];
  const accounts = await storage.accounts.ofUser(holder);
  return client.allAccounts ? accounts : accounts.filter((account) => client.accountIds.includes(account.id));
}
