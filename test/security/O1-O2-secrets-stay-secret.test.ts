import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { Browser, hiddenFields, redirectParams } from '../helpers/browser.js';
import {
  basicAuth,
  makeClient,
  makeUser,
  obtainCode,
  PASSWORD,
  pkcePair,
  tokenRequest,
} from '../helpers/fixtures.js';
import {
  allStoredText,
  clientCredentials,
  codeFlowTokens,
  exchangeCode,
  REDIRECT_URI,
  refresh,
  type TestClient,
} from './support.js';

// Checklist O1 and O2: no token, code, secret, password or PKCE verifier ever reaches a log line,
// an error body, a page, a cookie, a Location the server builds (other than the redirect to the
// client that carries the code or token), or a database column in the clear; a client secret is
// shown once, at creation or rotation.

const WRONG_PASSWORDS = ['Tr0ub4dor&3 wrong', 'hunter2-not-it'];

describe('O1 O2: secrets stay secret', () => {
  let t: TestApp;
  const responses: { request: InjectOptions; response: LightMyRequestResponse }[] = [];
  /** Every secret seen in the clear during the flows, with what it is. */
  const secrets = new Map<string, string>();
  let confidential: TestClient;
  let publicClient: TestClient;
  let implicitClient: TestClient;

  const remember = (kind: string, value: string | undefined | null) => {
    if (value) secrets.set(value, kind);
  };

  beforeAll(async () => {
    t = await createTestApp({ LOG_LEVEL: 'trace' });
    // Every response the app gives in this file is kept for the search.
    const inject = t.app.inject.bind(t.app) as (options: InjectOptions) => Promise<LightMyRequestResponse>;
    (t.app as unknown as { inject: typeof inject }).inject = async (options: InjectOptions) => {
      const response = await inject(options);
      responses.push({ request: options, response });
      return response;
    };
    await makeUser(t, 'alice');
    remember('password', PASSWORD);
    for (const wrong of WRONG_PASSWORDS) remember('password', wrong);
    confidential = await makeClient(t, {
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    });
    publicClient = await makeClient(t, { public: true });
    implicitClient = await makeClient(t, { grantTypes: ['implicit'] });
    remember('client secret', confidential.secret);
    remember('client secret', implicitClient.secret);

    // The code flow, a refresh, a replayed refresh token and a replayed code.
    const flow = await codeFlowTokens(t, confidential);
    remember('code', flow.code);
    remember('verifier', flow.verifier);
    remember('access token', flow.tokens.access_token);
    remember('refresh token', flow.tokens.refresh_token);
    const refreshed = (await refresh(t, confidential, flow.tokens.refresh_token)).json();
    remember('access token', refreshed.access_token);
    remember('refresh token', refreshed.refresh_token);
    await refresh(t, confidential, flow.tokens.refresh_token);
    await exchangeCode(t, confidential, flow.code, flow.verifier);

    // A public client with PKCE, a wrong verifier first.
    const pair = pkcePair();
    const wrongPair = pkcePair();
    remember('verifier', pair.verifier);
    remember('verifier', wrongPair.verifier);
    const { code } = await obtainCode(t, {
      client_id: publicClient.clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'read',
      code_challenge: pair.challenge,
      code_challenge_method: 'S256',
    });
    remember('code', code);
    await tokenRequest(t, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: publicClient.clientId,
      code_verifier: wrongPair.verifier,
    });

    // Client credentials, good and bad; secrets in the query string (refused, and never logged).
    const machine = (await clientCredentials(t, confidential, 'read')).json();
    remember('access token', machine.access_token);
    await tokenRequest(
      t,
      { grant_type: 'client_credentials' },
      { authorization: basicAuth(confidential.clientId, 'wrong-secret-1') },
    );
    remember('client secret (wrong)', 'wrong-secret-1');
    await t.app.inject({
      method: 'POST',
      url: `/oauth/token?client_id=${confidential.clientId}&client_secret=${confidential.secret}&code=${flow.code}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'grant_type=client_credentials',
    });
    await t.app.inject({ url: `/api/v1/me?access_token=${machine.access_token}` });
    await t.app.inject({
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${flow.tokens.access_token}` },
    });
    await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${machine.access_token}x` } });
    // A JSON body that fails to parse, with a secret in it.
    await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/json' },
      payload: `{"grant_type":"client_credentials","client_secret":"${confidential.secret}",`,
    });

    // Revocation and introspection.
    const post = (url: string, token: string) =>
      t.app.inject({
        method: 'POST',
        url,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basicAuth(confidential.clientId, confidential.secret as string),
        },
        payload: `token=${token}`,
      });
    await post('/oauth/introspect', refreshed.access_token);
    await post('/oauth/revoke', refreshed.refresh_token);

    // The implicit grant: its token may only travel in the redirect's fragment.
    const browser = new Browser(t.app, '10.20.0.1');
    const login = await browser.get('/login');
    const csrf = hiddenFields(login.body).csrf_token as string;
    for (const wrong of WRONG_PASSWORDS) {
      await browser.post('/login', { csrf_token: csrf, username: 'alice', password: wrong, return_to: '/' });
      await browser.post('/login', { csrf_token: csrf, username: 'nobody', password: wrong, return_to: '/' });
    }
    await browser.post('/login', { csrf_token: csrf, username: 'alice', password: PASSWORD, return_to: '/' });
    const page = await browser.get(
      `/oauth/authorize?${new URLSearchParams({ response_type: 'token', client_id: implicitClient.clientId, scope: 'read' })}`,
    );
    const decided = await browser.post('/oauth/authorize/decision', {
      ...hiddenFields(page.body),
      decision: 'allow',
    });
    remember('access token', redirectParams(String(decided.headers.location)).get('access_token'));
    // The session cookie is a secret too: it may travel in its own cookie, nowhere else.
    for (const [name, value] of browser.cookies) if (name.includes('session')) remember('session id', value);
  }, 60_000);
  afterAll(() => t.close());

  /** Each secret as it could appear: raw, percent-encoded, form-encoded. */
  function find(haystack: string): string[] {
    const found: string[] = [];
    for (const [secret, kind] of secrets) {
      const forms = new Set([
        secret,
        encodeURIComponent(secret),
        encodeURIComponent(secret).replace(/%20/g, '+'),
      ]);
      if ([...forms].some((form) => haystack.includes(form))) found.push(`${kind} ${secret.slice(0, 8)}…`);
    }
    return found;
  }

  it('O1 the flows ran and issued what we look for', () => {
    const kinds = new Set(secrets.values());
    for (const kind of [
      'password',
      'client secret',
      'code',
      'verifier',
      'access token',
      'refresh token',
      'session id',
    ]) {
      expect(kinds).toContain(kind);
    }
    expect(responses.length).toBeGreaterThan(30);
    expect(t.logs.length).toBeGreaterThan(30);
    // The logs hold the requests (so a leak would be there to find), and the search finds secrets.
    expect(t.logs.some((line) => line.includes('"url":"/oauth/token"'))).toBe(true);
    expect(t.logs.some((line) => line.includes('request failed') || line.includes('"statusCode":401'))).toBe(
      true,
    );
    expect(find(`x=${encodeURIComponent(PASSWORD)}&y`)).toEqual([`password ${PASSWORD.slice(0, 8)}…`]);
  });

  it('O1 no secret in any log line', () => {
    const leaks = t.logs.flatMap((line) => find(line).map((what) => `${what} in ${line.slice(0, 200)}`));
    expect(leaks).toEqual([]);
  });

  it('O1 no secret in any error body or page', () => {
    const leaks: string[] = [];
    for (const { request, response } of responses) {
      const isPage = String(response.headers['content-type'] ?? '').startsWith('text/html');
      if (response.statusCode < 400 && !isPage) continue;
      for (const what of find(response.body))
        leaks.push(`${what} in ${request.method ?? 'GET'} ${request.url} → ${response.statusCode}`);
    }
    expect(leaks).toEqual([]);
  });

  it('O1 no secret in a cookie, and only the session id in the session cookie', () => {
    const leaks: string[] = [];
    for (const { response } of responses) {
      for (const cookie of response.cookies) {
        const found = find(`${cookie.name}=${cookie.value}`).filter((what) => !what.startsWith('session id'));
        leaks.push(...found.map((what) => `${what} in cookie ${cookie.name}`));
        expect(cookie.httpOnly, cookie.name).toBe(true);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('O1 no secret in a Location, other than the code or token in the redirect to the client', () => {
    const leaks: string[] = [];
    for (const { response } of responses) {
      const location = response.headers.location;
      if (location === undefined) continue;
      let rest = String(location);
      if (rest.startsWith(REDIRECT_URI)) {
        // The redirect it must build: only the code (query) or the implicit token (fragment) may be in it.
        const params = redirectParams(rest);
        for (const name of ['code', 'access_token']) params.delete(name);
        rest = params.toString();
      }
      leaks.push(...find(rest).map((what) => `${what} in Location ${String(location).slice(0, 80)}`));
    }
    expect(leaks).toEqual([]);
  });

  it('O1 no secret in the clear in any column of any table', async () => {
    const leaks = (await allStoredText(t)).flatMap((text) =>
      find(text).map((what) => `${what} in ${text.split('=')[0]}`),
    );
    expect(leaks).toEqual([]);
    // What is stored instead: hashes.
    const hashes = new Set((await allStoredText(t)).map((text) => text.slice(text.indexOf('=') + 1)));
    expect(hashes).toContain(
      createHash('sha256')
        .update(confidential.secret as string)
        .digest('base64url'),
    );
  });

  it('O2 a secret is shown once: the CLI prints it at create and rotate, never in show or list', () => {
    const cli = (...args: string[]) => {
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
        env: {
          ...process.env,
          DATABASE_URL: t.config.databaseUrl,
          SESSION_SECRET: 'x'.repeat(40),
          LOG_LEVEL: 'silent',
        },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.status, result.stderr).toBe(0);
      return result.stdout;
    };
    const created = JSON.parse(
      cli('clients', 'create', '--name', 'CLI App', '--redirect-uri', REDIRECT_URI, '--json'),
    );
    expect(created.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rotated = JSON.parse(cli('clients', 'rotate-secret', created.client_id, '--json'));
    expect(rotated.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated.client_secret).not.toBe(created.client_secret);
    const hash = (value: string) => createHash('sha256').update(value).digest('base64url');
    const outputs = [
      cli('clients', 'list', '--json'),
      cli('clients', 'list'),
      cli('clients', 'show', created.client_id, '--json'),
      cli('clients', 'show', created.client_id),
      cli('clients', 'show', confidential.clientId, '--json'),
    ];
    for (const output of outputs) {
      for (const secret of [created.client_secret, rotated.client_secret, confidential.secret as string]) {
        expect(output).not.toContain(secret);
        expect(output).not.toContain(hash(secret));
      }
      expect(output).not.toMatch(/secret/i);
    }
    expect(JSON.parse(outputs[2] as string).client_id).toBe(created.client_id);
  }, 120_000);

  it('O2 the admin API shows a secret only in the reply that creates or rotates it', async () => {
    const admin = await makeClient(t, { admin: true, grantTypes: ['client_credentials'], scopes: ['admin'] });
    const token = (
      await tokenRequest(
        t,
        { grant_type: 'client_credentials', scope: 'admin' },
        {
          authorization: basicAuth(admin.clientId, admin.secret as string),
        },
      )
    ).json().access_token;
    const call = (method: 'GET' | 'POST', url: string, payload?: object) =>
      t.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${token}` },
        ...(payload ? { payload } : {}),
      });
    const created = (
      await call('POST', '/admin/v1/clients', { name: 'API App', redirect_uris: [REDIRECT_URI] })
    ).json();
    expect(created.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rotated = (await call('POST', `/admin/v1/clients/${created.client_id}/rotate-secret`)).json();
    expect(rotated.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    for (const url of [
      '/admin/v1/clients',
      `/admin/v1/clients/${created.client_id}`,
      `/admin/v1/clients/${confidential.clientId}`,
    ]) {
      const body = (await call('GET', url)).body;
      expect(body).not.toMatch(/secret/i);
      for (const secret of [created.client_secret, rotated.client_secret, confidential.secret as string]) {
        expect(body).not.toContain(secret);
      }
    }
    // The old secret stopped working at once, the new one works.
    const oldOne = await tokenRequest(
      t,
      { grant_type: 'authorization_code', code: 'x' },
      {
        authorization: basicAuth(created.client_id, created.client_secret),
      },
    );
    expect(oldOne.statusCode).toBe(401);
    const newOne = await tokenRequest(
      t,
      { grant_type: 'authorization_code', code: 'x' },
      {
        authorization: basicAuth(created.client_id, rotated.client_secret),
      },
    );
    expect(newOne.json().error).toBe('invalid_grant');
  });
});
