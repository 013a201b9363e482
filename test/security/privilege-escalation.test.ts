import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import type { Browser } from '../helpers/browser.js';
import { basicAuth, makeClient, makeUser, obtainCode, pkcePair, tokenRequest } from '../helpers/fixtures.js';
import {
  exchangeCode,
  locationParams,
  REDIRECT_URI,
  refresh,
  rowCounts,
  signedIn,
  type TestClient,
} from './support.js';

// The operator scope (admin) reaches the admin API: users, clients, secrets. It belongs to an admin
// client acting for itself (client_credentials). Granted on behalf of a user, through an admin
// client that also has the code or implicit flow, it would make every user who can sign in an
// operator. RFC 6749 §3.3 lets the server refuse a requested scope; RFC 6750 §3.1 insufficient_scope.

describe('privilege escalation through scopes', () => {
  let t: TestApp;
  let adminClient: TestClient;
  let ordinary: TestClient;
  let alice: Browser;

  beforeAll(async () => {
    t = await createTestApp();
    await makeUser(t, 'alice');
    adminClient = await makeClient(t, {
      admin: true,
      grantTypes: ['authorization_code', 'refresh_token', 'implicit', 'client_credentials'],
      scopes: ['admin', 'read'],
    });
    ordinary = await makeClient(t, {
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    });
    alice = await signedIn(t);
  });
  afterAll(() => t.close());

  it('V3 a user cannot be granted the admin scope, by code or implicit, even through an admin client', async () => {
    const { challenge } = pkcePair();
    for (const [responseType, scope] of [
      ['code', 'admin'],
      ['code', 'read admin'],
      ['token', 'admin'],
    ]) {
      const before = await rowCounts(t);
      const response = await alice.get(
        `/oauth/authorize?${new URLSearchParams({
          response_type: responseType as string,
          client_id: adminClient.clientId,
          redirect_uri: REDIRECT_URI,
          scope: scope as string,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        })}`,
      );
      expect(response.statusCode, `${responseType} ${scope}`).toBe(302);
      expect(locationParams(response).get('error')).toBe('invalid_scope');
      expect(await rowCounts(t)).toEqual(before);
    }
  });

  it('V3 a user token of the admin client cannot reach the admin API, nor be refreshed into the admin scope', async () => {
    const { verifier, challenge } = pkcePair();
    const { code } = await obtainCode(
      t,
      {
        client_id: adminClient.clientId,
        redirect_uri: REDIRECT_URI,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      },
      { browser: alice },
    );
    const tokens = (await exchangeCode(t, adminClient, code, verifier)).json();
    expect(tokens.scope).toBe('read');
    const call = await t.app.inject({
      method: 'POST',
      url: '/admin/v1/users',
      headers: { authorization: `Bearer ${tokens.access_token}` },
      payload: { username: 'mallory', password: 'mallory-password-1' },
    });
    expect(call.statusCode).toBe(403);
    expect((await refresh(t, adminClient, tokens.refresh_token, 'read admin')).json().error).toBe(
      'invalid_scope',
    );
    expect(await t.storage.users.findByUsername('mallory')).toBeNull();
  });

  it('V3 only an admin client gets the admin scope, for itself', async () => {
    const refused = await tokenRequest(
      t,
      { grant_type: 'client_credentials', scope: 'admin' },
      {
        authorization: basicAuth(ordinary.clientId, ordinary.secret as string),
      },
    );
    expect(refused.json().error).toBe('invalid_scope');
    const granted = await tokenRequest(
      t,
      { grant_type: 'client_credentials', scope: 'admin' },
      {
        authorization: basicAuth(adminClient.clientId, adminClient.secret as string),
      },
    );
    expect(granted.json().scope).toBe('admin');
    const list = await t.app.inject({
      url: '/admin/v1/clients',
      headers: { authorization: `Bearer ${granted.json().access_token}` },
    });
    expect(list.statusCode).toBe(200);
  });
});
