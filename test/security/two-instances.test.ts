import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { Browser, hiddenFields } from '../helpers/browser.js';
import { TEST_DATABASE } from '../helpers/database.js';
import { basicAuth, makeClient, makeUser, PASSWORD, pkcePair, tokenRequest } from '../helpers/fixtures.js';
import {
  apiStatus,
  exchangeCode,
  introspectAs,
  locationParams,
  REDIRECT_URI,
  refresh,
  type TestClient,
  type TwoInstances,
  twoInstances,
} from './support.js';

// Two instances of the app on one database, as behind a load balancer: sessions, codes, tokens,
// revocation and throttling are all in the database, so any request may land on either instance.
// What an instance caches it uses only while the database's cache epoch stands still, so neither
// goes on trusting what the other has ended (V-cached-lookups.test.ts changes things behind a cache).
// On PostgreSQL two servers share one database; on SQLite two processes (here two apps) share one
// file, which SQLite's locking allows on one machine.

describe(`two instances on one ${TEST_DATABASE} database`, () => {
  let instances: TwoInstances;
  let a: TestApp;
  let b: TestApp;
  let client: TestClient;

  beforeAll(async () => {
    instances = await twoInstances();
    ({ a, b } = instances);
    await makeUser(a, 'alice');
    client = await makeClient(a);
  });
  afterAll(() => instances?.close());

  /** One browser (one cookie jar) whose requests the balancer sends to either instance. */
  function browserOn(instance: TestApp, jar: Map<string, string>): Browser {
    const browser = new Browser(instance.app);
    (browser as unknown as { cookies: Map<string, string> }).cookies = jar;
    return browser;
  }

  const introspect = (instance: TestApp, token: string) => introspectAs(instance, client, token);

  it('V1 V2 sign in on A, authorize on B, consent on A, exchange on B; revoke on A and B stops trusting the token at once', async () => {
    const jar = new Map<string, string>();
    const onA = browserOn(a, jar);
    const onB = browserOn(b, jar);
    const form = await onA.get('/login');
    const login = await onB.post('/login', {
      csrf_token: hiddenFields(form.body).csrf_token as string,
      username: 'alice',
      password: PASSWORD,
      return_to: '/',
    });
    expect(login.statusCode).toBe(303);

    const { verifier, challenge } = pkcePair();
    const consent = await onB.get(
      `/oauth/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: REDIRECT_URI,
        scope: 'read write',
        state: 'lb',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      })}`,
    );
    expect(consent.statusCode).toBe(200);
    const decided = await onA.post('/oauth/authorize/decision', {
      ...hiddenFields(consent.body),
      decision: 'allow',
    });
    expect(decided.statusCode).toBe(303);
    const code = locationParams(decided).get('code') as string;

    const exchanged = await exchangeCode(b, client, code, verifier);
    expect(exchanged.statusCode).toBe(200);
    const tokens = exchanged.json();
    expect(await apiStatus(a, tokens.access_token)).toBe(200);
    expect(await apiStatus(b, tokens.access_token)).toBe(200);
    expect((await introspect(b, tokens.access_token)).json().active).toBe(true);

    const revoked = await a.app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basicAuth(client.clientId, client.secret as string),
      },
      payload: new URLSearchParams({ token: tokens.refresh_token }).toString(),
    });
    expect(revoked.statusCode).toBe(200);
    // At once, on the other instance.
    expect((await introspect(b, tokens.access_token)).json()).toEqual({ active: false });
    expect(await apiStatus(b, tokens.access_token)).toBe(401);
    expect((await refresh(b, client, tokens.refresh_token)).statusCode).toBe(400);

    // Signing out on B ends the session on A.
    const home = await onA.get('/');
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(home.body)?.[1] as string;
    expect((await onB.post('/logout', { csrf_token: csrf })).statusCode).toBe(200);
    const after = await onA.get(
      `/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: client.clientId, scope: 'read' })}`,
    );
    expect(after.statusCode).toBe(302);
    expect(String(after.headers.location)).toMatch(/^\/login/);
  });

  it('C1 a code redeemed on A and replayed on B: the replay ends the grant on A too', async () => {
    const jar = new Map<string, string>();
    const onA = browserOn(a, jar);
    const form = await onA.get('/login');
    await onA.post('/login', {
      csrf_token: hiddenFields(form.body).csrf_token as string,
      username: 'alice',
      password: PASSWORD,
      return_to: '/',
    });
    const { verifier, challenge } = pkcePair();
    const page = await onA.get(
      `/oauth/authorize?${new URLSearchParams({
        response_type: 'code',
        client_id: client.clientId,
        redirect_uri: REDIRECT_URI,
        scope: 'read',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      })}`,
    );
    // Consent was remembered in the first test: the code comes at once.
    const code = locationParams(page).get('code') as string;
    expect(code).toBeTruthy();
    const first = await exchangeCode(a, client, code, verifier);
    expect(first.statusCode).toBe(200);
    expect((await exchangeCode(b, client, code, verifier)).json().error).toBe('invalid_grant');
    expect(await apiStatus(a, first.json().access_token)).toBe(401);
  });

  it('A9 sign-in throttling is counted across both instances', async () => {
    await makeUser(a, 'bob');
    const attempt = async (instance: TestApp, address: string, password: string) => {
      const browser = new Browser(instance.app, address);
      const form = await browser.get('/login');
      return browser.post('/login', {
        csrf_token: hiddenFields(form.body).csrf_token as string,
        username: 'bob',
        password,
        return_to: '/',
      });
    };
    for (let i = 0; i < 5; i++) {
      expect((await attempt(i % 2 === 0 ? a : b, `10.30.0.${i}`, `wrong-${i}`)).statusCode).toBe(401);
    }
    expect((await attempt(a, '10.30.1.1', PASSWORD)).statusCode).toBe(429);
    expect((await attempt(b, '10.30.1.2', PASSWORD)).statusCode).toBe(429);
  }, 60_000);

  it('T2 client authentication throttling is counted across both instances', async () => {
    const victim = await makeClient(a, { grantTypes: ['client_credentials'], scopes: ['read'] });
    for (let i = 0; i < 10; i++) {
      const response = await tokenRequest(
        i % 2 === 0 ? a : b,
        { grant_type: 'client_credentials' },
        {
          authorization: basicAuth(victim.clientId, `wrong-${i}`),
        },
      );
      expect(response.statusCode).toBe(401);
    }
    for (const instance of [a, b]) {
      const right = await tokenRequest(
        instance,
        { grant_type: 'client_credentials' },
        {
          authorization: basicAuth(victim.clientId, victim.secret as string),
        },
      );
      expect(right.statusCode).toBe(401);
    }
  });

  it('V3 a client deleted through A is unknown to B at once', async () => {
    const doomed = await makeClient(a, { grantTypes: ['client_credentials'], scopes: ['read'] });
    const token = (
      await tokenRequest(
        b,
        { grant_type: 'client_credentials' },
        {
          authorization: basicAuth(doomed.clientId, doomed.secret as string),
        },
      )
    ).json().access_token;
    expect(await apiStatus(b, token, '/api/v1/accounts')).toBe(200);
    await a.storage.clients.delete(doomed.clientId);
    expect(await apiStatus(b, token, '/api/v1/accounts')).toBe(401);
    const again = await tokenRequest(
      b,
      { grant_type: 'client_credentials' },
      {
        authorization: basicAuth(doomed.clientId, doomed.secret as string),
      },
    );
    expect(again.statusCode).toBe(401);
  });
});
