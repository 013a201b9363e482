import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicAuth, makeClient, makeUser, tokenRequest } from '../helpers/fixtures.js';
import { apiStatus, clientAuth, clientToken, postForm, userTokens } from '../helpers/tokens.js';

// RFC 7009: token revocation; checklist V1 (200 for unknown tokens, only the caller's own tokens,
// never 200 when storage failed) and T1/T2/T3 for its client authentication and answers.

describe('RFC 7009 token revocation', () => {
  let t: TestApp;
  let app: Awaited<ReturnType<typeof makeClient>>;
  let other: Awaited<ReturnType<typeof makeClient>>;
  let phone: Awaited<ReturnType<typeof makeClient>>;
  let service: Awaited<ReturnType<typeof makeClient>>;

  const revoke = (form: Record<string, string | string[]>, headers: Record<string, string> = {}) =>
    postForm(t, '/oauth/revoke', form, headers);
  const revokeAs = (client: typeof app, form: Record<string, string>) => {
    const auth = clientAuth(client);
    return revoke({ ...form, ...auth.form }, auth.headers);
  };
  const refreshWith = (client: typeof app, refreshToken: string) => {
    const auth = clientAuth(client);
    return tokenRequest(
      t,
      { grant_type: 'refresh_token', refresh_token: refreshToken, ...auth.form },
      auth.headers,
    );
  };

  beforeAll(async () => {
    t = await createTestApp();
    await makeUser(t, 'alice');
    app = await makeClient(t, { name: 'Salon Planner' });
    other = await makeClient(t, { name: 'Other App' });
    phone = await makeClient(t, { name: 'Phone App', public: true, redirectUris: ['com.example.app:/cb'] });
    service = await makeClient(t, {
      name: 'Sync Service',
      grantTypes: ['client_credentials'],
      redirectUris: [],
    });
  });
  afterAll(() => t.close());

  it('§2.1 revokes an access token: 200, empty body, no-store, and the token stops working at once', async () => {
    const tokens = await userTokens(t, app);
    expect(await apiStatus(t, tokens.access_token)).toBe(200);
    const response = await revokeAs(app, { token: tokens.access_token, token_type_hint: 'access_token' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(await apiStatus(t, tokens.access_token)).toBe(401);
    // Only the access token: the grant's refresh token still works.
    expect((await refreshWith(app, tokens.refresh_token as string)).statusCode).toBe(200);
  });

  it('§2.1 revoking a refresh token ends its whole grant: its access tokens and refresh tokens', async () => {
    const tokens = await userTokens(t, app);
    const refreshed = (await refreshWith(app, tokens.refresh_token as string)).json();
    const response = await revokeAs(app, {
      token: refreshed.refresh_token,
      token_type_hint: 'refresh_token',
    });
    expect(response.statusCode).toBe(200);
    expect(await apiStatus(t, tokens.access_token)).toBe(401);
    expect(await apiStatus(t, refreshed.access_token)).toBe(401);
    const again = await refreshWith(app, refreshed.refresh_token);
    expect(again.statusCode).toBe(400);
    expect(again.json().error).toBe('invalid_grant');
  });

  it('§2.1 a wrong hint, or none, still finds the token (the search extends to every type)', async () => {
    const one = await userTokens(t, app);
    expect(
      (await revokeAs(app, { token: one.access_token, token_type_hint: 'refresh_token' })).statusCode,
    ).toBe(200);
    expect(await apiStatus(t, one.access_token)).toBe(401);

    const two = await userTokens(t, app);
    expect(
      (await revokeAs(app, { token: two.refresh_token as string, token_type_hint: 'access_token' }))
        .statusCode,
    ).toBe(200);
    expect(await apiStatus(t, two.access_token)).toBe(401);

    const three = await userTokens(t, app);
    expect((await revokeAs(app, { token: three.refresh_token as string })).statusCode).toBe(200);
    expect(await apiStatus(t, three.access_token)).toBe(401);
  });

  it('§2.1 an unknown token_type_hint value is ignored, not refused', async () => {
    const tokens = await userTokens(t, app);
    const response = await revokeAs(app, { token: tokens.access_token, token_type_hint: 'id_token' });
    expect(response.statusCode).toBe(200);
    expect(await apiStatus(t, tokens.access_token)).toBe(401);
  });

  it('§2.2 an unknown or malformed token gets 200 (V1)', async () => {
    for (const token of ['no-such-token', 'x'.repeat(2000), '%%%', ' ']) {
      const response = await revokeAs(app, { token });
      expect(response.statusCode).toBe(200);
    }
  });

  it('§2.1 a client revokes only its own tokens: another client’s token gets 200 and keeps working (V1)', async () => {
    const tokens = await userTokens(t, app);
    for (const token of [tokens.access_token, tokens.refresh_token as string]) {
      const response = await revokeAs(other, { token });
      expect(response.statusCode).toBe(200);
    }
    expect(await apiStatus(t, tokens.access_token)).toBe(200);
    expect((await refreshWith(app, tokens.refresh_token as string)).statusCode).toBe(200);
  });

  it('§2.1 client_secret_post and a JSON body are accepted as at the token endpoint', async () => {
    const one = await userTokens(t, app);
    const posted = await revoke({
      token: one.access_token,
      client_id: app.clientId,
      client_secret: app.secret as string,
    });
    expect(posted.statusCode).toBe(200);
    expect(await apiStatus(t, one.access_token)).toBe(401);

    const two = await userTokens(t, app);
    const json = await t.app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      headers: {
        'content-type': 'application/json',
        authorization: basicAuth(app.clientId, app.secret as string),
      },
      payload: { token: two.access_token, token_type_hint: 'access_token' },
    });
    expect(json.statusCode).toBe(200);
    expect(await apiStatus(t, two.access_token)).toBe(401);
  });

  it('§2.1 a public client revokes its own tokens with client_id alone', async () => {
    const tokens = await userTokens(t, phone);
    const response = await revoke({ token: tokens.refresh_token as string, client_id: phone.clientId });
    expect(response.statusCode).toBe(200);
    expect(await apiStatus(t, tokens.access_token)).toBe(401);
  });

  it('revokes client-credentials access tokens', async () => {
    const token = await clientToken(t, service, 'read');
    expect(await apiStatus(t, token.access_token)).toBe(200);
    expect((await revokeAs(service, { token: token.access_token })).statusCode).toBe(200);
    expect(await apiStatus(t, token.access_token)).toBe(401);
  });

  it('T1 a bad secret over HTTP Basic gets 401 invalid_client with WWW-Authenticate and revokes nothing', async () => {
    const tokens = await userTokens(t, app);
    const response = await revoke(
      { token: tokens.access_token },
      { authorization: basicAuth(app.clientId, 'wrong') },
    );
    expect(response.statusCode).toBe(401);
    expect(response.json().error).toBe('invalid_client');
    expect(response.headers['www-authenticate']).toMatch(/^Basic /);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(await apiStatus(t, tokens.access_token)).toBe(200);
  });

  it('T1 a bad secret in the body, or none for a confidential client, gets 401 invalid_client', async () => {
    const tokens = await userTokens(t, app);
    const cases: Record<string, string>[] = [
      { token: tokens.access_token, client_id: app.clientId, client_secret: 'wrong' },
      { token: tokens.access_token, client_id: app.clientId },
      { token: tokens.access_token },
      { token: tokens.access_token, client_id: 'no-such-client' },
      // A public client that sends a secret is not a public client's request.
      { token: tokens.access_token, client_id: phone.clientId, client_secret: 'anything' },
    ];
    for (const form of cases) {
      const response = await revoke(form);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ error: 'invalid_client' });
      expect(response.headers['www-authenticate']).toBeUndefined();
    }
    expect(await apiStatus(t, tokens.access_token)).toBe(200);
  });

  it('T1 credentials or the token in the query string are refused', async () => {
    const tokens = await userTokens(t, app);
    const query = new URLSearchParams({ token: tokens.access_token });
    const response = await t.app.inject({
      method: 'POST',
      url: `/oauth/revoke?${query}`,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basicAuth(app.clientId, app.secret as string),
      },
      payload: '',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().error).toBe('invalid_request');
    const secretInUrl = await t.app.inject({
      method: 'POST',
      url: `/oauth/revoke?client_secret=${app.secret}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ token: tokens.access_token, client_id: app.clientId }).toString(),
    });
    expect(secretInUrl.statusCode).toBe(400);
    expect(await apiStatus(t, tokens.access_token)).toBe(200);
  });

  it('§2.1 a missing token, a repeated parameter or a body of another type is invalid_request', async () => {
    const tokens = await userTokens(t, app);
    const auth = clientAuth(app);
    const missing = await revoke({}, auth.headers);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toBe('invalid_request');
    const repeated = await revoke({ token: [tokens.access_token, 'other'] }, auth.headers);
    expect(repeated.statusCode).toBe(400);
    expect(repeated.json()).toMatchObject({ error: 'invalid_request' });
    expect(repeated.json().error_description).toMatch(/more than once/);
    const both = await revoke(
      { token: tokens.access_token, client_secret: app.secret as string },
      auth.headers,
    );
    expect(both.statusCode).toBe(400);
    const numeric = await t.app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      headers: { 'content-type': 'application/json', ...auth.headers },
      payload: { token: 12345 },
    });
    expect(numeric.statusCode).toBe(400);
    expect(numeric.json().error).toBe('invalid_request');
    const text = await t.app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      headers: { 'content-type': 'text/plain', ...auth.headers },
      payload: `token=${tokens.access_token}`,
    });
    expect(text.statusCode).toBe(400);
    expect(text.json().error).toBe('invalid_request');
    expect(await apiStatus(t, tokens.access_token)).toBe(200);
  });

  it('T2 repeated failures lock the client out for a while, the right secret included', async () => {
    const locked = await makeClient(t, { name: 'Locked App' });
    const tokens = await userTokens(t, locked);
    for (let i = 0; i < 10; i++) {
      const response = await revoke(
        { token: 'x' },
        { authorization: basicAuth(locked.clientId, `wrong-${i}`) },
      );
      expect(response.statusCode).toBe(401);
    }
    const right = await revokeAs(locked, { token: tokens.access_token });
    expect(right.statusCode).toBe(401);
    expect(await apiStatus(t, tokens.access_token)).toBe(200);
    // The token endpoint shares the lock: one client authentication for all endpoints.
    const refresh = await refreshWith(locked, tokens.refresh_token as string);
    expect(refresh.statusCode).toBe(401);
  });

  it('V1 a storage failure never answers 200: 503 while the database is down, 500 otherwise', async () => {
    const tokens = await userTokens(t, app);
    const { grants, tokens: tokenStore, database } = t.storage;
    const revokeGrant = grants.revoke;
    const revokeAccess = tokenStore.revokeAccess;
    const ping = database.ping;
    try {
      grants.revoke = async () => {
        throw new Error('connection lost');
      };
      tokenStore.revokeAccess = async () => {
        throw new Error('connection lost');
      };
      const failing = await revokeAs(app, { token: tokens.refresh_token as string });
      expect(failing.statusCode).toBe(500);
      expect(failing.json().error).toBe('server_error');
      database.ping = async () => {
        throw new Error('database down');
      };
      for (const token of [tokens.access_token, tokens.refresh_token as string]) {
        const down = await revokeAs(app, { token });
        expect(down.statusCode).toBe(503);
        expect(down.json()).toMatchObject({ error: 'temporarily_unavailable' });
        expect(down.headers['cache-control']).toBe('no-store');
        expect(down.body).not.toContain('connection lost');
      }
    } finally {
      grants.revoke = revokeGrant;
      tokenStore.revokeAccess = revokeAccess;
      database.ping = ping;
    }
    expect(await apiStatus(t, tokens.access_token)).toBe(200);
    expect((await revokeAs(app, { token: tokens.access_token })).statusCode).toBe(200);
    expect(await apiStatus(t, tokens.access_token)).toBe(401);
  });

  it('O1 no token or secret reaches the logs', async () => {
    const tokens = await userTokens(t, app);
    await revokeAs(app, { token: tokens.access_token });
    await revoke(
      { token: tokens.refresh_token as string },
      { authorization: basicAuth(app.clientId, 'wrong') },
    );
    const logs = t.logs.join('');
    for (const secret of [tokens.access_token, tokens.refresh_token as string, app.secret as string]) {
      expect(logs).not.toContain(secret);
    }
  });
});
