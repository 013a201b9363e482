import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { Browser, hiddenFields } from '../helpers/browser.js';
import { basicAuth, makeClient, makeUser, PASSWORD } from '../helpers/fixtures.js';
import {
  clientCredentials,
  codeFlowTokens,
  introspectAs,
  REDIRECT_URI,
  signedIn,
  type TestClient,
} from './support.js';

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
      ['api without a token', await t.app.inject({ url: '/api/v1/me' })],
      ['not found', await t.app.inject({ url: '/no/such/page' })],
      ['readyz', await t.app.inject({ url: '/readyz' })],
    ];
    for (const [label, response] of responses) expectStrictHeaders(response, label);
  });

  it('T3 V2 answers of the OAuth endpoints, the API and the admin API, errors too, are never cached', async () => {
    // RFC 6749 §5.1, RFC 7662 §2.2, RFC 6750 §5.3: Cache-Control: no-store, and Pragma: no-cache for
    // HTTP/1.0 caches. Set once for every response that does not set its own (security-headers.ts).
    // A client of its own, and a user of its own: the other tests here need alice's consent unmade.
    const app = await makeClient(t, {
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    });
    await makeUser(t, 'carol');
    const { tokens } = await codeFlowTokens(t, app, { username: 'carol' });
    const basic = { authorization: basicAuth(app.clientId, app.secret as string) };
    const form = { ...basic, 'content-type': 'application/x-www-form-urlencoded' };
    const responses: [string, LightMyRequestResponse][] = [
      ['client_credentials', await clientCredentials(t, app, 'read')],
      ['token error', await t.app.inject({ method: 'POST', url: '/oauth/token', payload: {} })],
      ['introspection', await introspectAs(t, app, tokens.access_token)],
      [
        'api',
        await t.app.inject({
          url: '/api/v1/me',
          headers: { authorization: `Bearer ${tokens.access_token}` },
        }),
      ],
      [
        'introspection error',
        await t.app.inject({ method: 'POST', url: '/oauth/introspect', headers: form, payload: '' }),
      ],
      [
        'revocation',
        await t.app.inject({
          method: 'POST',
          url: '/oauth/revoke',
          headers: form,
          payload: `token=${tokens.refresh_token}`,
        }),
      ],
      ['revocation error', await t.app.inject({ method: 'POST', url: '/oauth/revoke', payload: {} })],
      ['api without a token', await t.app.inject({ url: '/api/v1/me' })],
      ['admin without a token', await t.app.inject({ url: '/admin/v1/clients' })],
    ];
    for (const [label, response] of responses) {
      expect(response.headers['cache-control'], label).toBe('no-store');
      expect(response.headers.pragma, label).toBe('no-cache');
    }
    expect(responses.map(([label, response]) => `${label} ${response.statusCode}`)).toEqual([
      'client_credentials 200',
      'token error 400',
      'introspection 200',
      'api 200',
      'introspection error 400',
      'revocation 200',
      'revocation error 401',
      'api without a token 401',
      'admin without a token 401',
    ]);
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
