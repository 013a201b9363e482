import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/admin/clients.js';
import { AdminError } from '../../src/admin/errors.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { type Browser, hiddenFields } from '../helpers/browser.js';
import { makeClient, makeUser } from '../helpers/fixtures.js';
import { REDIRECT_URI, rowCounts, signedIn, type TestClient } from './support.js';

// Checklist R1–R3 (RFC 6749 §3.1.2, RFC 9700 §4.1, RFC 8252 §7.3). The full table of redirect URI
// attacks is in hostile-input.test.ts; these are the named cases.

describe('R: redirect URIs', () => {
  let t: TestApp;
  let client: TestClient;
  let twoUris: TestClient;
  let loopback: TestClient;
  let browser: Browser;

  beforeAll(async () => {
    t = await createTestApp();
    await makeUser(t, 'alice');
    client = await makeClient(t, { redirectUris: [REDIRECT_URI] });
    twoUris = await makeClient(t, { redirectUris: [REDIRECT_URI, 'https://app.example.com/other'] });
    loopback = await makeClient(t, {
      public: true,
      redirectUris: ['http://127.0.0.1/cb', 'http://[::1]/cb', 'http://localhost:8080/cb'],
    });
    browser = await signedIn(t);
  });
  afterAll(() => t.close());

  function authorize(clientId: string | undefined, redirectUri: string | undefined, extra = {}) {
    const params: Record<string, string> = { response_type: 'code', scope: 'read', state: 's', ...extra };
    if (clientId !== undefined) params.client_id = clientId;
    if (redirectUri !== undefined) params.redirect_uri = redirectUri;
    return browser.get(`/oauth/authorize?${new URLSearchParams(params)}`);
  }

  /** R2: an error page of ours, never a redirect. */
  async function expectErrorPage(clientId: string | undefined, redirectUri: string | undefined, extra = {}) {
    const response = await authorize(clientId, redirectUri, extra);
    expect(response.statusCode, `${redirectUri}`).toBe(400);
    expect(response.headers.location).toBeUndefined();
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    return response;
  }

  it('R1 the registered URI, exactly, is accepted', async () => {
    const response = await authorize(client.clientId, REDIRECT_URI);
    expect(response.statusCode).toBe(200);
    expect(hiddenFields(response.body).redirect_uri).toBe(REDIRECT_URI);
  });

  it('R1 a trailing slash is a mismatch', async () => {
    await expectErrorPage(client.clientId, `${REDIRECT_URI}/`);
  });

  it('R1 a change of case in scheme, host or path is a mismatch', async () => {
    await expectErrorPage(client.clientId, 'HTTPS://app.example.com/callback');
    await expectErrorPage(client.clientId, 'https://APP.example.com/callback');
    await expectErrorPage(client.clientId, 'https://app.example.com/Callback');
  });

  it('R1 an added query, user-info, fragment, other scheme or port is a mismatch', async () => {
    for (const uri of [
      `${REDIRECT_URI}?next=https://evil.example`,
      'https://attacker@app.example.com/callback',
      'https://app.example.com@evil.example/callback',
      `${REDIRECT_URI}#x`,
      'http://app.example.com/callback',
      'https://app.example.com:443/callback',
      'https://app.example.com:8443/callback',
    ]) {
      await expectErrorPage(client.clientId, uri);
    }
  });

  it('R1 ".." and its percent-encodings are a mismatch', async () => {
    for (const uri of [
      'https://app.example.com/callback/../callback',
      'https://app.example.com/callback/%2e%2e/callback',
      'https://app.example.com/callback/%2E%2E/callback',
      'https://app.example.com/x/../callback',
      'https://app.example.com/callback%2f..%2fevil',
    ]) {
      await expectErrorPage(client.clientId, uri);
    }
  });

  it('R1 a loopback IP registration accepts any port (RFC 8252 §7.3), nothing else changes', async () => {
    for (const uri of ['http://127.0.0.1:51234/cb', 'http://[::1]:8000/cb', 'http://127.0.0.1/cb']) {
      const response = await authorize(loopback.clientId, uri, {
        code_challenge: 'a'.repeat(43),
        code_challenge_method: 'S256',
      });
      expect(response.statusCode, uri).toBe(200);
    }
    for (const uri of [
      'http://127.0.0.1:51234/cb/',
      'http://127.0.0.1:51234/other',
      'http://127.0.0.2:51234/cb',
      'http://[::1]:8000/cb?x=1',
      'https://127.0.0.1:51234/cb',
      // localhost is not a loopback IP literal: its port is matched exactly.
      'http://localhost:9090/cb',
      // A port out of range is no port at all.
      'http://127.0.0.1:99999/cb',
    ]) {
      await expectErrorPage(loopback.clientId, uri, {
        code_challenge: 'a'.repeat(43),
        code_challenge_method: 'S256',
      });
    }
  });

  it('R2 an unknown or missing client_id gets an error page, never a redirect', async () => {
    await expectErrorPage('no-such-client', REDIRECT_URI);
    await expectErrorPage(undefined, REDIRECT_URI);
    await expectErrorPage('', REDIRECT_URI);
    await expectErrorPage('x'.repeat(5000), REDIRECT_URI);
  });

  it('R2 a missing redirect_uri with several registered gets an error page', async () => {
    await expectErrorPage(twoUris.clientId, undefined);
    // With exactly one registered, it may be left out (RFC 6749 §3.1.2.3).
    const response = await authorize(client.clientId, undefined);
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('app.example.com');
  });

  it('R2 a malformed or unregistered redirect_uri gets an error page, and nothing is stored', async () => {
    const before = await rowCounts(t);
    for (const uri of [
      'not a uri',
      '',
      '//evil.example/cb',
      'https://evil.example/callback',
      'javascript:alert(1)',
    ]) {
      await expectErrorPage(client.clientId, uri);
    }
    // Even with other errors in the request, an untrusted redirect_uri is never used.
    await expectErrorPage(client.clientId, 'https://evil.example/callback', { response_type: 'bogus' });
    await expectErrorPage(client.clientId, 'https://evil.example/callback', { scope: 'nope' });
    expect(await rowCounts(t)).toEqual(before);
  });

  it('R3 registration rejects fragments, wildcards, relative URIs, dangerous schemes and plain http', async () => {
    const deps = { storage: t.storage, scopes: t.config.scopes };
    for (const uri of [
      'https://app.example.com/cb#frag',
      'https://app.example.com/cb#',
      'https://*.example.com/cb',
      'https://app.example.com/*',
      '/callback',
      'app.example.com/callback',
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,hi',
      'file:///etc/passwd',
      'vbscript:msgbox',
      'http://app.example.com/cb',
      'http://10.0.0.1/cb',
      'https://user:pass@app.example.com/cb',
      'https://app.example.com/c b',
    ]) {
      await expect(createClient(deps, { name: 'Bad', redirectUris: [uri] }), uri).rejects.toBeInstanceOf(
        AdminError,
      );
    }
    for (const uri of [
      'https://app.example.com/cb',
      'http://127.0.0.1/cb',
      'http://[::1]:8080/cb',
      'http://localhost/cb',
      'com.example.app:/oauth',
    ]) {
      const { client: created } = await createClient(deps, { name: 'Good', redirectUris: [uri] });
      expect(created.redirect_uris).toEqual([uri]);
    }
  });
});
