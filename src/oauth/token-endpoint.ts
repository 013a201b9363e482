import type { Storage } from '../storage/index.js';
import { presentedCredentials } from './client-authentication.js';
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

const FORM = 'application/x-www-form-urlencoded';

/**
 * The library's view of a token request: a form whose body is the one we parsed (from a form or JSON)
 * and checked. The library asks whether the request is a form through type-is, which costs about
 * 3 µs a request (profile); the answer is yes by construction.
 */
class CheckedFormRequest extends OAuth2Server.Request {
  override is(types: string | string[]): string | false {
    return types === FORM || (Array.isArray(types) && types.includes(FORM)) ? FORM : false;
  }
}

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
      if (usedBasic) {
        // RFC 6749 §2.3.1: Basic credentials are form-encoded before base64 (strict clients encode
        // "-", "_" and "." too). The library would use them undecoded: it gets them decoded, in the body.
        const basic = presentedCredentials(request.headers, body as { client_id?: string });
        body.client_id = basic.clientId;
        body.client_secret = basic.clientSecret ?? '';
      }
      const issued = (await server.token(
        new CheckedFormRequest({
          method: 'POST',
          query: {},
          // The body was parsed and checked already (form or JSON), and HTTP Basic credentials decoded
          // into it: the library reads only this copy.
          headers: { ...headers, 'content-type': FORM },
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
