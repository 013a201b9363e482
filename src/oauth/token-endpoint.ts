import type { Storage } from '../storage/index.js';
import { OAuthError } from './errors.js';
import { AuthorizationCodeGrant } from './grants/authorization-code.js';
import { ClientCredentialsGrant } from './grants/client-credentials.js';
import { RefreshTokenGrant } from './grants/refresh-token.js';
import { LibraryOAuthError, OAuth2Server } from './library.js';
import { createModel, type IssuedToken } from './model.js';
import type { ScopeCatalogue } from './scopes.js';

// The token endpoint (RFC 6749 §3.2), as a chain of small steps around @node-oauth/oauth2-server:
// parameters → client authentication method → grant type known → the library's grant → response.

export interface TokenEndpointSettings {
  scopes: ScopeCatalogue;
  accessTokenLifetime: number;
  refreshTokenIdleLifetime: number;
  refreshTokenAbsoluteLifetime: number;
}

export interface TokenRequest {
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
}

export interface TokenResponse {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

const SUPPORTED_GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials'];
/** Parameters that must never travel in a URL (RFC 6749 §2.3.1, §3.2; checklist T1). */
const BODY_ONLY = ['client_secret', 'code', 'code_verifier', 'refresh_token', 'client_id', 'grant_type'];

export function createTokenEndpoint(storage: Storage, settings: TokenEndpointSettings) {
  const model = createModel(storage, settings);
  const server = new OAuth2Server({
    model,
    accessTokenLifetime: settings.accessTokenLifetime,
    refreshTokenLifetime: settings.refreshTokenIdleLifetime,
    alwaysIssueNewRefreshToken: true,
    // Public clients (no secret) may redeem codes with PKCE and refresh; confidential ones are held to
    // their secret by model.getClient, which never returns a confidential client without one.
    requireClientAuthentication: { authorization_code: false, refresh_token: false },
    extendedGrantTypes: {
      authorization_code: AuthorizationCodeGrant,
      refresh_token: RefreshTokenGrant,
      client_credentials: ClientCredentialsGrant,
    } as unknown as Record<string, typeof OAuth2Server.AbstractGrantType>,
  });

  return async function token(request: TokenRequest): Promise<TokenResponse> {
    const usedBasic = /^basic /i.test(String(request.headers.authorization ?? ''));
    try {
      const body = checkParameters(request, usedBasic);
      const { authorization: _basic, ...headers } = flatHeaders(request.headers);
      if (usedBasic) Object.assign(body, basicCredentials(String(request.headers.authorization), body));
      const issued = (await server.token(
        new OAuth2Server.Request({
          method: 'POST',
          query: {},
          // The body was parsed and checked already (form or JSON), and HTTP Basic credentials decoded
          // into it: the library reads only this copy.
          headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
          body,
        }),
        new OAuth2Server.Response(),
      )) as IssuedToken;
      return { status: 200, headers: {}, body: tokenBody(issued) };
    } catch (error) {
      const oauthError = toOAuthError(error);
      const headers: Record<string, string> = {};
      // RFC 6749 §5.2: a client that tried HTTP Basic gets 401 with a challenge.
      if (oauthError.error === 'invalid_client' && usedBasic) {
        headers['www-authenticate'] = 'Basic realm="appointman", charset="UTF-8"';
      }
      const status = oauthError.error === 'invalid_client' ? 401 : oauthError.status;
      return {
        status,
        headers,
        body: { error: oauthError.error, error_description: oauthError.description },
      };
    }
  };
}

function checkParameters(request: TokenRequest, usedBasic: boolean): Record<string, string | number> {
  const inQuery = BODY_ONLY.find((name) => request.query[name] !== undefined);
  if (inQuery)
    throw new OAuthError('invalid_request', `${inQuery} must be sent in the request body, not the URL`);
  const body: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(request.body)) {
    // RFC 6749 §3.2: parameters MUST NOT be included more than once.
    if (Array.isArray(value))
      throw new OAuthError('invalid_request', `parameter ${name} was sent more than once`);
    if (typeof value === 'string') body[name] = value;
    else if (name === 'expires_in') {
      // Read only by the client credentials grant, which refuses anything but a whole number in its
      // range (a JSON null, true or object included); the other grants ignore it (RFC 6749 §3.2).
      body[name] = typeof value === 'number' ? value : String(JSON.stringify(value));
    } else if (value !== undefined && value !== null) {
      throw new OAuthError('invalid_request', `parameter ${name} must be a string`);
    }
  }
  // RFC 6749 §2.3: one client authentication method per request.
  if (usedBasic && body.client_secret !== undefined) {
    throw new OAuthError('invalid_request', 'use either HTTP Basic or client_secret in the body, not both');
  }
  const grantType = body.grant_type;
  if (grantType === undefined) throw new OAuthError('invalid_request', 'grant_type is missing');
  if (typeof grantType !== 'string' || !SUPPORTED_GRANT_TYPES.includes(grantType)) {
    throw new OAuthError('unsupported_grant_type', 'grant_type is not supported');
  }
  return body;
}

/**
 * RFC 6749 §2.3.1: the Basic user name and password are the client_id and client_secret, each
 * form-encoded before base64 (strict clients encode "-", "_" and "." too). The library would use
 * them undecoded, so they are decoded here and handed to it as body credentials.
 */
function basicCredentials(
  header: string,
  body: Record<string, string | number>,
): { client_id: string; client_secret: string } {
  const encoded = header.slice(6).trim();
  const decoded = /^[A-Za-z0-9+/]+={0,2}$/.test(encoded)
    ? Buffer.from(encoded, 'base64').toString('utf8')
    : '';
  const colon = decoded.indexOf(':');
  let credentials: { client_id: string; client_secret: string } | undefined;
  try {
    if (colon > 0) {
      credentials = {
        client_id: formDecode(decoded.slice(0, colon)),
        client_secret: formDecode(decoded.slice(colon + 1)),
      };
    }
  } catch {
    credentials = undefined;
  }
  if (!credentials) throw new OAuthError('invalid_client', 'the HTTP Basic credentials are malformed', 401);
  if (body.client_id !== undefined && body.client_id !== credentials.client_id) {
    throw new OAuthError('invalid_request', 'client_id in the body differs from the HTTP Basic credentials');
  }
  return credentials;
}

function formDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

function tokenBody(issued: IssuedToken): Record<string, unknown> {
  return {
    access_token: issued.accessToken,
    token_type: 'Bearer',
    expires_in: issued.accessTokenLifetime,
    ...(issued.refreshToken ? { refresh_token: issued.refreshToken } : {}),
    scope: (issued.scope ?? []).join(' '),
  };
}

/** The library's errors keep their code and fixed description; anything else is not for the client. */
function toOAuthError(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error;
  if (error instanceof LibraryOAuthError) {
    const libraryError = error as InstanceType<typeof LibraryOAuthError> & { inner?: unknown };
    if (libraryError.code < 500 && libraryError.name !== 'invalid_argument') {
      return new OAuthError(
        libraryError.name as OAuthError['error'],
        libraryError.message,
        libraryError.code,
      );
    }
    // The library wraps unexpected failures (a database error, say) in its ServerError.
    throw libraryError.inner ?? error;
  }
  throw error;
}

function flatHeaders(headers: TokenRequest['headers']): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') flat[name] = value;
  }
  return flat;
}
