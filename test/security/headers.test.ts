import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { Browser, hiddenFields } from '../helpers/browser.js';
import { makeClient, makeUser, PASSWORD } from '../helpers/fixtures.js';
import { REDIRECT_URI, signedIn, type TestClient } from './support.js';

// Response headers (checklist A4, A6; RFC 9700 §4.16 clickjacking, §4.2.4 referrer; RFC 6797 HSTS):
// a strict Content-Security-Policy, no framing, no Referer, no CORS on the authorization endpoint,
// and HSTS (with Secure, __Host- cookies) only when the issuer is https.

const STRICT_CSP = {
  'default-src': ["'none'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
};

function policy(response: LightMyRequestResponse): Map<string, string[]> {
  const header = String(response.headers['content-security-policy'] ?? '');
  return new Map(
    header
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...values]) => [name as string, values]),
  );
}

function expectStrictHeaders(response: LightMyRequestResponse, label: string) {
  const csp = policy(response);
  for (const [directive, values] of Object.entries(STRICT_CSP)) {
    expect(csp.get(directive), `${label}: ${directive}`).toEqual(values);
  }
  for (const [directive, values] of csp) {
    // Nothing that would let a script or a style in from elsewhere.
    for (const value of values) {
      expect(value, `${label}: ${directive}`).not.toMatch(
        /^\*$|unsafe-inline|unsafe-eval|^data:$|^http:$|^https:$/,
      );
    }
  }
  expect(csp.has('script-src') ? csp.get('script-src') : ["'none'"], label).not.toContain("'unsafe-inline'");
  expect(response.headers['x-frame-options'], label).toBe('DENY');
  expect(response.headers['referrer-policy'], label).toBe('no-referrer');
  expect(response.headers['x-content-type-options'], label).toBe('nosniff');
}

describe('headers', () => {
  let t: TestApp;
  let client: TestClient;
  let alice: Browser;

  beforeAll(async () => {
    t = await createTestApp();
    await makeUser(t, 'alice');
    client = await makeClient(t);
    alice = await signedIn(t);
  });
  afterAll(() => t.close());

  it('A4 A6 a strict policy, no framing, no Referer, on every page and every answer', async () => {
    const authorize = `/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: client.clientId, redirect_uri: REDIRECT_URI, scope: 'read' })}`;
    const responses: [string, LightMyRequestResponse][] = [
      ['home', await alice.get('/')],
      ['login', await new Browser(t.app).get('/login')],
      ['consent', await alice.get(authorize)],
      ['authorize error page', await alice.get('/oauth/authorize?client_id=nope')],
      ['authorize redirect to login', await new Browser(t.app).get(authorize)],
      ['connected apps', await alice.get('/connected-apps')],
      ['token error', await t.app.inject({ method: 'POST', url: '/oauth/token', payload: {} })],
      ['api 401', await t.app.inject({ url: '/api/v1/me' })],
      ['not found', await t.app.inject({ url: '/no/such/page' })],
      ['readyz', await t.app.inject({ url: '/readyz' })],
    ];
    for (const [label, response] of responses) expectStrictHeaders(response, label);
  });

  it('A4 the consent page may post only to us and to the client’s own origin', async () => {
    const page = await alice.get(
      `/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: client.clientId, redirect_uri: REDIRECT_URI, scope: 'read' })}`,
    );
    expect(page.statusCode).toBe(200);
    expect(policy(page).get('form-action')).toEqual(["'self'", 'https://app.example.com']);
  });

  it('A4 no CORS on the authorization endpoint, the sign-in or the consent', async () => {
    const origin = { origin: 'https://evil.example' };
    const authorize = `/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: client.clientId, redirect_uri: REDIRECT_URI, scope: 'read' })}`;
    const responses = [
      await alice.get(authorize, origin),
      await t.app.inject({ method: 'POST', url: '/oauth/authorize', headers: origin, payload: {} }),
      await t.app.inject({
        method: 'OPTIONS',
        url: '/oauth/authorize',
        headers: { ...origin, 'access-control-request-method': 'POST' },
      }),
      await t.app.inject({
        method: 'OPTIONS',
        url: '/oauth/authorize/decision',
        headers: { ...origin, 'access-control-request-method': 'POST' },
      }),
      await t.app.inject({
        method: 'OPTIONS',
        url: '/login',
        headers: { ...origin, 'access-control-request-method': 'POST' },
      }),
      await new Browser(t.app).get('/login', origin),
    ];
    for (const response of responses) {
      for (const name of Object.keys(response.headers)) expect(name).not.toMatch(/^access-control-/);
    }
  });

  it('A4 no HSTS, no Secure cookie on a plain-http (development) issuer', async () => {
    const page = await new Browser(t.app).get('/login');
    expect(page.headers['strict-transport-security']).toBeUndefined();
    expect(String(page.headers['set-cookie'])).not.toMatch(/Secure/i);
  });

  it('A4 HSTS and __Host- Secure cookies when the issuer is https', async () => {
    const https = await createTestApp({ ISSUER: 'https://auth.example.com' });
    try {
      await makeUser(https, 'alice');
      const browser = new Browser(https.app);
      const form = await browser.get('/login');
      const login = await browser.post('/login', {
        csrf_token: hiddenFields(form.body).csrf_token as string,
        username: 'alice',
        password: PASSWORD,
        return_to: '/',
      });
      for (const response of [
        form,
        login,
        await https.app.inject({ url: '/readyz' }),
        await https.app.inject({ method: 'POST', url: '/oauth/token', payload: {} }),
      ]) {
        expect(response.headers['strict-transport-security']).toMatch(/^max-age=(\d+)/);
        const maxAge = Number(
          /max-age=(\d+)/.exec(String(response.headers['strict-transport-security']))?.[1],
        );
        expect(maxAge).toBeGreaterThanOrEqual(15_552_000);
      }
      for (const cookie of [...form.cookies, ...login.cookies]) {
        expect(cookie.name).toMatch(/^__Host-/);
        expect(cookie.secure).toBe(true);
        expect(cookie.httpOnly).toBe(true);
        expect(cookie.path).toBe('/');
        expect(cookie.domain).toBeUndefined();
        expect(String(cookie.sameSite).toLowerCase()).toMatch(/lax|strict/);
      }
      const metadata = (await https.app.inject({ url: '/.well-known/oauth-authorization-server' })).json();
      expect(metadata.issuer).toBe('https://auth.example.com');
      expect(metadata.authorization_endpoint).toBe('https://auth.example.com/oauth/authorize');
    } finally {
      await https.close();
    }
  });
});
