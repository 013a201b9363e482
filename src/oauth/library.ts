import { createRequire } from 'node:module';
import OAuth2Server from '@node-oauth/oauth2-server';

// The grant types of @node-oauth/oauth2-server that we extend where the library's behaviour differs
// from the RFCs (see grants/). The package exports only the abstract base, so the concrete classes
// are loaded from their files.

const require = createRequire(import.meta.url);

export interface LibraryGrantType {
  accessTokenLifetime: number;
  handle(request: OAuth2Server.Request, client: OAuth2Server.Client): Promise<OAuth2Server.Token>;
}

type GrantTypeClass = new (options: OAuth2Server.TokenOptions) => LibraryGrantType;

function load(name: string): GrantTypeClass {
  return require(`@node-oauth/oauth2-server/lib/grant-types/${name}-grant-type.js`) as GrantTypeClass;
}

export const LibraryAuthorizationCodeGrant = load('authorization-code');
export const LibraryRefreshTokenGrant = load('refresh-token');
export const LibraryClientCredentialsGrant = load('client-credentials');

export const {
  InvalidGrantError,
  InvalidRequestError,
  InvalidScopeError,
  OAuthError: LibraryOAuthError,
} = OAuth2Server;
export { OAuth2Server };
