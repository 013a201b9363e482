import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicAuth, makeClient, makeUser, obtainCode, pkcePair } from '../helpers/fixtures.js';

// RFC 6749 §4.4 and the appointman docs: a server integration POSTs grant_type=client_credentials
// with its client_id and client_secret (JSON or form body; in the body or by HTTP Basic) and an
// optional expires_in from 300 to 315360000 seconds. The requests below are what the documented
// curl commands send, byte for byte.

const RANGE = /300.*315360000/;

describe('RFC 6749 §4.4 client credentials grant', () => {
  let t: TestApp;
  let server: { clientId: string; secret: string };
  let narrow: { clientId: string; secret: string };
  let codeOnly: { clientId: string; secret: string };
  const responses: LightMyRequestResponse[] = [];

  /** curl -X POST …/oauth/token -H 'Content-Type: application/json' -d '<json>' */
  async function postJson(json: string, headers: Record<string, string> = {}) {
    const response = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/json', ...headers },
      payload: json,
    });
    responses.push(response);
    return response;
  }

  /** curl -X POST …/oauth/token -d grant_type=client_credentials -d … (form body) */
  async function postForm(form: Record<string, string>, headers: Record<string, string> = {}) {
    const response = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: new URLSearchParams(form).toString(),
    });
    responses.push(response);
    return response;
  }

  const inBody = (client: { clientId: string; secret: string }, extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.secret,
      ...extra,
    });

  /** The stored lifetime of the token, to check that the response tells the truth. */
  async function storedLifetime(accessToken: string): Promise<number> {
    const me = await t.app.inject({
      url: '/api/v1/accounts',
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(me.statusCode).toBe(200);
    const { hashSecret } = await import('../../src/security/secrets.js');
    const stored = await t.storage.tokens.findAccess(hashSecret(accessToken));
    if (!stored) throw new Error('token not stored');
    return Math.round((stored.expiresAt.getTime() - stored.createdAt.getTime()) / 1000);
  }

  beforeAll(async () => {
    t = await createTestApp();
    await makeUser(t, 'owner');
    const full = await makeClient(t, {
      name: 'Reporting Integration',
      grantTypes: ['client_credentials'],
      redirectUris: [],
      owner: 'owner',
    });
    server = { clientId: full.clientId, secret: full.secret as string };
    const limited = await makeClient(t, {
      name: 'Read-only Integration',
      grantTypes: ['client_credentials'],
      redirectUris: [],
      scopes: ['read'],
    });
    narrow = { clientId: limited.clientId, secret: limited.secret as string };
    const web = await makeClient(t, { name: 'Web App' });
    codeOnly = { clientId: web.clientId, secret: web.secret as string };
  });
  afterAll(() => t.close());

  describe('the documented requests', () => {
    it('JSON body with credentials in the body: a Bearer token for an hour, no refresh token', async () => {
      const response = await postJson(inBody(server));
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      const body = response.json();
      expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'read write' });
      expect(body.access_token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
      expect(body).not.toHaveProperty('refresh_token');
      expect(await storedLifetime(body.access_token)).toBe(3600);
    });

    it('form body with credentials in the body', async () => {
      const response = await postForm({
        grant_type: 'client_credentials',
        client_id: server.clientId,
        client_secret: server.secret,
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
      expect(response.json()).not.toHaveProperty('refresh_token');
    });

    it('form body with HTTP Basic (client_secret_basic)', async () => {
      const response = await postForm(
        { grant_type: 'client_credentials' },
        { authorization: basicAuth(server.clientId, server.secret) },
      );
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
      expect(response.json()).not.toHaveProperty('refresh_token');
    });

    it('JSON body with HTTP Basic', async () => {
      const response = await postJson(JSON.stringify({ grant_type: 'client_credentials', expires_in: 600 }), {
        authorization: basicAuth(server.clientId, server.secret),
      });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ token_type: 'Bearer', expires_in: 600 });
    });

    it('HTTP Basic with the id and secret form-encoded first (RFC 6749 §2.3.1), as strict clients send them', async () => {
      const strict = (value: string) =>
        encodeURIComponent(value).replace(
          /[-_.!~*'()]/g,
          (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
        );
      const credentials = Buffer.from(`${strict(server.clientId)}:${strict(server.secret)}`).toString(
        'base64',
      );
      const response = await postForm(
        { grant_type: 'client_credentials' },
        { authorization: `Basic ${credentials}` },
      );
      expect(response.statusCode).toBe(200);
    });

    it.each([
      ['not base64', 'Basic %%%'],
      ['no colon', `Basic ${Buffer.from('just-an-id').toString('base64')}`],
      ['a bad percent-escape', `Basic ${Buffer.from('id%zz:secret').toString('base64')}`],
    ])('malformed HTTP Basic (%s) is 401 invalid_client with a challenge', async (_label, authorization) => {
      const response = await postForm({ grant_type: 'client_credentials' }, { authorization });
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toBe('invalid_client');
      expect(response.headers['www-authenticate']).toMatch(/^Basic /);
    });

    it('HTTP Basic for one client and client_id of another in the body is invalid_request', async () => {
      const response = await postForm(
        { grant_type: 'client_credentials', client_id: narrow.clientId },
        { authorization: basicAuth(server.clientId, server.secret) },
      );
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toBe('invalid_request');
    });

    it('the token works at the API (its accounts) but is not a user token (/me)', async () => {
      const { access_token } = (await postJson(inBody(server))).json();
      const accounts = await t.app.inject({
        url: '/api/v1/accounts',
        headers: { authorization: `Bearer ${access_token}` },
      });
      expect(accounts.statusCode).toBe(200);
      const me = await t.app.inject({
        url: '/api/v1/me',
        headers: { authorization: `Bearer ${access_token}` },
      });
      expect(me.statusCode).toBe(403);
    });
  });

  describe('expires_in (the docs: 300 to 315360000 seconds, default one hour)', () => {
    it.each([
      ['the lower bound as a JSON number', 300],
      ['the upper bound (ten years) as a JSON number', 315_360_000],
      ['a day as a JSON number', 86_400],
      ['the lower bound as a string', '300'],
      ['the upper bound as a string', '315360000'],
      ['an hour as a string', '3600'],
    ])('honours %s', async (_label, value) => {
      const response = await postJson(inBody(server, { expires_in: value }));
      expect(response.statusCode).toBe(200);
      const body = response.json();
      expect(body.expires_in).toBe(Number(value));
      expect(body).not.toHaveProperty('refresh_token');
      expect(await storedLifetime(body.access_token)).toBe(Number(value));
    });

    it.each([
      ['300', 300],
      ['315360000', 315_360_000],
    ])('honours expires_in=%s in a form body', async (value, seconds) => {
      const response = await postForm(
        { grant_type: 'client_credentials', expires_in: value },
        { authorization: basicAuth(server.clientId, server.secret) },
      );
      expect(response.statusCode).toBe(200);
      expect(response.json().expires_in).toBe(seconds);
    });

    it.each([
      ['one below the lower bound', 299],
      ['one above the upper bound', 315_360_001],
      ['a fraction', 3600.5],
      ['zero', 0],
      ['negative', -300],
      ['a huge number', 1e300],
      ['below the lower bound, as a string', '299'],
      ['above the upper bound, as a string', '315360001'],
      ['a fraction, as a string', '3600.5'],
      ['a word', 'abc'],
      ['an empty string', ''],
      ['a negative string', '-300'],
      ['a padded string', ' 3600'],
      ['an exponent string', '3e3'],
      ['a hexadecimal string', '0x12C'],
      ['a signed string', '+300'],
      ['a trailing newline', '300\n'],
      ['a very long number string', '9'.repeat(400)],
      ['true', true],
      ['null', null],
      ['an object', { seconds: 3600 }],
    ])('refuses %s with invalid_request naming the range', async (_label, value) => {
      const response = await postJson(inBody(server, { expires_in: value }));
      expect(response.statusCode).toBe(400);
      const body = response.json();
      expect(body.error).toBe('invalid_request');
      expect(body.error_description).toMatch(RANGE);
      expect(body).not.toHaveProperty('access_token');
    });

    it.each([['299'], ['315360001'], ['3600.5'], ['abc'], [''], ['-1']])(
      'refuses expires_in=%j in a form body with invalid_request naming the range',
      async (value) => {
        const response = await postForm(
          { grant_type: 'client_credentials', expires_in: value },
          { authorization: basicAuth(server.clientId, server.secret) },
        );
        expect(response.statusCode).toBe(400);
        expect(response.json().error).toBe('invalid_request');
        expect(response.json().error_description).toMatch(RANGE);
      },
    );

    it('refuses expires_in sent twice (RFC 6749 §3.2)', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basicAuth(server.clientId, server.secret),
        },
        payload: 'grant_type=client_credentials&expires_in=300&expires_in=600',
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toBe('invalid_request');
    });

    it('a bad expires_in from an unauthenticated caller is still invalid_client first', async () => {
      const response = await postJson(
        inBody({ clientId: server.clientId, secret: 'wrong-secret' }, { expires_in: 'abc' }),
      );
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toBe('invalid_client');
    });

    it('is ignored by the other grants (RFC 6749 §3.2: unrecognized parameters are ignored)', async () => {
      await makeUser(t, 'alice');
      const { verifier, challenge } = pkcePair();
      const { code } = await obtainCode(t, {
        client_id: codeOnly.clientId,
        redirect_uri: 'https://app.example.com/callback',
        scope: 'read',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      const exchanged = await postJson(
        JSON.stringify({
          grant_type: 'authorization_code',
          code,
          redirect_uri: 'https://app.example.com/callback',
          code_verifier: verifier,
          expires_in: 315_360_000,
        }),
        { authorization: basicAuth(codeOnly.clientId, codeOnly.secret) },
      );
      expect(exchanged.statusCode).toBe(200);
      const tokens = exchanged.json();
      expect(tokens.expires_in).toBe(3600);
      expect(await storedLifetime(tokens.access_token)).toBe(3600);

      // Out of range or malformed makes no difference either: the parameter is not read.
      for (const expiresIn of ['abc', 5, true]) {
        const refreshed = await postJson(
          JSON.stringify({
            grant_type: 'refresh_token',
            refresh_token: tokens.refresh_token,
            expires_in: expiresIn,
          }),
          { authorization: basicAuth(codeOnly.clientId, codeOnly.secret) },
        );
        expect(refreshed.statusCode).toBe(200);
        expect(refreshed.json().expires_in).toBe(3600);
        tokens.refresh_token = refreshed.json().refresh_token;
      }
    });
  });

  describe('per-client rules', () => {
    it('a client not registered for client_credentials gets unauthorized_client', async () => {
      const response = await postJson(inBody(codeOnly));
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toBe('unauthorized_client');
      const basic = await postForm(
        { grant_type: 'client_credentials' },
        { authorization: basicAuth(codeOnly.clientId, codeOnly.secret) },
      );
      expect(basic.json().error).toBe('unauthorized_client');
    });

    it('the client credentials client cannot use the user grants either (unauthorized_client)', async () => {
      for (const grant of [
        {
          grant_type: 'authorization_code',
          code: 'x'.repeat(43),
          redirect_uri: 'https://app.example.com/callback',
        },
        { grant_type: 'refresh_token', refresh_token: 'x'.repeat(43) },
      ] as Record<string, string>[]) {
        const response = await postForm(grant, { authorization: basicAuth(server.clientId, server.secret) });
        expect(response.statusCode).toBe(400);
        expect(response.json().error).toBe('unauthorized_client');
      }
    });

    it('a public client cannot use it: no secret, no token', async () => {
      const phone = await makeClient(t, { name: 'Phone', public: true, redirectUris: ['com.example:/cb'] });
      const response = await postJson(
        JSON.stringify({ grant_type: 'client_credentials', client_id: phone.clientId }),
      );
      expect(response.statusCode).toBe(401);
      expect(response.json().error).toBe('invalid_client');
    });

    it('the default scope is every scope the client is allowed', async () => {
      expect((await postJson(inBody(server))).json().scope).toBe('read write');
      expect((await postJson(inBody(narrow))).json().scope).toBe('read');
    });

    it('a narrower scope is granted as asked', async () => {
      const response = await postJson(inBody(server, { scope: 'write' }));
      expect(response.statusCode).toBe(200);
      expect(response.json().scope).toBe('write');
    });

    it.each([
      ['a scope the client is not allowed', 'write'],
      ['allowed plus not allowed', 'read write'],
      ['an unknown scope', 'read calendars'],
      ['the operator scope', 'admin'],
    ])('%s is invalid_scope', async (_label, scope) => {
      const response = await postJson(inBody(narrow, { scope }));
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toBe('invalid_scope');
    });

    it('a wrong secret is invalid_client: 401, with a Basic challenge when Basic was used', async () => {
      const body = await postJson(inBody({ clientId: server.clientId, secret: 'not-the-secret' }));
      expect(body.statusCode).toBe(401);
      expect(body.json().error).toBe('invalid_client');
      const basic = await postForm(
        { grant_type: 'client_credentials' },
        { authorization: basicAuth(server.clientId, 'not-the-secret') },
      );
      expect(basic.statusCode).toBe(401);
      expect(basic.headers['www-authenticate']).toMatch(/^Basic /);
    });

    it('credentials in the query string are refused', async () => {
      const response = await t.app.inject({
        method: 'POST',
        url: `/oauth/token?client_secret=${server.secret}`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: server.clientId,
        }).toString(),
      });
      responses.push(response);
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toBe('invalid_request');
    });
  });

  it('every answer above, success or error, was JSON with Cache-Control: no-store', () => {
    expect(responses.length).toBeGreaterThan(40);
    for (const response of responses) {
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.body).not.toContain(server.secret);
    }
  });
});
