import type OAuth2Server from '@node-oauth/oauth2-server';
import { InvalidGrantError, InvalidScopeError, LibraryAuthorizationCodeGrant } from '../library.js';

interface CodeSteps {
  model: { burnAuthorizationCode(code: OAuth2Server.AuthorizationCode): Promise<void> };
  getAuthorizationCode(
    request: OAuth2Server.Request,
    client: OAuth2Server.Client,
  ): Promise<OAuth2Server.AuthorizationCode>;
  revokeAuthorizationCode(code: OAuth2Server.AuthorizationCode): Promise<OAuth2Server.AuthorizationCode>;
  verifyPKCE(request: OAuth2Server.Request, code: OAuth2Server.AuthorizationCode): void;
  saveToken(
    user: OAuth2Server.User,
    client: OAuth2Server.Client,
    authorizationCode: string,
    scope: string[] | undefined,
  ): Promise<OAuth2Server.Token>;
}

/**
 * The library's authorization code grant, with two changes:
 * - A redirect_uri that differs from the authorization request's, or is missing when that request
 *   had one, is `invalid_grant` (RFC 6749 §4.1.3 and §5.2), where the library says `invalid_request`.
 * - The code is consumed in the same write that stores the tokens (model.saveToken), not in a write
 *   of its own before them: one commit per exchange. A code that fails a check (PKCE, redirect_uri,
 *   scope) is still used up before the error is answered (checklist P4), as the library does.
 */
export class AuthorizationCodeGrant extends LibraryAuthorizationCodeGrant {
  override async handle(
    request: OAuth2Server.Request,
    client: OAuth2Server.Client,
  ): Promise<OAuth2Server.Token> {
    const steps = this as unknown as CodeSteps;
    const code = await steps.getAuthorizationCode(request, client);
    try {
      steps.verifyPKCE(request, code);
      this.validateRedirectUri(request, code);
    } catch (error) {
      await steps.model.burnAuthorizationCode(code);
      throw error;
    }
    await steps.revokeAuthorizationCode(code);
    try {
      return await steps.saveToken(code.user, client, code.authorizationCode, code.scope);
    } catch (error) {
      // The one check of saveToken before the code is spent: the code's scope no longer allowed.
      if (error instanceof InvalidScopeError) await steps.model.burnAuthorizationCode(code);
      throw error;
    }
  }

  validateRedirectUri(request: OAuth2Server.Request, code: OAuth2Server.AuthorizationCode): void {
    if (!code.redirectUri) return;
    if (request.body.redirect_uri !== code.redirectUri) {
      throw new InvalidGrantError('Invalid grant: redirect_uri does not match the authorization request');
    }
  }
}
