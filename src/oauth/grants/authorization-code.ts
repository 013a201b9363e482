import type OAuth2Server from '@node-oauth/oauth2-server';
import { InvalidGrantError, LibraryAuthorizationCodeGrant } from '../library.js';

/**
 * The library's authorization code grant (it consumes the code before checking PKCE, so a failed
 * verifier burns the code: checklist P4), with one correction: a redirect_uri that differs from the
 * authorization request's, or is missing when that request had one, is `invalid_grant`
 * (RFC 6749 §4.1.3 and §5.2), where the library says `invalid_request`.
 */
export class AuthorizationCodeGrant extends LibraryAuthorizationCodeGrant {
  validateRedirectUri(request: OAuth2Server.Request, code: OAuth2Server.AuthorizationCode): void {
    if (!code.redirectUri) return;
    if (request.body.redirect_uri !== code.redirectUri) {
      throw new InvalidGrantError('Invalid grant: redirect_uri does not match the authorization request');
    }
  }
}
