import { hashSecret, randomSecret, timeOrderedId } from '../security/secrets.js';
import type { Storage } from '../storage/index.js';
import { buildRedirect, type ValidAuthorizationRequest } from './authorization-request.js';
import { formatScope } from './scopes.js';

// Successful and denied authorization responses (RFC 6749 §4.1.2, §4.2.2), each carrying `iss`
// (RFC 9207 §2) and the request's `state`.

export interface AuthorizationResponseSettings {
  issuer: string;
  authorizationCodeLifetime: number;
  implicitAccessTokenLifetime: number;
}

export function createAuthorizationResponder(storage: Storage, settings: AuthorizationResponseSettings) {
  return {
    /** Records the grant and returns where to send the browser: with a code, or a token in the fragment. */
    async approve(request: ValidAuthorizationRequest, userId: string): Promise<string> {
      const grantId = timeOrderedId();
      const scope = formatScope(request.scopes);
      await storage.grants.create({ id: grantId, clientId: request.client.id, userId, scope });

      if (request.responseType === 'code') {
        const code = randomSecret();
        await storage.codes.save({
          codeHash: hashSecret(code),
          grantId,
          // RFC 6749 §4.1.3: only a redirect_uri that was sent must be repeated at the token endpoint.
          redirectUri: request.redirectUriSent ? request.redirectUri : '',
          scope,
          codeChallenge: request.codeChallenge ?? null,
          codeChallengeMethod: request.codeChallenge ? 'S256' : null,
          expiresAt: new Date(Date.now() + settings.authorizationCodeLifetime * 1000),
        });
        return buildRedirect(
          request.redirectUri,
          { code, state: request.state, iss: settings.issuer },
          false,
        );
      }

      // RFC 6749 §4.2.2 and RFC 9700 §2.1.2 (checklist I1): a short-lived token, in the fragment only,
      // and never a refresh token.
      const accessToken = randomSecret();
      await storage.tokens.save({
        clientId: request.client.id,
        userId,
        grantId,
        scope,
        accessTokenHash: hashSecret(accessToken),
        accessTokenExpiresAt: new Date(Date.now() + settings.implicitAccessTokenLifetime * 1000),
      });
      return buildRedirect(
        request.redirectUri,
        {
          access_token: accessToken,
          token_type: 'Bearer',
          expires_in: String(settings.implicitAccessTokenLifetime),
          scope,
          state: request.state,
          iss: settings.issuer,
        },
        true,
      );
    },

    /** RFC 6749 §4.1.2.1: the user said no (checklist A8). */
    deny(request: ValidAuthorizationRequest): string {
      return buildRedirect(
        request.redirectUri,
        {
          error: 'access_denied',
          error_description: 'the user denied the request',
          state: request.state,
          iss: settings.issuer,
        },
        request.responseType === 'token',
      );
    },
  };
}
