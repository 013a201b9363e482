import type { TestApp } from './app.js';
import { basicAuth, type makeClient, obtainCode, pkcePair, tokenRequest } from './fixtures.js';

type Client = Awaited<ReturnType<typeof makeClient>>;

export interface IssuedTokens {
  access_token: string;
  refresh_token?: string;
  scope: string;
  expires_in: number;
}

/** Client authentication as the client would send it: HTTP Basic when it has a secret, else client_id. */
export function clientAuth(client: Client): {
  headers: Record<string, string>;
  form: Record<string, string>;
} {
  return client.secret
    ? { headers: { authorization: basicAuth(client.clientId, client.secret) }, form: {} }
    : { headers: {}, form: { client_id: client.clientId } };
}

/** A user's access and refresh tokens through the real code flow (sign-in, consent, exchange). */
export async function userTokens(
  t: TestApp,
  client: Client,
  options: { username?: string; scope?: string; redirectUri?: string } = {},
): Promise<IssuedTokens> {
  const { verifier, challenge } = pkcePair();
  const redirectUri = options.redirectUri ?? client.client.redirect_uris[0] ?? '';
  const { code } = await obtainCode(
    t,
    {
      client_id: client.clientId,
      redirect_uri: redirectUri,
      scope: options.scope ?? 'read',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    },
    { username: options.username ?? 'alice' },
  );
  const auth = clientAuth(client);
  const response = await tokenRequest(
    t,
    {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
      ...auth.form,
    },
    auth.headers,
  );
  if (response.statusCode !== 200) throw new Error(`token exchange failed: ${response.body}`);
  return response.json();
}

/** A client-credentials access token (RFC 6749 §4.4). */
export async function clientToken(t: TestApp, client: Client, scope?: string): Promise<IssuedTokens> {
  const response = await tokenRequest(
    t,
    { grant_type: 'client_credentials', ...(scope ? { scope } : {}) },
    { authorization: basicAuth(client.clientId, client.secret ?? '') },
  );
  if (response.statusCode !== 200) throw new Error(`client_credentials failed: ${response.body}`);
  return response.json();
}

/** Whether an access token still opens the protected API. */
export async function apiStatus(t: TestApp, accessToken: string): Promise<number> {
  const response = await t.app.inject({
    url: '/api/v1/accounts',
    headers: { authorization: `Bearer ${accessToken}` },
  });
  return response.statusCode;
}

/** POST a form (or JSON) to an endpoint, as a client would. */
export async function postForm(
  t: TestApp,
  url: string,
  form: Record<string, string | string[]>,
  headers: Record<string, string> = {},
) {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(form)) {
    for (const item of Array.isArray(value) ? value : [value]) body.append(name, item);
  }
  return t.app.inject({
    method: 'POST',
    url,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: body.toString(),
  });
}
