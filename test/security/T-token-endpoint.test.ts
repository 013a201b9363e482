import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicAuth, makeClient, makeUser, tokenRequest } from '../helpers/fixtures.js';
import { clientCredentials, codeFlowTokens, expectOAuthError, rows, type TestClient } from './support.js';

// Checklist T1–T4 (RFC 6749 §2.3.1, §3.2, §5.1, §5.2; RFC 6819 §5.1.4.1.3, §5.2.3.7).

const RFC_ERRORS = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
];

/** Things that only an internal failure would put in a body (checklist T3). */
const LEAKS = [
  /\bat [\w.<>]+ \(/, // stack frame
  /\.(ts|js|mjs):\d+/,
  /node_modules|\/work\/|\/src\//,
  /prisma|sqlite|postgres|P\d{4}\b/i,
  /\b(SELECT|INSERT|UPDATE|DELETE)\b.*\b(FROM|INTO|SET)\b/i,
  /\bError:|TypeError|ReferenceError|undefined is not|cannot read propert/i,
  /127\.0\.0\.1|localhost|:5432/,
];

function expectNoLeak(response: LightMyRequestResponse) {
  for (const pattern of [...LEAKS, new RegExp(hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i')]) {
    expect(response.body, String(pattern)).not.toMatch(pattern);
  }
}

describe('T: token endpoint', () => {
  let t: TestApp;
  let client: TestClient;
  let publicClient: TestClient;

  beforeAll(async () => {
    t = await createTestApp();
    await makeUser(t, 'alice');
    client = await makeClient(t, {
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    });
    publicClient = await makeClient(t, { public: true });
  });
  afterAll(() => t.close());

  const post = (payload: string | Buffer, contentType?: string, headers: Record<string, string> = {}) =>
    t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { ...(contentType ? { 'content-type': contentType } : {}), ...headers },
      payload,
    });

  it('T1 a confidential client authenticates with HTTP Basic or in the body', async () => {
    expect((await clientCredentials(t, client, 'read')).statusCode).toBe(200);
    const body = await tokenRequest(t, {
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.secret as string,
    });
    expect(body.statusCode).toBe(200);
  });

  it('T1 never in the query string', async () => {
    for (const query of [
      `client_secret=${client.secret}`,
      `client_id=${client.clientId}&client_secret=${client.secret}`,
      'code=abc',
      'refresh_token=abc',
    ]) {
      const response = await t.app.inject({
        method: 'POST',
        url: `/oauth/token?${query}`,
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: basicAuth(client.clientId, client.secret as string),
        },
        payload: 'grant_type=client_credentials',
      });
      expectOAuthError(response, 'invalid_request', 400);
    }
  });

  it('T1 a bad secret gets 401 invalid_client, with WWW-Authenticate when Basic was used', async () => {
    const basic = await tokenRequest(
      t,
      { grant_type: 'client_credentials' },
      { authorization: basicAuth(client.clientId, 'wrong') },
    );
    expectOAuthError(basic, 'invalid_client', 401);
    expect(basic.headers['www-authenticate']).toMatch(/^Basic realm=/);
    const inBody = await tokenRequest(t, {
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: 'wrong',
    });
    expectOAuthError(inBody, 'invalid_client', 401);
    // Unknown client, missing secret, and a secret offered by a public client: the same answer.
    for (const form of <Record<string, string>[]>[
      { grant_type: 'client_credentials', client_id: 'no-such-client', client_secret: 'x' },
      { grant_type: 'client_credentials', client_id: client.clientId },
      { grant_type: 'authorization_code', code: 'x', client_id: publicClient.clientId, client_secret: 'x' },
    ]) {
      expectOAuthError(await tokenRequest(t, form), 'invalid_client', 401);
    }
    // Basic and body at once is one method too many (RFC 6749 §2.3).
    const both = await tokenRequest(
      t,
      { grant_type: 'client_credentials', client_secret: client.secret as string },
      { authorization: basicAuth(client.clientId, client.secret as string) },
    );
    expectOAuthError(both, 'invalid_request', 400);
  });

  it('T1 secrets are stored only hashed', async () => {
    const stored = await rows<{ id: string; secretHash: string | null }>(t, 'Client');
    const row = stored.find((r) => r.id === client.clientId);
    expect(row?.secretHash).toBe(
      createHash('sha256')
        .update(client.secret as string)
        .digest('base64url'),
    );
    expect(JSON.stringify(stored)).not.toContain(client.secret as string);
  });

  it('T2 repeated failed client authentication locks the client for a while, even against the right secret', async () => {
    const victim = await makeClient(t, { grantTypes: ['client_credentials'], scopes: ['read'] });
    for (let i = 0; i < 10; i++) {
      const response = await tokenRequest(
        t,
        { grant_type: 'client_credentials' },
        { authorization: basicAuth(victim.clientId, `guess-${i}`) },
      );
      expectOAuthError(response, 'invalid_client', 401);
    }
    const locked = await clientCredentials(t, victim, 'read');
    expectOAuthError(locked, 'invalid_client', 401);
    const [row] = await rows<{ authLockedUntil: unknown }>(t, 'Client').then((all) =>
      all.filter((r) => (r as unknown as { id: string }).id === victim.clientId),
    );
    expect(row?.authLockedUntil).toBeTruthy();
    // When the lock has run out, the right secret works again.
    await t.storage.database.prisma.client.update({
      where: { id: victim.clientId },
      data: { authLockedUntil: new Date(Date.now() - 1000) },
    });
    expect((await clientCredentials(t, victim, 'read')).statusCode).toBe(200);
  });

  it('T2 parallel guesses are all counted: a burst locks the client', async () => {
    const victim = await makeClient(t, { grantTypes: ['client_credentials'], scopes: ['read'] });
    const burst = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        tokenRequest(
          t,
          { grant_type: 'client_credentials' },
          { authorization: basicAuth(victim.clientId, `g${i}`) },
        ),
      ),
    );
    for (const response of burst) expect(response.statusCode).toBe(401);
    const stored = await t.storage.database.prisma.client.findUnique({ where: { id: victim.clientId } });
    // Every guess that got as far as a comparison was counted (those after the lock are refused unseen).
    expect(stored?.authFailures).toBeGreaterThanOrEqual(10);
    expect(stored?.authLockedUntil?.getTime()).toBeGreaterThan(Date.now());
    expectOAuthError(await clientCredentials(t, victim, 'read'), 'invalid_client', 401);
  });

  it('T3 every token response is JSON with Cache-Control: no-store', async () => {
    const { tokens } = await codeFlowTokens(t, client);
    const responses = [
      await clientCredentials(t, client, 'read'),
      await tokenRequest(
        t,
        { grant_type: 'refresh_token', refresh_token: tokens.refresh_token },
        { authorization: basicAuth(client.clientId, client.secret as string) },
      ),
    ];
    for (const response of responses) {
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.headers['cache-control']).toBe('no-store');
      expect(response.headers.pragma).toBe('no-cache');
    }
  });

  it('T3 errors use the RFC 6749 §5.2 codes and leak nothing internal', async () => {
    const auth = { authorization: basicAuth(client.clientId, client.secret as string) };
    const form = 'application/x-www-form-urlencoded';
    const cases: LightMyRequestResponse[] = [
      await post('', form),
      await post('grant_type=password&username=a&password=b', form, auth),
      await post('grant_type=urn:x', form, auth),
      await post('grant_type=authorization_code', form, auth),
      await post('grant_type=authorization_code&code=nope', form, auth),
      await post('grant_type=refresh_token&refresh_token=nope', form, auth),
      await post('grant_type=refresh_token', form, auth),
      await post('grant_type=client_credentials&scope=admin', form, auth),
      await post('grant_type=client_credentials&scope=unknown', form, auth),
      await post('grant_type=client_credentials&expires_in=1', form, auth),
      await post('grant_type=client_credentials&grant_type=client_credentials', form, auth),
      await post(`grant_type=client_credentials&client_id=${'x'.repeat(10_000)}&client_secret=y`, form),
      await post('grant_type=client_credentials&client_id=%00&client_secret=%00', form),
      await post('grant_type=client_credentials', form, { authorization: 'Basic !!!!' }),
      await post('grant_type=client_credentials', form, {
        authorization: `Basic ${Buffer.from(':').toString('base64')}`,
      }),
      await post('grant_type=client_credentials', form, { authorization: 'Bearer abc' }),
      await post('{"grant_type":', 'application/json'),
      await post('[]', 'application/json'),
      await post('"client_credentials"', 'application/json'),
      await post('{"grant_type":["client_credentials"]}', 'application/json', auth),
      await post('{"grant_type":{"$ne":null}}', 'application/json', auth),
      await post('{"grant_type":"client_credentials","scope":7}', 'application/json', auth),
      await post('{"__proto__":{"admin":true},"grant_type":"client_credentials"}', 'application/json', auth),
      await post('grant_type=authorization_code&code=%27%3B%20DROP%20TABLE%20%22Client%22%3B--', form, auth),
    ];
    for (const response of cases) {
      expect(response.statusCode, response.body).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, response.body).toBeLessThan(500);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.headers['cache-control']).toBe('no-store');
      const body = response.json();
      expect(RFC_ERRORS, response.body).toContain(body.error);
      expect(Object.keys(body).sort()).toEqual(['error', 'error_description']);
      expectNoLeak(response);
    }
    // The tables are all still there.
    expect((await clientCredentials(t, client, 'read')).statusCode).toBe(200);
  });

  it('T4 form-encoded and JSON bodies are both accepted', async () => {
    const json = await post(
      JSON.stringify({
        grant_type: 'client_credentials',
        client_id: client.clientId,
        client_secret: client.secret,
      }),
      'application/json',
    );
    expect(json.statusCode, json.body).toBe(200);
    const charset = await post(
      `grant_type=client_credentials&client_id=${client.clientId}&client_secret=${client.secret}`,
      'application/x-www-form-urlencoded; charset=UTF-8',
    );
    expect(charset.statusCode, charset.body).toBe(200);
  });

  it('T4 U+0000 in a body, raw, as %00 or as a JSON \\u0000 escape, gets invalid_request', async () => {
    // The body parsers refuse it as they parse, judging by the raw text where they can: each way
    // one can arrive must be refused, in a name as in a value.
    const auth = { authorization: basicAuth(client.clientId, client.secret as string) };
    const cases: [string, string, string][] = [
      [
        'raw NUL in a form value',
        'grant_type=client_credentials&scope=read\u0000',
        'application/x-www-form-urlencoded',
      ],
      [
        '%00 in a form value',
        'grant_type=client_credentials&scope=read%00',
        'application/x-www-form-urlencoded',
      ],
      [
        '%00 in a form name',
        'grant_type=client_credentials&sc%00ope=read',
        'application/x-www-form-urlencoded',
      ],
      [
        // The whole form is searched for U+0000 before anything is decoded: a malformed escape
        // earlier in the body does not hide it.
        '%00 after a malformed escape',
        'note=%zz&grant_type=client_credentials&scope=read%00',
        'application/x-www-form-urlencoded',
      ],
      [
        'JSON escape in a value',
        '{"grant_type":"client_credentials","scope":"read\\u0000"}',
        'application/json',
      ],
      ['JSON escape in a name', '{"grant_type":"client_credentials","x\\u0000":"1"}', 'application/json'],
      ['raw NUL in JSON', '{"grant_type":"client_credentials","scope":"read\u0000"}', 'application/json'],
    ];
    for (const [name, body, type] of cases) {
      const response = await post(body, type, auth);
      expectOAuthError(response, 'invalid_request', 400);
      expect(response.json().error_description, name).toMatch(/NUL|U\+0000|control|JSON/);
    }
    // The same bodies without the NUL are fine (the refusals above are about the NUL alone), and so
    // is text that only looks like one: "%2500" is "%00", and JSON's "\\u0000" a backslash and "u0000".
    const lookalikes: [string, string][] = [
      ['grant_type=client_credentials&scope=read', 'application/x-www-form-urlencoded'],
      ['grant_type=client_credentials&scope=read&note=%2500', 'application/x-www-form-urlencoded'],
      ['{"grant_type":"client_credentials","scope":"read","note":"\\\\u0000"}', 'application/json'],
    ];
    for (const [body, type] of lookalikes) {
      const response = await post(body, type, auth);
      expect(response.statusCode, `${body}: ${response.body}`).toBe(200);
    }
  });

  it('T4 other content types, or a body that is not UTF-8, get invalid_request', async () => {
    const auth = { authorization: basicAuth(client.clientId, client.secret as string) };
    const valid = 'grant_type=client_credentials';
    const cases: [string, LightMyRequestResponse][] = [
      ['text/plain', await post(valid, 'text/plain', auth)],
      [
        'multipart',
        await post(
          `--b\r\nContent-Disposition: form-data; name="grant_type"\r\n\r\nclient_credentials\r\n--b--\r\n`,
          'multipart/form-data; boundary=b',
          auth,
        ),
      ],
      ['xml', await post('<grant_type>client_credentials</grant_type>', 'application/xml', auth)],
      ['no content type', await post(valid, undefined, auth)],
      [
        'raw 0xff in a form',
        await post(
          Buffer.concat([Buffer.from('grant_type=client_credentials&scope=read'), Buffer.from([0xff, 0xfe])]),
          'application/x-www-form-urlencoded',
          auth,
        ),
      ],
      [
        '%ff in a form',
        await post('grant_type=client_credentials&scope=%ff', 'application/x-www-form-urlencoded', auth),
      ],
      [
        'broken escape in a form',
        await post('grant_type=client_credentials&scope=%e2%82', 'application/x-www-form-urlencoded', auth),
      ],
      [
        'not an escape at all',
        await post('grant_type=client_credentials&scope=%zz', 'application/x-www-form-urlencoded', auth),
      ],
      [
        'raw 0xff in JSON',
        await post(
          Buffer.concat([
            Buffer.from('{"grant_type":"client_credentials","scope":"'),
            Buffer.from([0xff]),
            Buffer.from('"}'),
          ]),
          'application/json',
          auth,
        ),
      ],
      [
        'latin-1 charset',
        await post(
          'grant_type=client_credentials&scope=r%E9ad',
          'application/x-www-form-urlencoded; charset=ISO-8859-1',
          auth,
        ),
      ],
    ];
    for (const [name, response] of cases) {
      expect(response.statusCode, `${name}: ${response.body}`).toBe(400);
      expectOAuthError(response, 'invalid_request', 400);
    }
  });
});
