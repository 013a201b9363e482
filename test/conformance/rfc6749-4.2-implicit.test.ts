import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret } from '../../src/security/secrets.js';
import { createTestApp, TEST_ISSUER, type TestApp } from '../helpers/app.js';
import { Browser, hiddenFields, redirectParams } from '../helpers/browser.js';
import { authorize, makeClient, makeUser, signIn, tokenRequest } from '../helpers/fixtures.js';

// RFC 6749 §4.2 implicit grant, as RFC 9700 §2.1.2 leaves it (checklist I1): only for clients
// registered for it, the token in the fragment only, short-lived, never a refresh token, and
// consent asked every time.

describe('RFC 6749 §4.2 implicit grant (checklist I1)', () => {
  let t: TestApp;
  let spa: Awaited<ReturnType<typeof makeClient>>;
  let both: Awaited<ReturnType<typeof makeClient>>;
  let codeOnly: Awaited<ReturnType<typeof makeClient>>;
  const spaRedirect = 'https://spa.example.com/callback';
  const webRedirect = 'https://app.example.com/callback';

  beforeAll(async () => {
    t = await createTestApp();
    await makeUser(t, 'alice');
    spa = await makeClient(t, {
      name: 'Browser Calendar',
      public: true,
      grantTypes: ['implicit'],
      redirectUris: [spaRedirect],
    });
    both = await makeClient(t, {
      name: 'Salon Planner',
      grantTypes: ['authorization_code', 'refresh_token', 'implicit'],
    });
    codeOnly = await makeClient(t, { name: 'Code Only' });
  });
  afterAll(() => t.close());

  const implicit = (client: { clientId: string }, extra: Record<string, string> = {}) => ({
    response_type: 'token',
    client_id: client.clientId,
    ...extra,
  });

  it('returns the token in the fragment only: access_token, token_type, expires_in, scope, state, iss', async () => {
    const { location } = await authorize(t, implicit(spa, { scope: 'read', state: 'st-1 /?#&=' }));
    const url = new URL(location);
    expect(`${url.origin}${url.pathname}`).toBe(spaRedirect);
    expect(url.search).toBe('');
    const fragment = new URLSearchParams(url.hash.slice(1));
    expect([...fragment.keys()].sort()).toEqual(
      ['access_token', 'expires_in', 'iss', 'scope', 'state', 'token_type'].sort(),
    );
    expect(fragment.get('access_token')).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(fragment.get('token_type')).toBe('Bearer');
    expect(fragment.get('expires_in')).toBe('900');
    expect(fragment.get('scope')).toBe('read');
    expect(fragment.get('state')).toBe('st-1 /?#&=');
    expect(fragment.get('iss')).toBe(TEST_ISSUER);
    expect(fragment.has('refresh_token')).toBe(false);
    expect(fragment.has('code')).toBe(false);
  });

  it('the token is short-lived (900 s), stored hashed, and works at /api/v1/me', async () => {
    const { location } = await authorize(t, implicit(spa, { scope: 'read' }));
    const accessToken = redirectParams(location).get('access_token') as string;
    const stored = await t.storage.tokens.findAccess(hashSecret(accessToken));
    expect(stored).not.toBeNull();
    const lifetime = Math.round(
      ((stored?.expiresAt.getTime() ?? 0) - (stored?.createdAt.getTime() ?? 0)) / 1000,
    );
    expect(lifetime).toBe(900);
    const me = await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${accessToken}` } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ username: 'alice' });
    // The token is a secret: it is not in any log line (checklist O1).
    expect(t.logs.join('\n')).not.toContain(accessToken);
  });

  it('response_mode=query is ignored: the token still goes only in the fragment', async () => {
    const { location } = await authorize(t, implicit(spa, { scope: 'read', response_mode: 'query' }));
    const url = new URL(location);
    expect(url.search).toBe('');
    expect(new URLSearchParams(url.hash.slice(1)).get('access_token')).toBeTruthy();
  });

  it('an implicit-only client cannot redeem codes at the token endpoint (unauthorized_client)', async () => {
    const response = await tokenRequest(t, {
      grant_type: 'authorization_code',
      client_id: spa.clientId,
      code: 'x'.repeat(43),
      code_verifier: 'y'.repeat(43),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('unauthorized_client');
  });

  it('the default scope is the client’s allowed scopes', async () => {
    const { location } = await authorize(t, implicit(spa));
    expect(redirectParams(location).get('scope')).toBe('read write');
  });

  it('never issues a refresh token, and the implicit token cannot be exchanged at the token endpoint', async () => {
    const { location } = await authorize(t, implicit(both, { scope: 'read write' }));
    const fragment = redirectParams(location);
    expect(fragment.has('refresh_token')).toBe(false);
    const asRefresh = await tokenRequest(t, {
      grant_type: 'refresh_token',
      refresh_token: fragment.get('access_token') as string,
      client_id: both.clientId,
      client_secret: both.secret as string,
    });
    expect(asRefresh.statusCode).toBe(400);
    expect(asRefresh.json().error).toBe('invalid_grant');
    const implicitAtToken = await tokenRequest(t, { grant_type: 'implicit', client_id: spa.clientId });
    expect(implicitAtToken.json().error).toBe('unsupported_grant_type');
  });

  it('asks consent every time, even after an earlier Allow (checklist A7)', async () => {
    const first = await authorize(t, implicit(spa, { scope: 'read' }));
    expect(redirectParams(first.location).get('access_token')).toBeTruthy();
    const again = await first.browser.get(
      `/oauth/authorize?${new URLSearchParams(implicit(spa, { scope: 'read' }))}`,
    );
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('Allow');
    expect(again.body).toContain('Browser Calendar');
  });

  it('asks consent for implicit even when the same confidential client’s code flow would be approved silently', async () => {
    const browser = new Browser(t.app);
    const codeParams = { response_type: 'code', client_id: both.clientId, scope: 'read' };
    const first = await authorize(t, codeParams, { browser });
    expect(redirectParams(first.location).get('code')).toBeTruthy();
    const silent = await browser.get(`/oauth/authorize?${new URLSearchParams(codeParams)}`);
    expect(silent.statusCode).toBe(302);
    const token = await browser.get(
      `/oauth/authorize?${new URLSearchParams(implicit(both, { scope: 'read' }))}`,
    );
    expect(token.statusCode).toBe(200);
    expect(hiddenFields(token.body).response_type).toBe('token');
  });

  it('Deny sends access_denied back in the fragment, with state and iss (checklist A8)', async () => {
    const { location } = await authorize(t, implicit(spa, { state: 'no-thanks' }), { decision: 'deny' });
    const url = new URL(location);
    expect(url.search).toBe('');
    const fragment = new URLSearchParams(url.hash.slice(1));
    expect(fragment.get('error')).toBe('access_denied');
    expect(fragment.get('state')).toBe('no-thanks');
    expect(fragment.get('iss')).toBe(TEST_ISSUER);
    expect(fragment.has('access_token')).toBe(false);
  });

  it('a client not registered for implicit gets unauthorized_client in the fragment, with state and iss', async () => {
    const browser = new Browser(t.app);
    await signIn(browser, 'alice');
    const response = await browser.get(
      `/oauth/authorize?${new URLSearchParams(implicit(codeOnly, { redirect_uri: webRedirect, state: 'abc' }))}`,
    );
    expect(response.statusCode).toBe(302);
    const url = new URL(String(response.headers.location));
    expect(`${url.origin}${url.pathname}`).toBe(webRedirect);
    expect(url.search).toBe('');
    const fragment = new URLSearchParams(url.hash.slice(1));
    expect(fragment.get('error')).toBe('unauthorized_client');
    expect(fragment.get('state')).toBe('abc');
    expect(fragment.get('iss')).toBe(TEST_ISSUER);
    expect(fragment.has('access_token')).toBe(false);
  });

  it('refuses before sign-in too: no login page for a client not registered for implicit', async () => {
    const response = await new Browser(t.app).get(
      `/oauth/authorize?${new URLSearchParams(implicit(codeOnly, { state: 's' }))}`,
    );
    expect(response.statusCode).toBe(302);
    expect(redirectParams(String(response.headers.location)).get('error')).toBe('unauthorized_client');
  });

  it('a code-only public client is refused implicit as well', async () => {
    const phone = await makeClient(t, { name: 'Phone', public: true, redirectUris: ['com.example.app:/cb'] });
    const response = await new Browser(t.app).get(`/oauth/authorize?${new URLSearchParams(implicit(phone))}`);
    expect(response.statusCode).toBe(302);
    const location = String(response.headers.location);
    expect(location.startsWith('com.example.app:/cb#')).toBe(true);
    expect(redirectParams(location).get('error')).toBe('unauthorized_client');
  });

  it('an implicit-only client cannot use the code flow (unauthorized_client in the query)', async () => {
    const response = await new Browser(t.app).get(
      `/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: spa.clientId, state: 'q' })}`,
    );
    expect(response.statusCode).toBe(302);
    const url = new URL(String(response.headers.location));
    expect(url.hash).toBe('');
    expect(url.searchParams.get('error')).toBe('unauthorized_client');
    expect(url.searchParams.get('state')).toBe('q');
  });

  it('a scope outside the client’s allowed scopes is invalid_scope, in the fragment', async () => {
    const response = await new Browser(t.app).get(
      `/oauth/authorize?${new URLSearchParams(implicit(spa, { scope: 'read admin', state: 's2' }))}`,
    );
    expect(response.statusCode).toBe(302);
    const url = new URL(String(response.headers.location));
    expect(url.search).toBe('');
    const fragment = new URLSearchParams(url.hash.slice(1));
    expect(fragment.get('error')).toBe('invalid_scope');
    expect(fragment.get('state')).toBe('s2');
    expect(fragment.get('iss')).toBe(TEST_ISSUER);
  });

  it('an unregistered redirect_uri gets an error page, never a redirect with a token (checklist R2)', async () => {
    const browser = new Browser(t.app);
    await signIn(browser, 'alice');
    const response = await browser.get(
      `/oauth/authorize?${new URLSearchParams(implicit(spa, { redirect_uri: 'https://evil.example/callback' }))}`,
    );
    expect(response.statusCode).toBe(400);
    expect(response.headers.location).toBeUndefined();
  });

  it('the metadata advertises the token response type, the fragment mode and the implicit grant', async () => {
    const metadata = (await t.app.inject({ url: '/.well-known/oauth-authorization-server' })).json();
    expect(metadata.response_types_supported).toContain('token');
    expect(metadata.response_modes_supported).toContain('fragment');
    expect(metadata.grant_types_supported).toContain('implicit');
  });
});
