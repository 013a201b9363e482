import { createHash } from 'node:crypto';
import { createAuthorizationResponder } from '../../src/oauth/authorization-response.js';
import { randomSecret } from '../../src/security/secrets.js';
import type { ClientRecord } from '../../src/storage/clients.js';
import type { Storage } from '../../src/storage/index.js';

export interface ApprovedCode {
  code: string;
  /** The PKCE code verifier its S256 challenge was made from (RFC 7636 §4.1). */
  verifier: string;
}

/**
 * Codes as the authorization response makes them after the user's "Allow" (a grant and a code,
 * PKCE S256, scope "read"), without the sign-in and consent pages: for the benchmark and the tests
 * that need many. Each call makes one.
 */
export function codeMinter(
  storage: Storage,
  grant: { client: ClientRecord; userId: string; redirectUri: string },
): () => Promise<ApprovedCode> {
  const responder = createAuthorizationResponder(storage, {
    issuer: 'http://127.0.0.1',
    authorizationCodeLifetime: 600,
    implicitAccessTokenLifetime: 900,
  });
  return async () => {
    const verifier = randomSecret();
    const location = await responder.approve(
      {
        client: grant.client,
        redirectUri: grant.redirectUri,
        redirectUriSent: true,
        responseType: 'code',
        scopes: ['read'],
        state: undefined,
        codeChallenge: createHash('sha256').update(verifier).digest('base64url'),
        parameters: {},
      },
      grant.userId,
    );
    const code = new URL(location).searchParams.get('code');
    if (!code) throw new Error('the authorization response carried no code');
    return { code, verifier };
  };
}
