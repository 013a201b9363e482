import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addAccountMember, createAccount } from '../../src/admin/users.js';
import { hashSecret } from '../../src/security/secrets.js';
import { createTestApp, TEST_ISSUER, type TestApp } from '../helpers/app.js';
import { basicAuth, makeClient, makeUser, tokenRequest } from '../helpers/fixtures.js';
import { clientAuth, clientToken, postForm, userTokens } from '../helpers/tokens.js';

// RFC 7662: token introspection; checklist V2 (an authenticated caller; {"active": false} for
// anything not currently valid).

describe('RFC 7662 token introspection', () => {
  let t: TestApp;
  let app: Awaited<ReturnType<typeof makeClient>>;
  let resourceServer: Awaited<ReturnType<typeof makeClient>>;
  let phone: Awaited<ReturnType<typeof makeClient>>;
  let service: Awaited<ReturnType<typeof makeClient>>;
  let alice: { id: string };
  let salon: { id: string; name: string };
  let spa: { id: string; name: string };

  const introspect = (
    form: Record<string, string | string[]>,
    headers = clientAuth(resourceServer).headers,
  ) => postForm(t, '/oauth/introspect', form, headers);

  beforeAll(async () => {
    t = await createTestApp();
    alice = await makeUser(t, 'alice');
    await makeUser(t, 'owner');
    salon = await createAccount(t.storage, { name: 'Salon Paris' });
    spa = await createAccount(t.storage, { name: 'Spa Lyon' });
    await addAccountMember(t.storage, salon.id, 'alice');
    await addAccountMember(t.storage, spa.id, 'alice');
    await addAccountMember(t.storage, spa.id, 'owner');
    app = await makeClient(t, { name: 'Salon Planner' });
    // A resource server registered as a confidential client (it introspects; it never asks for tokens).
    resourceServer = await makeClient(t, {
      name: 'Bookings API',
      grantTypes: ['client_credentials'],
      redirectUris: [],
    });
    phone = await makeClient(t, { name: 'Phone App', public: true, redirectUris: ['com.example.app:/cb'] });
    service = await makeClient(t, {
      name: 'Sync Service',
      grantTypes: ['client_credentials'],
      redirectUris: [],
      owner: 'owner',
      accounts: [spa.id],
    });
  });
  afterAll(() => t.close());

  it('§2.2 a valid access token: every member, accounts included, no-store', async () => {
    const before = Math.floor(Date.now() / 1000);
    const tokens = await userTokens(t, app, { scope: 'read write' });
    const response = await introspect({ token: tokens.access_token, token_type_hint: 'access_token' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = response.json();
    expect(body).toEqual({
      active: true,
      scope: 'read write',
      client_id: app.clientId,
      username: 'alice',
      sub: alice.id,
      token_type: 'Bearer',
      exp: expect.any(Number),
      iat: expect.any(Number),
      iss: TEST_ISSUER,
      accounts: [
        { id: salon.id, name: 'Salon Paris' },
        { id: spa.id, name: 'Spa Lyon' },
      ],
    });
    expect(body.iat).toBeGreaterThanOrEqual(before - 1);
    expect(body.exp - body.iat).toBeGreaterThanOrEqual(3599);
    expect(body.exp - body.iat).toBeLessThanOrEqual(3601);
  });

  it('§2.2 a valid refresh token: token_type refresh_token, its own expiry', async () => {
    const tokens = await userTokens(t, app);
    const response = await introspect({
      token: tokens.refresh_token as string,
      token_type_hint: 'refresh_token',
    });
    const body = response.json();
    expect(body).toMatchObject({
      active: true,
      scope: 'read',
      client_id: app.clientId,
      username: 'alice',
      sub: alice.id,
      token_type: 'refresh_token',
      iss: TEST_ISSUER,
    });
    expect(body.exp - body.iat).toBeGreaterThan(86400);
    expect(body.accounts).toHaveLength(2);
  });

  it('§2.1 the hint only orders the search: a wrong, unknown or missing hint still finds the token', async () => {
    const tokens = await userTokens(t, app);
    for (const hint of ['refresh_token', 'id_token', undefined]) {
      const access = await introspect({
        token: tokens.access_token,
        ...(hint ? { token_type_hint: hint } : {}),
      });
      expect(access.json()).toMatchObject({ active: true, token_type: 'Bearer' });
    }
    const refresh = await introspect({
      token: tokens.refresh_token as string,
      token_type_hint: 'access_token',
    });
    expect(refresh.json()).toMatchObject({ active: true, token_type: 'refresh_token' });
  });

  it('§2.2 a client-credentials token has no username or sub; its accounts are the client’s', async () => {
    const token = await clientToken(t, service, 'read');
    const body = (await introspect({ token: token.access_token })).json();
    expect(body).toEqual({
      active: true,
      scope: 'read',
      client_id: service.clientId,
      token_type: 'Bearer',
      exp: expect.any(Number),
      iat: expect.any(Number),
      iss: TEST_ISSUER,
      accounts: [{ id: spa.id, name: 'Spa Lyon' }],
    });
  });

  it('§2.2 V2 anything not currently valid is exactly {"active": false}', async () => {
    const revokedAccess = await userTokens(t, app);
    const auth = clientAuth(app);
    await postForm(t, '/oauth/revoke', { token: revokedAccess.access_token }, auth.headers);

    const grantRevoked = await userTokens(t, app);
    await postForm(t, '/oauth/revoke', { token: grantRevoked.refresh_token as string }, auth.headers);

    const rotated = await userTokens(t, app);
    const next = await tokenRequest(
      t,
      { grant_type: 'refresh_token', refresh_token: rotated.refresh_token as string },
      auth.headers,
    );
    expect(next.statusCode).toBe(200);

    const expired = await userTokens(t, app);
    await t.storage.database.prisma.accessToken.update({
      where: { tokenHash: hashSecret(expired.access_token) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    await t.storage.database.prisma.refreshToken.update({
      where: { tokenHash: hashSecret(expired.refresh_token as string) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });

    const inactive = [
      'no-such-token',
      '',
      'x'.repeat(5000),
      '🙂 not a token',
      revokedAccess.access_token,
      grantRevoked.access_token,
      grantRevoked.refresh_token as string,
      rotated.refresh_token as string,
      expired.access_token,
      expired.refresh_token as string,
    ];
    for (const token of inactive) {
      for (const hint of ['access_token', 'refresh_token']) {
        const response = await introspect({ token, token_type_hint: hint });
        expect(response.statusCode).toBe(200);
        expect(response.headers['cache-control']).toBe('no-store');
        expect(response.body).toBe('{"active":false}');
      }
    }
    // The rotated token's successor is still valid.
    expect((await introspect({ token: next.json().refresh_token })).json().active).toBe(true);
  });

  it('§2.1 a JSON body and client_secret_post are accepted', async () => {
    const tokens = await userTokens(t, app);
    const json = await t.app.inject({
      method: 'POST',
      url: '/oauth/introspect',
      headers: { 'content-type': 'application/json' },
      payload: {
        token: tokens.access_token,
        client_id: resourceServer.clientId,
        client_secret: resourceServer.secret,
      },
    });
    expect(json.statusCode).toBe(200);
    expect(json.json().active).toBe(true);
  });

  it('§2.1 V2 callers must authenticate as confidential clients: otherwise 401 invalid_client', async () => {
    const tokens = await userTokens(t, app);
    const cases: { form: Record<string, string>; headers: Record<string, string>; basic: boolean }[] = [
      { form: { token: tokens.access_token }, headers: {}, basic: false },
      { form: { token: tokens.access_token, client_id: phone.clientId }, headers: {}, basic: false },
      { form: { token: tokens.access_token, client_id: resourceServer.clientId }, headers: {}, basic: false },
      {
        form: { token: tokens.access_token, client_id: resourceServer.clientId, client_secret: 'wrong' },
        headers: {},
        basic: false,
      },
      {
        form: { token: tokens.access_token },
        headers: { authorization: basicAuth(resourceServer.clientId, 'wrong') },
        basic: true,
      },
      { form: { token: tokens.access_token }, headers: { authorization: 'Basic !!!' }, basic: true },
    ];
    for (const { form, headers, basic } of cases) {
      const response = await introspect(form, headers);
      expect(response.statusCode).toBe(401);
      expect(response.headers['cache-control']).toBe('no-store');
      const body = response.json();
      expect(body.error).toBe('invalid_client');
      expect(body.active).toBeUndefined();
      expect(JSON.stringify(body)).not.toContain('alice');
      if (basic) expect(response.headers['www-authenticate']).toMatch(/^Basic /);
      else expect(response.headers['www-authenticate']).toBeUndefined();
    }
  });

  it('§2.1 a missing token, a repeated parameter, the token in the URL: invalid_request', async () => {
    const tokens = await userTokens(t, app);
    const missing = await introspect({});
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toBe('invalid_request');
    const repeated = await introspect({ token: [tokens.access_token, tokens.access_token] });
    expect(repeated.statusCode).toBe(400);
    expect(repeated.json().error).toBe('invalid_request');
    const inUrl = await t.app.inject({
      method: 'POST',
      url: `/oauth/introspect?token=${tokens.access_token}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...clientAuth(resourceServer).headers },
      payload: '',
    });
    expect(inUrl.statusCode).toBe(400);
    expect(inUrl.json().error).toBe('invalid_request');
  });

  it('a storage failure is not an answer: 503 while the database is down, never active:false', async () => {
    const tokens = await userTokens(t, app);
    const { tokens: tokenStore, database } = t.storage;
    const { findAccess, readAccess } = tokenStore;
    const ping = database.ping;
    try {
      // Both the cached lookup and the direct read (introspection's kept answers are filled with it).
      tokenStore.findAccess = tokenStore.readAccess = async () => {
        throw new Error('connection lost');
      };
      database.ping = async () => {
        throw new Error('database down');
      };
      const response = await introspect({ token: tokens.access_token });
      expect(response.statusCode).toBe(503);
      expect(response.json().error).toBe('temporarily_unavailable');
      expect(response.headers['cache-control']).toBe('no-store');
    } finally {
      tokenStore.findAccess = findAccess;
      tokenStore.readAccess = readAccess;
      database.ping = ping;
    }
  });

  it('the metadata names the revocation and introspection endpoints (RFC 8414 §2)', async () => {
    const metadata = (await t.app.inject({ url: '/.well-known/oauth-authorization-server' })).json();
    expect(metadata.revocation_endpoint).toBe(`${TEST_ISSUER}/oauth/revoke`);
    expect(metadata.introspection_endpoint).toBe(`${TEST_ISSUER}/oauth/introspect`);
    expect(metadata.introspection_endpoint_auth_methods_supported).not.toContain('none');
    expect(metadata.revocation_endpoint_auth_methods_supported).toContain('none');
  });
});
