import { hashSecret } from '../security/secrets.js';
import type { AccountRecord } from '../storage/accounts.js';
import type { Storage } from '../storage/index.js';
import type { StoredRefreshToken } from '../storage/tokens.js';
import { type AccessGrant, activeAccess } from './access.js';
import { searchOrder } from './revocation.js';
import { parseScope } from './scopes.js';

// Token introspection (RFC 7662 §2.2), after the caller has authenticated as a confidential client.

export interface IntrospectionResponse {
  active: boolean;
  scope?: string;
  client_id?: string;
  username?: string;
  sub?: string;
  token_type?: 'Bearer' | 'refresh_token';
  exp?: number;
  iat?: number;
  iss?: string;
  /** The accounts the token reaches (as /api/v1/accounts answers it). */
  accounts?: { id: string; name: string }[];
}

/** RFC 7662 §2.2: anything not currently valid is only `active: false`, without a reason. */
export const INACTIVE: IntrospectionResponse = { active: false };

/** Tokens we issue are 43 characters; anything much longer is not ours and is not looked up. */
const MAX_TOKEN_LENGTH = 512;

export async function introspectToken(
  storage: Storage,
  issuer: string,
  token: string,
  hint: string | undefined,
): Promise<IntrospectionResponse> {
  if (token === '' || token.length > MAX_TOKEN_LENGTH) return INACTIVE;
  const tokenHash = hashSecret(token);
  const now = Date.now();
  for (const type of searchOrder(hint)) {
    const found =
      type === 'access_token'
        ? activeAccess(await storage.tokens.findAccess(tokenHash), now)
        : activeRefresh(await storage.tokens.findRefresh(tokenHash), now);
    if (found) {
      const accounts = await storage.accounts.reachableWith(type, tokenHash);
      return describe(issuer, found, type === 'access_token' ? 'Bearer' : 'refresh_token', accounts);
    }
  }
  return INACTIVE;
}

/** A refresh token that can still be used: known, not rotated or revoked (nor its grant), not expired. */
function activeRefresh(stored: StoredRefreshToken | null, now: number): AccessGrant | null {
  if (!stored || stored.revoked) return null;
  // The sooner of its two ends: idle expiry and, where configured, the absolute lifetime (checklist F5).
  const { absoluteExpiresAt } = stored;
  const expiresAt =
    absoluteExpiresAt !== null && absoluteExpiresAt.getTime() < stored.expiresAt.getTime()
      ? absoluteExpiresAt
      : stored.expiresAt;
  if (expiresAt.getTime() <= now) return null;
  return {
    tokenHash: stored.tokenHash,
    clientId: stored.clientId,
    userId: stored.userId,
    username: stored.username,
    scopes: parseScope(stored.scope),
    expiresAt,
    issuedAt: stored.createdAt,
  };
}

function describe(
  issuer: string,
  grant: AccessGrant,
  tokenType: 'Bearer' | 'refresh_token',
  accounts: AccountRecord[],
): IntrospectionResponse {
  // A token whose user is gone is no longer valid (its rows normally go with the user).
  if (grant.userId && grant.username === null) return INACTIVE;
  // Client-credentials tokens act for the client alone: no username, no sub (undefined is left out).
  const { userId, username } = grant;
  const forUser = userId !== null && username !== null;
  return {
    active: true,
    scope: grant.scopes.join(' '),
    client_id: grant.clientId,
    username: forUser ? username : undefined,
    sub: forUser ? userId : undefined,
    token_type: tokenType,
    exp: Math.floor(grant.expiresAt.getTime() / 1000),
    iat: Math.floor(grant.issuedAt.getTime() / 1000),
    iss: issuer,
    accounts: accounts.map((account) => ({ id: account.id, name: account.name })),
  };
}
