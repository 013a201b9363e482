import type OAuth2Server from '@node-oauth/oauth2-server';
import { hashSecret, randomSecret } from '../security/secrets.js';
import type { Storage } from '../storage/index.js';
import type { Spent } from '../storage/tokens.js';
import { authenticateClient } from './client-authentication.js';
import { InvalidGrantError } from './library.js';
import { ADMIN_SCOPE, formatScope, parseScope, type ScopeCatalogue } from './scopes.js';

// The storage model @node-oauth/oauth2-server calls during a token request.

/** Who a token is for: the library calls it `user`. Client-credentials tokens have no user and no grant. */
export interface Principal {
  userId: string | null;
  grantId: string | null;
  /** The end of the grant's refreshing, when an absolute refresh lifetime is set (checklist F5). */
  absoluteExpiresAt: Date | null;
  /**
   * The single-use credential the request spends (the hash of the refresh token or code): saveToken
   * spends it and stores the new tokens in one write.
   */
  spends?: Spent;
}

/** What saveToken returns, and the token response is built from. */
export interface IssuedToken extends OAuth2Server.Token {
  accessTokenLifetime: number;
}

export interface ModelSettings {
  scopes: ScopeCatalogue;
  refreshTokenAbsoluteLifetime: number;
}

export function createModel(storage: Storage, settings: ModelSettings) {
  const model = {
    generateAccessToken: async () => randomSecret(),
    generateRefreshToken: async () => randomSecret(),

    /** The same client authentication as revocation and introspection (client-authentication.ts). */
    async getClient(clientId: string, clientSecret: string | undefined): Promise<OAuth2Server.Client | null> {
      const client = await authenticateClient(storage, clientId, clientSecret);
      return client && toLibraryClient(client);
    },

    /** A code seen again after its use is a replay: the whole grant ends (RFC 6749 §4.1.2; checklist C1). */
    async getAuthorizationCode(code: string): Promise<OAuth2Server.AuthorizationCode | null> {
      const stored = await storage.codes.find(hashSecret(code));
      if (!stored) return null;
      if (stored.consumedAt !== null) {
        await storage.grants.revoke(stored.grantId);
        return null;
      }
      if (stored.grantRevoked) return null;
      const principal: Principal = {
        userId: stored.userId,
        grantId: stored.grantId,
        absoluteExpiresAt: absoluteEnd(settings.refreshTokenAbsoluteLifetime),
      };
      return {
        authorizationCode: stored.codeHash,
        expiresAt: stored.expiresAt,
        redirectUri: stored.redirectUri,
        scope: parseScope(stored.scope),
        client: { id: stored.clientId, grants: [] },
        user: principal,
        codeChallenge: stored.codeChallenge ?? undefined,
        codeChallengeMethod: stored.codeChallengeMethod ?? undefined,
      };
    },

    /**
     * The code is consumed by saveToken, in the same write that stores the tokens (one commit per
     * exchange); of parallel redemptions one wins, the others are replays and end the grant (C2).
     */
    async revokeAuthorizationCode(code: OAuth2Server.AuthorizationCode): Promise<boolean> {
      (code.user as Principal).spends = { kind: 'authorization_code', hash: code.authorizationCode };
      return true;
    },

    /** A code whose exchange failed its checks is used up all the same (checklist P4); a replay ends the grant. */
    async burnAuthorizationCode(code: OAuth2Server.AuthorizationCode): Promise<void> {
      if (!(await storage.codes.consume(code.authorizationCode))) {
        await storage.grants.revoke((code.user as Principal).grantId ?? '');
      }
    },

    /** A rotated refresh token used again ends the whole grant (RFC 9700 §4.14.2; checklist F3). */
    async getRefreshToken(refreshToken: string): Promise<OAuth2Server.RefreshToken | null> {
      const tokenHash = hashSecret(refreshToken);
      const stored = await storage.tokens.findRefresh(tokenHash);
      if (!stored) return null;
      if (stored.revoked) {
        await storage.grants.revoke(stored.grantId);
        return null;
      }
      const principal: Principal = {
        userId: stored.userId,
        grantId: stored.grantId,
        absoluteExpiresAt: stored.absoluteExpiresAt,
      };
      const ends = [stored.expiresAt, stored.absoluteExpiresAt].filter((d): d is Date => d !== null);
      return {
        refreshToken: tokenHash,
        refreshTokenExpiresAt: new Date(Math.min(...ends.map((d) => d.getTime()))),
        scope: parseScope(stored.scope),
        client: { id: stored.clientId, grants: [] },
        user: principal,
      };
    },

    /**
     * Rotation (checklist F3, F4) happens in saveToken: the presented token is retired in the same
     * transaction that stores its successors, so a refresh is one write.
     */
    async revokeToken(token: OAuth2Server.RefreshToken): Promise<boolean> {
      (token.user as Principal).spends = { kind: 'refresh_token', hash: token.refreshToken };
      return true;
    },

    async getUserFromClient(): Promise<Principal> {
      return { userId: null, grantId: null, absoluteExpiresAt: null };
    },

    /** RFC 6749 §3.3 and §4.4.2: only scopes the client is registered for; by default all of them. */
    async validateScope(
      _user: Principal,
      client: OAuth2Server.Client,
      scope: string[] | undefined,
    ): Promise<string[] | false> {
      const allowed = (client.scopes as string[] | undefined) ?? [];
      const requested = scope ?? allowed;
      if (requested.length === 0) return false;
      const ok = requested.every(
        (name) =>
          Object.hasOwn(settings.scopes, name) &&
          allowed.includes(name) &&
          (name !== ADMIN_SCOPE || client.isAdmin === true),
      );
      return ok ? [...new Set(requested)] : false;
    },

    async saveToken(
      token: OAuth2Server.Token,
      client: OAuth2Server.Client,
      user: Principal,
    ): Promise<IssuedToken> {
      const scope = formatScope(token.scope ?? []);
      const accessTokenExpiresAt = token.accessTokenExpiresAt ?? new Date();
      // A refresh token only for a grant, and only for clients registered for refresh_token.
      const refresh =
        token.refreshToken &&
        token.refreshTokenExpiresAt &&
        user.grantId &&
        hasGrantType(client, 'refresh_token')
          ? {
              tokenHash: hashSecret(token.refreshToken),
              expiresAt: earliest(token.refreshTokenExpiresAt, user.absoluteExpiresAt),
              absoluteExpiresAt: user.absoluteExpiresAt,
            }
          : undefined;
      const tokens = {
        clientId: client.id,
        userId: user.userId,
        grantId: user.grantId,
        scope,
        accessTokenHash: hashSecret(token.accessToken),
        accessTokenExpiresAt,
        refresh,
      };
      if (user.spends === undefined) {
        await storage.tokens.save(tokens);
      } else if (!(await storage.tokens.exchange(user.spends, tokens))) {
        // Of parallel exchanges of one code or refresh token one wins; the others are replays and
        // end the grant (C2, F3, F4).
        await storage.grants.revoke(user.grantId ?? '');
        throw new InvalidGrantError(
          user.spends.kind === 'authorization_code'
            ? 'Invalid grant: authorization code is invalid'
            : 'Invalid grant: refresh token is invalid or could not be revoked',
        );
      }
      return {
        accessToken: token.accessToken,
        accessTokenExpiresAt,
        accessTokenLifetime: Math.round((accessTokenExpiresAt.getTime() - Date.now()) / 1000),
        refreshToken: refresh ? token.refreshToken : undefined,
        scope: token.scope,
        client,
        user,
      };
    },

    // Required by the library's types; bearer tokens are checked by our own resource middleware.
    async getAccessToken(): Promise<null> {
      return null;
    },

    async saveAuthorizationCode(): Promise<null> {
      return null;
    },
  };
  return model;
}

function toLibraryClient(client: {
  id: string;
  grantTypes: string[];
  scopes: string[];
  isPublic: boolean;
  isAdmin: boolean;
}): OAuth2Server.Client {
  return {
    id: client.id,
    grants: client.grantTypes,
    scopes: client.scopes,
    isPublic: client.isPublic,
    isAdmin: client.isAdmin,
  };
}

function hasGrantType(client: OAuth2Server.Client, grantType: string): boolean {
  return Array.isArray(client.grants) && client.grants.includes(grantType);
}

function absoluteEnd(lifetime: number): Date | null {
  return lifetime > 0 ? new Date(Date.now() + lifetime * 1000) : null;
}

function earliest(a: Date, b: Date | null): Date {
  return b !== null && b < a ? b : a;
}
