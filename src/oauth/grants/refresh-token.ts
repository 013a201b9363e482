import type OAuth2Server from '@node-oauth/oauth2-server';
import { LibraryRefreshTokenGrant } from '../library.js';

interface RefreshSteps {
  getRefreshToken(
    request: OAuth2Server.Request,
    client: OAuth2Server.Client,
  ): Promise<OAuth2Server.RefreshToken>;
  getScope(request: OAuth2Server.Request, token: OAuth2Server.RefreshToken): string[] | undefined;
  revokeToken(token: OAuth2Server.RefreshToken): Promise<OAuth2Server.RefreshToken>;
  saveToken(
    user: OAuth2Server.User,
    client: OAuth2Server.Client,
    scope: string[] | undefined,
  ): Promise<OAuth2Server.Token>;
}

/**
 * The library's refresh token grant, with its steps reordered: the scope is checked before the
 * token is rotated, so asking to widen the scope fails without burning the token
 * (RFC 6749 §6; checklist F2). The library rotates first.
 */
export class RefreshTokenGrant extends LibraryRefreshTokenGrant {
  override async handle(
    request: OAuth2Server.Request,
    client: OAuth2Server.Client,
  ): Promise<OAuth2Server.Token> {
    const steps = this as unknown as RefreshSteps;
    const token = await steps.getRefreshToken(request, client);
    const scope = steps.getScope(request, token);
    await steps.revokeToken(token);
    return steps.saveToken(token.user, client, scope);
  }
}
