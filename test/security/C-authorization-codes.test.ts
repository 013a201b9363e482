import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicAuth, makeClient, makeUser, obtainCode, pkcePair, tokenRequest } from '../helpers/fixtures.js';
import {
  allStoredText,
  apiStatus,
  clientCredentials,
  codeFlowTokens,
  exchangeCode,
  expectOAuthError,
  REDIRECT_URI,
  refresh,
  rows,
  type TestClient,
} from './support.js';

// Checklist C1, C3–C5 (RFC 6749 §4.1.2, §4.1.3, §10.5, §10.10; RFC 6819 §5.1.4.1.3). C2, the
// parallel redemptions, is in races.test.ts.

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

describe('C: authorization codes', () => {
  let t: TestApp;
  let client: TestClient;
  let other: TestClient;

  beforeAll(async () => {
    t = await createTestApp();
    await makeUser(t, 'alice');
    client = await makeClient(t, {
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    });
    other = await makeClient(t, { name: 'Other App' });
  });
  afterAll(() => t.close());

  it('C1 a code is single use; its replay gets invalid_grant and revokes every token issued from it', async () => {
    const { code, verifier, tokens } = await codeFlowTokens(t, client);
    expect(await apiStatus(t, tokens.access_token)).toBe(200);
    const replay = await exchangeCode(t, client, code, verifier);
    expectOAuthError(replay, 'invalid_grant', 400);
    expect(replay.json().access_token).toBeUndefined();
    expect(await apiStatus(t, tokens.access_token)).toBe(401);
    expectOAuthError(await refresh(t, client, tokens.refresh_token), 'invalid_grant', 400);
  });

  it('C1 a replay revokes tokens already refreshed from the grant too', async () => {
    const { code, verifier, tokens } = await codeFlowTokens(t, client);
    const next = (await refresh(t, client, tokens.refresh_token)).json();
    expect(await apiStatus(t, next.access_token)).toBe(200);
    expectOAuthError(await exchangeCode(t, client, code, verifier), 'invalid_grant', 400);
    expect(await apiStatus(t, next.access_token)).toBe(401);
    expectOAuthError(await refresh(t, client, next.refresh_token), 'invalid_grant', 400);
  });

  it('C3 a code is bound to its client', async () => {
    const { verifier, challenge } = pkcePair();
    const { code } = await obtainCode(t, {
      client_id: client.clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'read',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const stolen = await tokenRequest(
      t,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier },
      { authorization: basicAuth(other.clientId, other.secret as string) },
    );
    expectOAuthError(stolen, 'invalid_grant', 400);
    // Named only by client_id, without a secret, it is not the client either.
    const unauthenticated = await tokenRequest(t, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: verifier,
      client_id: client.clientId,
    });
    expectOAuthError(unauthenticated, 'invalid_client', 401);
    // The rightful client still redeems it.
    expect((await exchangeCode(t, client, code, verifier)).statusCode).toBe(200);
  });

  it('C3 a code is bound to the redirect_uri of its request', async () => {
    for (const redirectUri of [`${REDIRECT_URI}/`, 'https://app.example.com/other', undefined, '']) {
      const { verifier, challenge } = pkcePair();
      const { code } = await obtainCode(t, {
        client_id: client.clientId,
        redirect_uri: REDIRECT_URI,
        scope: 'read',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      const form: Record<string, string> = {
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
      };
      if (redirectUri !== undefined) form.redirect_uri = redirectUri;
      const response = await tokenRequest(t, form, {
        authorization: basicAuth(client.clientId, client.secret as string),
      });
      expectOAuthError(response, 'invalid_grant', 400);
    }
    // A request that sent no redirect_uri needs none at the token endpoint (RFC 6749 §4.1.3).
    const { verifier, challenge } = pkcePair();
    const { code } = await obtainCode(t, {
      client_id: client.clientId,
      scope: 'read',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const response = await tokenRequest(
      t,
      { grant_type: 'authorization_code', code, code_verifier: verifier },
      { authorization: basicAuth(client.clientId, client.secret as string) },
    );
    expect(response.statusCode, response.body).toBe(200);
  });

  it('C1 a code whose exchange fails a check is used up: a second try is a replay', async () => {
    const narrowed = await makeClient(t, { grantTypes: ['authorization_code', 'refresh_token'] });
    const { verifier, challenge } = pkcePair();
    const { code } = await obtainCode(t, {
      client_id: narrowed.clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'read',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    // The client loses the code's scope between the authorization and the exchange.
    await t.storage.clients.update(narrowed.clientId, { scopes: ['write'] });
    expectOAuthError(await exchangeCode(t, narrowed, code, verifier), 'invalid_scope', 400);
    await t.storage.clients.update(narrowed.clientId, { scopes: ['read'] });
    expectOAuthError(await exchangeCode(t, narrowed, code, verifier), 'invalid_grant', 400);
    const stored = await t.storage.codes.find(sha256(code));
    expect(stored?.consumedAt).not.toBeNull();
  });

  it('C4 a code lives at most 10 minutes: longer is refused by the settings; the default is shorter', async () => {
    expect(() => loadConfig({ AUTHORIZATION_CODE_LIFETIME: '601', SESSION_SECRET: 'x'.repeat(32) })).toThrow(
      /AUTHORIZATION_CODE_LIFETIME/,
    );
    expect(
      loadConfig({ AUTHORIZATION_CODE_LIFETIME: '600', SESSION_SECRET: 'x'.repeat(32) })
        .authorizationCodeLifetime,
    ).toBe(600);
    const { code } = await obtainCode(t, { client_id: client.clientId, scope: 'read' });
    const stored = await t.storage.codes.find(sha256(code));
    const lifetime = ((stored?.expiresAt.getTime() ?? 0) - Date.now()) / 1000;
    expect(lifetime).toBeGreaterThan(0);
    expect(lifetime).toBeLessThanOrEqual(t.config.authorizationCodeLifetime);
    expect(t.config.authorizationCodeLifetime).toBeLessThanOrEqual(600);
  });

  it('C4 an expired code gets invalid_grant', async () => {
    const short = await createTestApp({ AUTHORIZATION_CODE_LIFETIME: '1' });
    try {
      await makeUser(short, 'alice');
      const shortClient = await makeClient(short);
      const { verifier, challenge } = pkcePair();
      const { code } = await obtainCode(short, {
        client_id: shortClient.clientId,
        redirect_uri: REDIRECT_URI,
        scope: 'read',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const response = await exchangeCode(short, shortClient, code, verifier);
      expectOAuthError(response, 'invalid_grant', 400);
    } finally {
      await short.close();
    }
  });

  it('C5 codes, access and refresh tokens carry 256 random bits and are stored only as SHA-256 hashes', async () => {
    const { code, tokens } = await codeFlowTokens(t, client);
    const machine = (await clientCredentials(t, client, 'read')).json().access_token as string;
    const issued = [code, tokens.access_token, tokens.refresh_token, machine, client.secret as string];
    for (const value of issued) {
      // base64url of 32 random bytes: 43 characters, 256 bits (at least 128 required).
      expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(value, 'base64url').length).toBe(32);
    }
    const codes = await rows<{ codeHash: string }>(t, 'AuthorizationCode');
    expect(codes.map((r) => r.codeHash)).toContain(sha256(code));
    const access = await rows<{ tokenHash: string }>(t, 'AccessToken');
    expect(access.map((r) => r.tokenHash)).toEqual(
      expect.arrayContaining([sha256(tokens.access_token), sha256(machine)]),
    );
    const refreshRows = await rows<{ tokenHash: string }>(t, 'RefreshToken');
    expect(refreshRows.map((r) => r.tokenHash)).toContain(sha256(tokens.refresh_token));
    const clients = await rows<{ id: string; secretHash: string }>(t, 'Client');
    expect(clients.find((r) => r.id === client.clientId)?.secretHash).toBe(sha256(client.secret as string));
    // No column anywhere holds one of them in the clear.
    const stored = await allStoredText(t);
    for (const value of issued) {
      expect(stored.filter((text) => text.includes(value))).toEqual([]);
    }
  });

  it('C5 issued values do not repeat and show no pattern (a sample of 200)', async () => {
    const values = await Promise.all(
      Array.from(
        { length: 200 },
        async () => (await clientCredentials(t, client, 'read')).json().access_token,
      ),
    );
    expect(new Set(values).size).toBe(200);
    // Every base64url character position varies: no fixed prefix or counter.
    const first = new Set(values.map((v: string) => v.slice(0, 2)));
    expect(first.size).toBeGreaterThan(150);
    // Roughly uniform bits: 200 × 256 bits, the share of ones within 1% of a half.
    let ones = 0;
    for (const value of values as string[]) {
      for (const byte of Buffer.from(value, 'base64url')) ones += byte.toString(2).split('1').length - 1;
    }
    expect(Math.abs(ones / (200 * 256) - 0.5)).toBeLessThan(0.01);
    // No two values share a run of 8 bytes: each has bytes of its own (the generator buffers its
    // randomness, src/security/secrets.ts; 200 values take it through more than one refill).
    const windows = new Set<string>();
    for (const value of values as string[]) {
      const bytes = Buffer.from(value, 'base64url');
      for (let at = 0; at + 8 <= bytes.length; at++) windows.add(bytes.subarray(at, at + 8).toString('hex'));
    }
    expect(windows.size).toBe(200 * 25);
  });
});
