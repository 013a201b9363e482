import type { StoredAccessToken } from '../storage/tokens.js';

/** A valid access token, as resource endpoints see it. */
export interface AccessGrant {
  /** The hash of the token: what the token's own records are found by. */
  tokenHash: string;
  clientId: string;
  userId: string | null;
  /** The user's name (null for client-credentials tokens, and for a token whose user is gone). */
  username: string | null;
  scopes: readonly string[];
  expiresAt: Date;
  issuedAt: Date;
}

/**
 * The token's record when it is currently valid: known, not expired, not revoked (nor its grant).
 * `now` in milliseconds since 1970.
 */
export function activeAccess(stored: StoredAccessToken | null, now = Date.now()): AccessGrant | null {
  if (!stored || stored.revoked || stored.expiresAt.getTime() <= now) return null;
  return {
    tokenHash: stored.tokenHash,
    clientId: stored.clientId,
    userId: stored.userId,
    username: stored.username,
    scopes: stored.scopes,
    expiresAt: stored.expiresAt,
    issuedAt: stored.createdAt,
  };
}
