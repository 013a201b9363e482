import type { ClientRecord } from '../storage/clients.js';
import type { OAuthErrorCode } from './errors.js';
import { isWellFormedPkceValue } from './pkce.js';
import { redirectUriMatches } from './redirect-uri.js';
import { ADMIN_SCOPE, parseScope, type ScopeCatalogue } from './scopes.js';

// Validation of an authorization request (RFC 6749 §4.1.1, §4.2.1; RFC 7636 §4.3), in the order
// that decides where an error may go: nothing is redirected before the client and its redirect URI
// are known to belong together (RFC 6749 §4.1.2.1, checklist R2).

export type ResponseType = 'code' | 'token';

/** The parameters we read; anything else is ignored (RFC 6749 §3.1). */
export const AUTHORIZATION_PARAMETERS = [
  'client_id',
  'redirect_uri',
  'response_type',
  'scope',
  'state',
  'code_challenge',
  'code_challenge_method',
  // OpenID Connect Core §3.1.2.1: the user's preferred languages, carried through sign-in and consent
  // so the pages speak them (src/i18n). Its value is never checked; like any parameter, it must not
  // be repeated (RFC 6749 §3.1).
  'ui_locales',
] as const;

export type AuthorizationParameters = Partial<Record<(typeof AUTHORIZATION_PARAMETERS)[number], string>>;

export interface ValidAuthorizationRequest {
  client: ClientRecord;
  /** Where the response goes. */
  redirectUri: string;
  /** Whether redirect_uri was sent: only then must the token request repeat it (RFC 6749 §4.1.3). */
  redirectUriSent: boolean;
  responseType: ResponseType;
  scopes: string[];
  state: string | undefined;
  codeChallenge: string | undefined;
  /** The parameters as received, for the consent form to send back. */
  parameters: AuthorizationParameters;
}

export type AuthorizationRequestResult =
  | { kind: 'valid'; request: ValidAuthorizationRequest }
  /** Shown to the user, never redirected: the client or its redirect URI cannot be trusted. */
  | { kind: 'error-page'; message: string }
  | {
      kind: 'redirect-error';
      redirectUri: string;
      /** RFC 6749 §4.2.2.1: implicit errors go in the fragment. */
      inFragment: boolean;
      error: OAuthErrorCode;
      description: string;
      state: string | undefined;
    };

/** Raw values: a string, or an array when a parameter was repeated. */
export type RawParameters = Record<string, unknown>;

export async function validateAuthorizationRequest(
  raw: RawParameters,
  findClient: (id: string) => Promise<ClientRecord | null>,
  catalogue: ScopeCatalogue,
): Promise<AuthorizationRequestResult> {
  const repeated = AUTHORIZATION_PARAMETERS.filter(
    (name) => raw[name] !== undefined && typeof raw[name] !== 'string',
  );
  const parameters: AuthorizationParameters = {};
  for (const name of AUTHORIZATION_PARAMETERS) {
    const value = raw[name];
    if (typeof value === 'string') parameters[name] = value;
  }

  // RFC 6749 §3.1: parameters MUST NOT be included more than once.
  if (repeated.includes('client_id') || repeated.includes('redirect_uri')) {
    return errorPage(`The app sent "${repeated[0]}" more than once, so this request cannot be trusted.`);
  }
  const clientId = parameters.client_id;
  if (!clientId) return errorPage('The app did not say who it is (client_id is missing).');
  const client = clientId.length <= 200 ? await findClient(clientId) : null;
  if (!client) return errorPage('The app that sent you here is not registered with appointman.');

  let redirectUri: string;
  const sent = parameters.redirect_uri;
  if (sent === undefined) {
    // RFC 6749 §3.1.2.3: may be omitted only when exactly one is registered.
    const only = client.redirectUris.length === 1 ? client.redirectUris[0] : undefined;
    if (only === undefined)
      return errorPage('The app did not say where to send you back (redirect_uri is missing).');
    redirectUri = only;
  } else {
    // RFC 9700 §4.1.1 and checklist R1: exact string match.
    if (!client.redirectUris.some((registered) => redirectUriMatches(sent, registered))) {
      return errorPage('The app asked to send you back to an address it has not registered.');
    }
    redirectUri = sent;
  }

  const state = parameters.state;
  const responseTypeValue = parameters.response_type;
  const inFragment = responseTypeValue === 'token';
  const fail = (error: OAuthErrorCode, description: string): AuthorizationRequestResult => ({
    kind: 'redirect-error',
    redirectUri,
    inFragment,
    error,
    description,
    state: repeated.includes('state') ? undefined : state,
  });

  if (repeated.length > 0) return fail('invalid_request', `parameter ${repeated[0]} was sent more than once`);
  if (!responseTypeValue) return fail('invalid_request', 'response_type is missing');
  if (responseTypeValue !== 'code' && responseTypeValue !== 'token') {
    return fail('unsupported_response_type', 'response_type must be code or token');
  }
  const responseType: ResponseType = responseTypeValue;
  const grantType = responseType === 'code' ? 'authorization_code' : 'implicit';
  if (!client.grantTypes.includes(grantType)) {
    return fail('unauthorized_client', `this client is not registered for response_type=${responseType}`);
  }

  let scopes: string[];
  if (parameters.scope === undefined) {
    // RFC 6749 §3.3: without a scope, the client's registered scopes (never the operator scope).
    scopes = client.scopes.filter((scope) => scope !== ADMIN_SCOPE);
    if (scopes.length === 0) return fail('invalid_scope', 'scope is required for this client');
  } else {
    scopes = parseScope(parameters.scope);
    if (scopes.length === 0) return fail('invalid_scope', 'scope is empty');
    const unknown = scopes.find(
      (scope) => !Object.hasOwn(catalogue, scope) || !client.scopes.includes(scope),
    );
    if (unknown !== undefined)
      return fail('invalid_scope', 'a requested scope is unknown or not allowed for this client');
    // The operator scope is the admin client's own (client_credentials): granted on behalf of a user,
    // it would make every user who can sign in an operator (RFC 6749 §3.3 lets us refuse a scope).
    if (scopes.includes(ADMIN_SCOPE)) {
      return fail('invalid_scope', 'the admin scope is only for the client itself (client_credentials)');
    }
  }

  let codeChallenge: string | undefined;
  if (responseType === 'code') {
    const challenge = parameters.code_challenge;
    const method = parameters.code_challenge_method;
    if (challenge === undefined) {
      if (method !== undefined)
        return fail('invalid_request', 'code_challenge_method without code_challenge');
      // RFC 9700 §2.1.1 and RFC 7636 §4.4.1: public clients must use PKCE.
      if (client.isPublic) return fail('invalid_request', 'code_challenge is required (PKCE with S256)');
    } else {
      // RFC 7636 §4.3: the default method is plain, which we do not accept (RFC 9700 §2.1.1).
      if (method !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256');
      if (!isWellFormedPkceValue(challenge)) {
        return fail('invalid_request', 'code_challenge must be 43 to 128 unreserved characters');
      }
      codeChallenge = challenge;
    }
  }

  return {
    kind: 'valid',
    request: {
      client,
      redirectUri,
      redirectUriSent: sent !== undefined,
      responseType,
      scopes,
      state,
      codeChallenge,
      parameters,
    },
  };
}

function errorPage(message: string): AuthorizationRequestResult {
  return { kind: 'error-page', message };
}

/** The redirect URI with response parameters in its query (code) or fragment (token, RFC 6749 §4.2.2). */
export function buildRedirect(
  redirectUri: string,
  parameters: Record<string, string | undefined>,
  inFragment: boolean,
): string {
  const pairs = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) if (value !== undefined) pairs.append(name, value);
  const encoded = pairs.toString().replace(/\+/g, '%20');
  if (inFragment) return `${redirectUri}#${encoded}`;
  // RFC 6749 §3.1.2: keep the registered query component and add ours to it.
  return `${redirectUri}${redirectUri.includes('?') ? '&' : '?'}${encoded}`;
}
