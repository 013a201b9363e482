import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_ISSUER, type TestApp } from '../helpers/app.js';
import { redirectParams } from '../helpers/browser.js';
import { basicAuth, makeClient, makeUser, obtainCode, pkcePair, tokenRequest } from '../helpers/fixtures.js';

describe('RFC 6749 §4.1 authorization code flow, end to end', () => {
  let t: TestApp;
  let confidential: Awaited<ReturnType<typeof makeClient>>;
  let publicClient: Awaited<ReturnType<typeof makeClient>>;
  const redirectUri = 'https://app.example.com/callback';

  beforeAll(async () => {
    t = await createTestApp();
    await makeUser(t, 'alice');
    confidential = await makeClient(t, { name: 'Salon Planner' });
    publicClient = await makeClient(t, {
      name: 'Phone App',
      public: true,
      redirectUris: ['com.example.app:/cb'],
    });
  });
  afterAll(() => t.close());

  it('signs in, asks consent, returns code with state and iss, exchanges it, calls the API and refreshes', async () => {
    const { verifier, challenge } = pkcePair();
    const { code, location } = await obtainCode(t, {
      client_id: confidential.clientId,
      redirect_uri: redirectUri,
      scope: 'read write',
      state: 'xyz-123',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    expect(location.startsWith(`${redirectUri}?`)).toBe(true);
    const params = redirectParams(location);
    expect(params.get('state')).toBe('xyz-123');
    expect(params.get('iss')).toBe(TEST_ISSUER);
    expect(code.length).toBeGreaterThanOrEqual(43);

    const exchange = await tokenRequest(
      t,
      { grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier },
      { authorization: basicAuth(confidential.clientId, confidential.secret as string) },
    );
    expect(exchange.statusCode).toBe(200);
    expect(exchange.headers['cache-control']).toBe('no-store');
    const tokens = exchange.json();
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'read write' });
    expect(typeof tokens.access_token).toBe('string');
    expect(typeof tokens.refresh_token).toBe('string');

    const me = await t.app.inject({
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ username: 'alice' });

    const refreshed = await tokenRequest(t, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
      client_id: confidential.clientId,
      client_secret: confidential.secret as string,
    });
    expect(refreshed.statusCode).toBe(200);
    const next = refreshed.json();
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect(next.scope).toBe('read write');
  });

  it('accepts a JSON body at the token endpoint (public client with PKCE, no secret)', async () => {
    const { verifier, challenge } = pkcePair();
    const { code } = await obtainCode(t, {
      client_id: publicClient.clientId,
      scope: 'read',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const exchange = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/json' },
      payload: {
        grant_type: 'authorization_code',
        code,
        client_id: publicClient.clientId,
        code_verifier: verifier,
      },
    });
    expect(exchange.statusCode).toBe(200);
    expect(exchange.json().scope).toBe('read');
  });

  it('remembers consent for a confidential client: the second authorization redirects at once', async () => {
    const params = { client_id: confidential.clientId, redirect_uri: redirectUri, scope: 'read' };
    const first = await obtainCode(t, params);
    const again = await first.browser.get(
      `/oauth/authorize?${new URLSearchParams({ ...params, response_type: 'code' })}`,
    );
    expect(again.statusCode).toBe(302);
    expect(redirectParams(String(again.headers.location)).get('code')).toBeTruthy();
  });
});
