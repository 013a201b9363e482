import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/admin/clients.js';
import { createTestApp, TEST_ISSUER, type TestApp } from '../helpers/app.js';
import { Browser, hiddenFields } from '../helpers/browser.js';
import { makeClient, makeUser, PASSWORD, pkcePair } from '../helpers/fixtures.js';
import {
  consentPage,
  locationParams,
  REDIRECT_URI,
  rowCounts,
  signedIn,
  type TestClient,
} from './support.js';

// Checklist A1–A8 (A9 is in A9-login-throttling.test.ts): the authorization endpoint, sign-in and consent (RFC 6749 §4.1, §10.12,
// RFC 9207, RFC 9700 §4.11, §4.16, RFC 6819 §4.4.1.1).

const HOSTILE_NAME = '<script>alert(1)</script>';
const HOSTILE_DESCRIPTION = '"><img src=x onerror=alert(2)>';
const HOSTILE_URI = 'https://app.example.com/cb?x="><script>alert(3)</script>';

describe('A: authorization endpoint, sign-in and consent', () => {
  let t: TestApp;
  let confidential: TestClient;
  let publicClient: TestClient;
  let implicitClient: TestClient;
  let hostile: { client_id: string };
  let alice: Browser;

  beforeAll(async () => {
    t = await createTestApp();
    await makeUser(t, 'alice');
    await makeUser(t, 'bob');
    await makeUser(t, 'carol');
    await makeUser(t, 'dave');
    confidential = await makeClient(t, { name: 'Salon Planner' });
    publicClient = await makeClient(t, { public: true, redirectUris: [REDIRECT_URI] });
    implicitClient = await makeClient(t, { grantTypes: ['implicit'], redirectUris: [REDIRECT_URI] });
    // A6: registered through the same code path as the CLI and admin API.
    hostile = (
      await createClient(
        { storage: t.storage, scopes: t.config.scopes },
        { name: HOSTILE_NAME, description: HOSTILE_DESCRIPTION, redirectUris: [HOSTILE_URI] },
      )
    ).client;
    alice = await signedIn(t, 'alice');
  });
  afterAll(() => t.close());

  // The public client is asked every time (A7), so each of these requests shows the consent page.
  const { challenge } = pkcePair();
  const codeParams = (extra: Record<string, string> = {}) => ({
    response_type: 'code',
    client_id: publicClient.clientId,
    redirect_uri: REDIRECT_URI,
    scope: 'read',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  });

  async function allow(browser: Browser, params: Record<string, string>) {
    const { fields } = await consentPage(browser, params);
    return browser.post('/oauth/authorize/decision', { ...fields, decision: 'allow' });
  }

  it('A1 state comes back exactly as sent, long and odd values too', async () => {
    const states = [
      'xyz',
      `${'long-state-'.repeat(150)}end`,
      'a b&c=d#e?f/g+h%20i;j,k',
      'ünïcödé ✓ 日本',
      '<>"\'`',
    ];
    for (const state of states) {
      const response = await allow(alice, codeParams({ state }));
      expect(response.statusCode).toBe(303);
      expect(locationParams(response).get('state')).toBe(state);
    }
  });

  it('A1 a request without state gets a response without state', async () => {
    const response = await allow(alice, codeParams());
    const params = locationParams(response);
    expect(params.get('code')).toBeTruthy();
    expect(params.has('state')).toBe(false);
    const error = await alice.get(`/oauth/authorize?${new URLSearchParams(codeParams({ scope: 'nope' }))}`);
    expect(locationParams(error).get('error')).toBe('invalid_scope');
    expect(locationParams(error).has('state')).toBe(false);
  });

  it('A1 unknown parameters are ignored and not echoed', async () => {
    const response = await allow(alice, codeParams({ state: 's', foo: 'bar', nonce: 'n', prompt: 'none' }));
    expect(response.statusCode).toBe(303);
    const params = locationParams(response);
    expect(params.get('state')).toBe('s');
    expect([...params.keys()].sort()).toEqual(['code', 'iss', 'state']);
  });

  it('A1 repeated parameters are rejected', async () => {
    const base = new URLSearchParams(codeParams({ state: 's' }));
    for (const name of ['scope', 'response_type', 'state', 'code_challenge']) {
      const query = new URLSearchParams(base);
      query.append(name, name === 'code_challenge' ? 'a'.repeat(43) : 'read');
      const response = await alice.get(`/oauth/authorize?${query}`);
      expect(response.statusCode, name).toBe(302);
      const params = locationParams(response);
      expect(params.get('error'), name).toBe('invalid_request');
      expect(params.get('iss')).toBe(TEST_ISSUER);
      expect(params.has('code')).toBe(false);
    }
    // A repeated client_id or redirect_uri cannot be trusted at all: an error page.
    for (const name of ['client_id', 'redirect_uri']) {
      const query = new URLSearchParams(base);
      query.append(name, base.get(name) as string);
      const response = await alice.get(`/oauth/authorize?${query}`);
      expect(response.statusCode, name).toBe(400);
      expect(response.headers.location).toBeUndefined();
    }
    // The consent POST is validated again: a repeated parameter there is refused too.
    const { fields } = await consentPage(alice, codeParams({ state: 's' }));
    const body = new URLSearchParams({ ...fields, decision: 'allow' });
    body.append('scope', 'write');
    const decided = await t.app.inject({
      method: 'POST',
      url: '/oauth/authorize/decision',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: [...alice.cookies].map(([n, v]) => `${n}=${v}`).join('; '),
      },
      payload: body.toString(),
    });
    expect(decided.statusCode).toBe(303);
    expect(locationParams(decided).get('error')).toBe('invalid_request');
  });

  it('A2 every authorization response carries iss, errors and denials included', async () => {
    const success = await allow(alice, codeParams({ state: 's' }));
    expect(locationParams(success).get('iss')).toBe(TEST_ISSUER);
    const error = await alice.get(
      `/oauth/authorize?${new URLSearchParams(codeParams({ response_type: 'bogus' }))}`,
    );
    expect(locationParams(error).get('error')).toBe('unsupported_response_type');
    expect(locationParams(error).get('iss')).toBe(TEST_ISSUER);
    const { fields } = await consentPage(alice, codeParams());
    const denied = await alice.post('/oauth/authorize/decision', { ...fields, decision: 'deny' });
    expect(locationParams(denied).get('iss')).toBe(TEST_ISSUER);
    const implicit = await allow(alice, {
      response_type: 'token',
      client_id: implicitClient.clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'read',
    });
    expect(locationParams(implicit).get('iss')).toBe(TEST_ISSUER);
    const metadata = await t.app.inject({ url: '/.well-known/oauth-authorization-server' });
    expect(metadata.json().authorization_response_iss_parameter_supported).toBe(true);
    expect(metadata.json().issuer).toBe(TEST_ISSUER);
  });

  it('A3 the sign-in form needs the CSRF token of its own session', async () => {
    const browser = new Browser(t.app, '10.3.0.1');
    const form = await browser.get('/login');
    const { csrf_token } = hiddenFields(form.body);
    expect(csrf_token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const credentials = { username: 'carol', password: PASSWORD, return_to: '/' };
    expect((await browser.post('/login', credentials)).statusCode).toBe(403);
    expect((await browser.post('/login', { ...credentials, csrf_token: 'forged' })).statusCode).toBe(403);
    // Another browser's token is no good here.
    const other = new Browser(t.app, '10.3.0.1');
    await other.get('/login');
    const stolen = await other.post('/login', { ...credentials, csrf_token: csrf_token as string });
    expect(stolen.statusCode).toBe(403);
    expect(stolen.headers['set-cookie'] ?? '').not.toMatch(/Max-Age/);
    // With its own token it works.
    const ok = await browser.post('/login', { ...credentials, csrf_token: csrf_token as string });
    expect(ok.statusCode).toBe(303);
  });

  it('A3 the consent form needs the CSRF token: without it nothing is granted', async () => {
    const { fields } = await consentPage(alice, codeParams({ state: 's' }));
    const bob = await signedIn(t, 'bob');
    const bobsForm = await consentPage(bob, codeParams());
    const before = await rowCounts(t);
    for (const csrf of [undefined, '', 'x'.repeat(43)]) {
      const form: Record<string, string> = { ...fields, decision: 'allow' };
      if (csrf === undefined) delete form.csrf_token;
      else form.csrf_token = csrf;
      const response = await alice.post('/oauth/authorize/decision', form);
      expect(response.statusCode).toBe(403);
      expect(response.headers.location).toBeUndefined();
    }
    // A token from another (signed-in) session is refused too.
    const crossed = await alice.post('/oauth/authorize/decision', {
      ...fields,
      csrf_token: bobsForm.fields.csrf_token as string,
      decision: 'allow',
    });
    expect(crossed.statusCode).toBe(403);
    expect(await rowCounts(t)).toEqual(before);
  });

  it('A3 signing out needs the CSRF token', async () => {
    const browser = await signedIn(t, 'dave');
    const refused = await browser.post('/logout', {});
    expect(refused.statusCode).toBe(403);
    const page = await browser.get(`/oauth/authorize?${new URLSearchParams(codeParams())}`);
    expect(page.statusCode).toBe(200);
  });

  it('A2 the issuer never comes from the Host or X-Forwarded-* headers', async () => {
    const headers = { host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'http' };
    const metadata = await t.app.inject({ url: '/.well-known/oauth-authorization-server', headers });
    expect(metadata.json().issuer).toBe(TEST_ISSUER);
    expect(JSON.stringify(metadata.json())).not.toContain('evil.example');
    const denied = await alice.get(
      `/oauth/authorize?${new URLSearchParams(codeParams({ scope: 'nope' }))}`,
      headers,
    );
    expect(locationParams(denied).get('iss')).toBe(TEST_ISSUER);
  });

  it('A3 signing in starts a new session: a cookie planted before is worth nothing', async () => {
    const browser = new Browser(t.app, '10.3.1.1');
    const form = await browser.get('/login');
    const planted = [...browser.cookies.values()][0] as string;
    expect(planted).toBeTruthy();
    const login = await browser.post('/login', {
      csrf_token: hiddenFields(form.body).csrf_token as string,
      username: 'carol',
      password: PASSWORD,
      return_to: '/',
    });
    expect(login.statusCode).toBe(303);
    expect([...browser.cookies.values()]).not.toContain(planted);
    // The attacker who planted the first value is not signed in with it.
    const attacker = new Browser(t.app, '10.3.1.2');
    for (const [name] of browser.cookies) attacker.cookies.set(name, planted);
    const page = await attacker.get(`/oauth/authorize?${new URLSearchParams(codeParams())}`);
    expect(page.statusCode).toBe(302);
    expect(String(page.headers.location)).toMatch(/^\/login/);
  });

  it('A3 the Revoke button of connected apps needs the CSRF token', async () => {
    const response = await alice.post('/connected-apps/revoke', { client_id: publicClient.clientId });
    expect(response.statusCode).toBe(403);
  });

  it('A4 the sign-in, consent and error pages cannot be framed', async () => {
    const pages = [
      await new Browser(t.app).get('/login'),
      (await consentPage(alice, codeParams())).page,
      await alice.get('/oauth/authorize?client_id=unknown'),
    ];
    for (const page of pages) {
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(page.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('A5 the consent POST sends the browser on with 303, never 307', async () => {
    const allowed = await allow(alice, codeParams({ state: 's' }));
    expect(allowed.statusCode).toBe(303);
    const { fields } = await consentPage(alice, codeParams());
    const denied = await alice.post('/oauth/authorize/decision', { ...fields, decision: 'deny' });
    expect(denied.statusCode).toBe(303);
    const invalid = await alice.post('/oauth/authorize/decision', {
      ...fields,
      scope: 'nope',
      decision: 'allow',
    });
    expect(invalid.statusCode).toBe(303);
    expect(locationParams(invalid).get('error')).toBe('invalid_scope');
    // The sign-in POST, too, continues with 303.
    const browser = new Browser(t.app, '10.5.0.1');
    const form = await browser.get('/login');
    const login = await browser.post('/login', {
      csrf_token: hiddenFields(form.body).csrf_token as string,
      username: 'dave',
      password: PASSWORD,
      return_to: '/',
    });
    expect(login.statusCode).toBe(303);
  });

  it('A5 after sign-in the browser goes only to our own pages, and the redirect never breaks', async () => {
    const cases: [string, string][] = [
      ['https://evil.example/', '/'],
      ['//evil.example/', '/'],
      ['/\\evil.example', '/'],
      ['javascript:alert(1)', '/'],
      ['/oauth/authorizeX', '/'],
      ['/oauth/authorize?a\r\nSet-Cookie: x=1', '/'],
      ['/oauth/authorize?x=日本', '/'],
      ['/oauth/authorize?x=\u0001', '/'],
      ['/connected-apps', '/connected-apps'],
      ['/oauth/authorize?client_id=x&state=%E2%9C%93', '/oauth/authorize?client_id=x&state=%E2%9C%93'],
    ];
    for (const [returnTo, expected] of cases) {
      const browser = new Browser(t.app, '10.5.1.1');
      const form = await browser.get(`/login?${new URLSearchParams({ return_to: returnTo })}`);
      expect(form.statusCode, returnTo).toBe(200);
      const login = await browser.post('/login', {
        csrf_token: hiddenFields(form.body).csrf_token as string,
        username: 'dave',
        password: PASSWORD,
        return_to: returnTo,
      });
      expect(login.statusCode, returnTo).toBe(303);
      expect(login.headers.location, returnTo).toBe(expected);
    }
  });

  it('A6 the pages send no Referrer and load nothing from anywhere else', async () => {
    const pages = [
      await new Browser(t.app).get('/login'),
      (await consentPage(alice, codeParams())).page,
      await alice.get('/oauth/authorize?client_id=unknown'),
      await alice.get('/'),
    ];
    for (const page of pages) {
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      const csp = String(page.headers['content-security-policy']);
      expect(csp).toMatch(/default-src 'none'/);
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
      // Every src, href and action is a path on this server.
      for (const match of page.body.matchAll(/\b(src|href|action)\s*=\s*"([^"]*)"/gi)) {
        expect(match[2], match[0]).toMatch(/^\/(?!\/)/);
      }
      expect(page.body).not.toMatch(/<script\b|<iframe\b|\bstyle\s*=|\bon[a-z]+\s*=/i);
    }
  });

  it('A6 a client name, description and redirect URI are escaped on every page', async () => {
    const params = {
      response_type: 'code',
      client_id: hostile.client_id,
      redirect_uri: HOSTILE_URI,
      scope: 'read',
    };
    const { page, fields } = await consentPage(alice, params);
    const login = await new Browser(t.app).get(
      `/login?return_to=${encodeURIComponent(`/oauth/authorize?${new URLSearchParams(params)}`)}`,
    );
    for (const body of [page.body, login.body]) {
      expect(body).not.toContain(HOSTILE_NAME);
      expect(body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(body).not.toMatch(/<script|<img/i);
    }
    expect(page.body).not.toContain(HOSTILE_DESCRIPTION);
    expect(page.body).not.toContain(HOSTILE_URI);
    // The hidden field carries the URI back intact (escaped in HTML, decoded by the browser).
    expect(fields.redirect_uri).toBe(HOSTILE_URI);
    // The form-action source in the policy is the redirect's origin, nothing of its path or query.
    expect(page.headers['content-security-policy']).toMatch(
      /form-action 'self' https:\/\/app\.example\.com;/,
    );
  });

  it('A7 a public client is asked for consent every time', async () => {
    const params = codeParams();
    expect((await allow(alice, params)).statusCode).toBe(303);
    expect(await t.storage.consents.scopesFor(await userId('alice'), publicClient.clientId)).toEqual([
      'read',
    ]);
    const again = await alice.get(`/oauth/authorize?${new URLSearchParams(params)}`);
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('Allow');
  });

  it('A7 the implicit grant asks every time, even a confidential client', async () => {
    const params = {
      response_type: 'token',
      client_id: implicitClient.clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'read',
    };
    expect((await allow(alice, params)).statusCode).toBe(303);
    const again = await alice.get(`/oauth/authorize?${new URLSearchParams(params)}`);
    expect(again.statusCode).toBe(200);
    // Whereas the code flow of a confidential client may skip a consent already given.
    const confidentialParams = {
      response_type: 'code',
      client_id: confidential.clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'write',
    };
    expect((await allow(alice, confidentialParams)).statusCode).toBe(303);
    const silent = await alice.get(`/oauth/authorize?${new URLSearchParams(confidentialParams)}`);
    expect(silent.statusCode).toBe(302);
    expect(locationParams(silent).get('code')).toBeTruthy();
  });

  it('A8 a user who denies is sent back with access_denied, state and iss', async () => {
    const { fields } = await consentPage(alice, codeParams({ state: 'deny-me', scope: 'read write' }));
    const before = await rowCounts(t);
    const denied = await alice.post('/oauth/authorize/decision', { ...fields, decision: 'deny' });
    expect(denied.statusCode).toBe(303);
    expect(String(denied.headers.location).startsWith(`${REDIRECT_URI}?`)).toBe(true);
    const params = locationParams(denied);
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('state')).toBe('deny-me');
    expect(params.get('iss')).toBe(TEST_ISSUER);
    expect(params.has('code')).toBe(false);
    expect(await rowCounts(t)).toEqual(before);
    // Implicit: in the fragment.
    const implicit = await consentPage(alice, {
      response_type: 'token',
      client_id: implicitClient.clientId,
      redirect_uri: REDIRECT_URI,
      state: 'frag',
    });
    const deniedImplicit = await alice.post('/oauth/authorize/decision', {
      ...implicit.fields,
      decision: 'deny',
    });
    expect(String(deniedImplicit.headers.location)).toMatch(/^https:\/\/app\.example\.com\/callback#/);
    expect(locationParams(deniedImplicit).get('error')).toBe('access_denied');
    expect(locationParams(deniedImplicit).get('state')).toBe('frag');
  });

  async function userId(username: string): Promise<string> {
    return (await t.storage.users.findByUsername(username))?.id as string;
  }
});
