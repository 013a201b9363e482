import { hashSecret } from '../security/secrets.js';
import type { Storage } from '../storage/index.js';

// Token revocation (RFC 7009 §2.1), after the client has authenticated.

export type TokenTypeHint = 'access_token' | 'refresh_token';

/** RFC 7009 §2.1: a hint we do not know is ignored; the search covers every token type anyway. */
export function searchOrder(hint: string | undefined): TokenTypeHint[] {
  return hint === 'refresh_token' ? ['refresh_token', 'access_token'] : ['access_token', 'refresh_token'];
}

/**
 * Revokes `token` if it was issued to `clientId`. Unknown tokens and other clients' tokens change
 * nothing and are not told apart (RFC 7009 §2.2: the answer is 200 either way). A storage failure
 * propagates: the caller must never answer 200 for a revocation that did not happen (checklist V1).
 */
export async function revokeToken(
  storage: Storage,
  clientId: string,
  token: string,
  hint: string | undefined,
): Promise<void> {
  const tokenHash = hashSecret(token);
  for (const type of searchOrder(hint)) {
    if (type === 'refresh_token') {
      const refresh = await storage.tokens.findRefresh(tokenHash);
      if (!refresh) continue;
      // RFC 7009 §2.1: the token must have been issued to the client making the request.
      // Revoking a refresh token ends its whole grant, every access token with it (RFC 7009 §2.1).
      if (refresh.clientId === clientId) await storage.grants.revoke(refresh.grantId);
      return;
    }
    const access = await storage.tokens.findAccess(tokenHash);
    if (!access) continue;
    if (access.clientId === clientId) await storage.tokens.revokeAccess(tokenHash);
    return;
  }
}
