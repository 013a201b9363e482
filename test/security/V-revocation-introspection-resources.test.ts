import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicAuth, makeClient, makeUser, tokenRequest } from '../helpers/fixtures.js';
import {
  apiStatus,
  clientCredentials,
  codeFlowTokens,
  expectOAuthError,
  refresh,
  type TestClient,
} from './support.js';

// Checklist V1–V3: revocation (RFC 7009), introspection (RFC 7662), protected resources (RFC 6750).

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

describe('V: revocation, introspection, resources', () => {
  let t: TestApp;
  let client: TestClient;
  let other: TestClient;
  let publicClient: TestClient;

  beforeAll(async () => {
    t = await createTestApp();
    await makeUser(t, 'alice');
    client = await makeClient(t, {
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    });
    other = await makeClient(t, {
      name: 'Other',
      grantTypes: ['client_credentials'],
      scopes: ['read', 'write'],
    });
    publicClient = await makeClient(t, { public: true });
  });
  afterAll(() => t.close());

  function post(url: string, form: Record<string, string>, caller: TestClient | null = client) {
    return t.app.inject({
      method: 'POST',
      url,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(caller?.secret ? { authorization: basicAuth(caller.clientId, caller.secret) } : {}),
      },
      payload: new URLSearchParams({
        ...(caller && !caller.secret ? { client_id: caller.clientId } : {}),
        ...form,
      }).toString(),
    });
  }
  const revoke = (token: string, caller: TestClient | null = client, hint?: string) =>
    post('/oauth/revoke', { token, ...(hint ? { token_type_hint: hint } : {}) }, caller);
  const introspect = (token: string, caller: TestClient | null = client) =>
    post('/oauth/introspect', { token }, caller);

  it('V1 revocation answers 200 for unknown tokens', async () => {
    for (const token of ['unknown', 'x'.repeat(43), 'x'.repeat(2000)]) {
      const response = await revoke(token);
      expect(response.statusCode).toBe(200);
      expect(response.headers['cache-control']).toBe('no-store');
    }
  });

  it('V1 revocation works on the caller’s own access and refresh tokens', async () => {
    const machine = (await clientCredentials(t, client, 'read')).json().access_token;
    expect((await revoke(machine)).statusCode).toBe(200);
    expect(await apiStatus(t, machine, '/api/v1/accounts')).toBe(401);
    const { tokens } = await codeFlowTokens(t, client);
    expect((await revoke(tokens.refresh_token, client, 'refresh_token')).statusCode).toBe(200);
    // RFC 7009 §2.1: revoking the refresh token ends its access tokens too.
    expect(await apiStatus(t, tokens.access_token)).toBe(401);
    expectOAuthError(await refresh(t, client, tokens.refresh_token), 'invalid_grant', 400);
  });

  it('V1 revocation never touches another client’s tokens', async () => {
    const theirs = (await clientCredentials(t, other, 'read')).json().access_token;
    const { tokens } = await codeFlowTokens(t, client);
    expect((await revoke(theirs, client)).statusCode).toBe(200);
    expect(await apiStatus(t, theirs, '/api/v1/accounts')).toBe(200);
    expect((await revoke(tokens.refresh_token, other)).statusCode).toBe(200);
    expect((await revoke(tokens.access_token, other)).statusCode).toBe(200);
    expect(await apiStatus(t, tokens.access_token)).toBe(200);
    expect((await refresh(t, client, tokens.refresh_token)).statusCode).toBe(200);
  });

  it('V1 revocation needs the client’s authentication', async () => {
    const machine = (await clientCredentials(t, client, 'read')).json().access_token;
    expectOAuthError(await revoke(machine, null), 'invalid_client', 401);
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basicAuth(client.clientId, 'wrong'),
      },
      payload: `token=${machine}`,
    });
    expectOAuthError(wrong, 'invalid_client', 401);
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic /);
    expect(await apiStatus(t, machine, '/api/v1/accounts')).toBe(200);
  });

  it('V1 revocation never answers 200 when storage failed', async () => {
    const { tokens } = await codeFlowTokens(t, client);
    const grants = t.storage.grants;
    const original = grants.revoke;
    grants.revoke = async () => {
      throw new Error('disk I/O error');
    };
    const tokenStore = t.storage.tokens;
    const originalAccess = tokenStore.revokeAccess;
    tokenStore.revokeAccess = async () => {
      throw new Error('disk I/O error');
    };
    try {
      for (const [token, hint] of [
        [tokens.refresh_token, 'refresh_token'],
        [tokens.access_token, 'access_token'],
      ] as const) {
        const response = await revoke(token, client, hint);
        expect(response.statusCode).toBeGreaterThanOrEqual(500);
        expect(response.json().error).toMatch(/^(server_error|temporarily_unavailable)$/);
        expect(response.body).not.toContain('disk I/O');
        expect(response.headers['cache-control']).toBe('no-store');
      }
    } finally {
      grants.revoke = original;
      tokenStore.revokeAccess = originalAccess;
    }
    expect(await apiStatus(t, tokens.access_token)).toBe(200);
  });

  it('V2 introspection needs an authenticated confidential caller', async () => {
    const machine = (await clientCredentials(t, client, 'read')).json().access_token;
    expectOAuthError(await introspect(machine, null), 'invalid_client', 401);
    expectOAuthError(await introspect(machine, publicClient), 'invalid_client', 401);
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/oauth/introspect',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({
        token: machine,
        client_id: client.clientId,
        client_secret: 'nope',
      }).toString(),
    });
    expectOAuthError(wrong, 'invalid_client', 401);
    // Nor with the token being asked about as a Bearer credential.
    const bearer = await t.app.inject({
      method: 'POST',
      url: '/oauth/introspect',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${machine}` },
      payload: `token=${machine}`,
    });
    expect(bearer.statusCode).toBe(401);
    const ok = await introspect(machine);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({
      active: true,
      client_id: client.clientId,
      scope: 'read',
      token_type: 'Bearer',
    });
  });

  it('V2 {"active": false} and nothing else for anything not currently valid', async () => {
    const { tokens } = await codeFlowTokens(t, client);
    const next = (await refresh(t, client, tokens.refresh_token)).json();
    const revoked = (await clientCredentials(t, client, 'read')).json().access_token;
    await revoke(revoked);
    const expired = (await clientCredentials(t, client, 'read')).json().access_token;
    await t.storage.database.prisma.accessToken.update({
      where: { tokenHash: sha256(expired) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const inactive = [
      'unknown',
      '',
      'x'.repeat(5000),
      revoked,
      expired,
      // Rotated away.
      tokens.refresh_token,
      // A code is no token.
      (await codeFlowTokens(t, client)).code,
    ];
    for (const token of inactive) {
      const response = await introspect(token);
      expect(response.statusCode, token.slice(0, 20)).toBe(200);
      expect(response.json(), token.slice(0, 20)).toEqual({ active: false });
      expect(response.headers['cache-control']).toBe('no-store');
    }
    expect((await introspect(next.refresh_token)).json().active).toBe(true);
    // When the grant ends (a rotated token replayed), everything of it is inactive at once.
    await refresh(t, client, tokens.refresh_token);
    for (const token of [tokens.access_token, next.access_token, next.refresh_token]) {
      expect((await introspect(token)).json()).toEqual({ active: false });
    }
  });

  it('V3 bearer tokens are taken from the Authorization header only', async () => {
    const token = (await clientCredentials(t, client, 'read')).json().access_token;
    expect(await apiStatus(t, token, '/api/v1/accounts')).toBe(200);
    const inQuery = await t.app.inject({ url: `/api/v1/accounts?access_token=${token}` });
    expect(inQuery.statusCode).toBe(401);
    expect(inQuery.headers['www-authenticate']).toMatch(/^Bearer realm="appointman"/);
    const inBody = await t.app.inject({
      method: 'GET',
      url: '/api/v1/accounts',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `access_token=${token}`,
    });
    expect(inBody.statusCode).toBe(401);
    const inCookie = await t.app.inject({
      url: '/api/v1/accounts',
      headers: { cookie: `access_token=${token}` },
    });
    expect(inCookie.statusCode).toBe(401);
  });

  it('V3 the Bearer scheme name is case-insensitive (RFC 9110 §11.1)', async () => {
    const token = (await clientCredentials(t, client, 'read')).json().access_token;
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      const response = await t.app.inject({
        url: '/api/v1/accounts',
        headers: { authorization: `${scheme} ${token}` },
      });
      expect(response.statusCode, scheme).toBe(200);
    }
  });

  it('V3 401 invalid_token and 403 insufficient_scope, each with WWW-Authenticate (RFC 6750 §3)', async () => {
    for (const authorization of [
      'Bearer nope',
      'Bearer ',
      'Basic abc',
      `Bearer ${'x'.repeat(43)}`,
      'Bearer a b',
    ]) {
      const response = await t.app.inject({ url: '/api/v1/accounts', headers: { authorization } });
      expect(response.statusCode, authorization).toBe(401);
      expect(response.headers['www-authenticate'], authorization).toMatch(/^Bearer realm="appointman"/);
    }
    const invalid = await t.app.inject({ url: '/api/v1/me', headers: { authorization: 'Bearer nope' } });
    expect(invalid.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    expect(invalid.json().error).toBe('invalid_token');
    const writeOnly = await tokenRequest(
      t,
      { grant_type: 'client_credentials', scope: 'write' },
      { authorization: basicAuth(other.clientId, other.secret as string) },
    );
    const response = await t.app.inject({
      url: '/api/v1/accounts',
      headers: { authorization: `Bearer ${writeOnly.json().access_token}` },
    });
    expect(response.statusCode).toBe(403);
    expect(response.headers['www-authenticate']).toMatch(/error="insufficient_scope"/);
    expect(response.headers['www-authenticate']).toMatch(/scope="read"/);
    expect(response.json().error).toBe('insufficient_scope');
  });
});
