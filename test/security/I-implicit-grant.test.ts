import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import type { Browser } from '../helpers/browser.js';
import { makeClient, makeUser } from '../helpers/fixtures.js';
import { apiStatus, consentPage, REDIRECT_URI, rowCounts, signedIn, type TestClient } from './support.js';

// Checklist I1 (RFC 6749 §4.2, RFC 9700 §2.1.2: deprecated, kept only where registered). The
// conformance file rfc6749-4.2-implicit.test.ts walks the grant; these are the security edges.

describe('I: implicit grant', () => {
  let t: TestApp;
  let implicitClient: TestClient;
  let codeOnly: TestClient;
  let alice: Browser;

  beforeAll(async () => {
    t = await createTestApp();
    await makeUser(t, 'alice');
    implicitClient = await makeClient(t, {
      grantTypes: ['authorization_code', 'refresh_token', 'implicit'],
      redirectUris: [REDIRECT_URI],
    });
    codeOnly = await makeClient(t);
    alice = await signedIn(t);
  });
  afterAll(() => t.close());

  const params = (client: TestClient, extra: Record<string, string> = {}) => ({
    response_type: 'token',
    client_id: client.clientId,
    redirect_uri: REDIRECT_URI,
    scope: 'read',
    state: 'st',
    ...extra,
  });

  it('I1 off unless the client is registered for it', async () => {
    const before = await rowCounts(t);
    const response = await alice.get(`/oauth/authorize?${new URLSearchParams(params(codeOnly))}`);
    expect(response.statusCode).toBe(302);
    const location = new URL(String(response.headers.location));
    // The error goes in the fragment, like any implicit response; nothing is issued.
    expect(location.search).toBe('');
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect(fragment.get('error')).toBe('unauthorized_client');
    expect(fragment.has('access_token')).toBe(false);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('I1 the token comes only in the fragment, short-lived, never with a refresh token; consent every time', async () => {
    for (let round = 0; round < 2; round++) {
      // Consent is asked every time (the second round too).
      const { fields } = await consentPage(alice, params(implicitClient));
      const decided = await alice.post('/oauth/authorize/decision', { ...fields, decision: 'allow' });
      expect(decided.statusCode).toBe(303);
      const location = new URL(String(decided.headers.location));
      expect(`${location.origin}${location.pathname}`).toBe(REDIRECT_URI);
      expect(location.search).toBe('');
      const fragment = new URLSearchParams(location.hash.slice(1));
      const token = fragment.get('access_token') as string;
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(fragment.get('token_type')).toBe('Bearer');
      expect(fragment.has('refresh_token')).toBe(false);
      expect(fragment.has('code')).toBe(false);
      expect(fragment.get('state')).toBe('st');
      const expiresIn = Number(fragment.get('expires_in'));
      expect(expiresIn).toBe(t.config.implicitAccessTokenLifetime);
      expect(expiresIn).toBeLessThanOrEqual(3600);
      expect(expiresIn).toBeLessThan(t.config.accessTokenLifetime);
      const stored = await t.storage.tokens.findAccess(
        createHash('sha256').update(token).digest('base64url'),
      );
      expect(((stored?.expiresAt.getTime() ?? 0) - Date.now()) / 1000).toBeLessThanOrEqual(expiresIn);
      expect(await apiStatus(t, token)).toBe(200);
    }
    const counts = await rowCounts(t);
    expect(counts.refreshToken).toBe(0);
  });

  it('I1 its lifetime cannot be configured longer than an hour', () => {
    expect(() =>
      loadConfig({ IMPLICIT_ACCESS_TOKEN_LIFETIME: '3601', SESSION_SECRET: 'x'.repeat(32) }),
    ).toThrow(/IMPLICIT_ACCESS_TOKEN_LIFETIME/);
  });

  it('I1 response_mode cannot move the token into the query', async () => {
    const { fields } = await consentPage(alice, params(implicitClient, { response_mode: 'query' }));
    const decided = await alice.post('/oauth/authorize/decision', { ...fields, decision: 'allow' });
    const location = new URL(String(decided.headers.location));
    expect(location.search).toBe('');
    expect(location.hash).toMatch(/access_token=/);
  });
});
