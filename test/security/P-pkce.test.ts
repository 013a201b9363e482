import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import type { Browser } from '../helpers/browser.js';
import { makeClient, makeUser, obtainCode, pkcePair, tokenRequest } from '../helpers/fixtures.js';
import {
  exchangeCode,
  expectOAuthError,
  locationParams,
  REDIRECT_URI,
  signedIn,
  type TestClient,
} from './support.js';

// Checklist P1–P4 (RFC 7636 §4.1–§4.6, RFC 9700 §2.1.1, §4.8).

describe('P: PKCE', () => {
  let t: TestApp;
  let confidential: TestClient;
  let publicClient: TestClient;
  let alice: Browser;

  beforeAll(async () => {
    t = await createTestApp();
    await makeUser(t, 'alice');
    confidential = await makeClient(t);
    publicClient = await makeClient(t, { public: true, redirectUris: [REDIRECT_URI] });
    alice = await signedIn(t);
  });
  afterAll(() => t.close());

  async function authorizeError(params: Record<string, string>) {
    const response = await alice.get(
      `/oauth/authorize?${new URLSearchParams({ response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'read', state: 's', ...params })}`,
    );
    expect(response.statusCode, response.body.slice(0, 200)).toBe(302);
    const result = locationParams(response);
    expect(result.has('code')).toBe(false);
    return result.get('error');
  }

  function publicExchange(code: string, verifier?: string) {
    return tokenRequest(t, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      client_id: publicClient.clientId,
      ...(verifier === undefined ? {} : { code_verifier: verifier }),
    });
  }

  async function publicCode(challenge: string) {
    return (
      await obtainCode(
        t,
        {
          client_id: publicClient.clientId,
          redirect_uri: REDIRECT_URI,
          scope: 'read',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        },
        { browser: alice },
      )
    ).code;
  }

  it('P1 S256 is advertised, and only S256', async () => {
    const metadata = (await t.app.inject({ url: '/.well-known/oauth-authorization-server' })).json();
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
  });

  it('P1 plain is rejected, whether named or by default', async () => {
    const { challenge } = pkcePair();
    for (const client of [confidential, publicClient]) {
      expect(
        await authorizeError({
          client_id: client.clientId,
          code_challenge: challenge,
          code_challenge_method: 'plain',
        }),
      ).toBe('invalid_request');
      // RFC 7636 §4.3: no method means plain.
      expect(await authorizeError({ client_id: client.clientId, code_challenge: challenge })).toBe(
        'invalid_request',
      );
      expect(
        await authorizeError({
          client_id: client.clientId,
          code_challenge: challenge,
          code_challenge_method: 's256',
        }),
      ).toBe('invalid_request');
    }
  });

  it('P1 public clients must use PKCE', async () => {
    expect(await authorizeError({ client_id: publicClient.clientId })).toBe('invalid_request');
    expect(await authorizeError({ client_id: publicClient.clientId, code_challenge_method: 'S256' })).toBe(
      'invalid_request',
    );
  });

  it('P2 a challenge must be 43 to 128 unreserved characters', async () => {
    for (const challenge of [
      'a'.repeat(42),
      'a'.repeat(129),
      `${'a'.repeat(42)}!`,
      `${'a'.repeat(42)}=`,
      `${'a'.repeat(42)} `,
    ]) {
      expect(
        await authorizeError({
          client_id: publicClient.clientId,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }),
        challenge,
      ).toBe('invalid_request');
    }
  });

  it('P2 when a challenge was sent, a matching verifier is required', async () => {
    const { challenge } = pkcePair();
    expectOAuthError(await publicExchange(await publicCode(challenge)), 'invalid_grant', 400);
    expectOAuthError(await publicExchange(await publicCode(challenge), ''), 'invalid_grant', 400);
    expectOAuthError(
      await publicExchange(await publicCode(challenge), pkcePair().verifier),
      'invalid_grant',
      400,
    );
    // The confidential client is held to its challenge just the same, secret or not.
    const pair = pkcePair();
    const { code } = await obtainCode(
      t,
      {
        client_id: confidential.clientId,
        redirect_uri: REDIRECT_URI,
        scope: 'read',
        code_challenge: pair.challenge,
        code_challenge_method: 'S256',
      },
      { browser: alice },
    );
    expectOAuthError(await exchangeCode(t, confidential, code), 'invalid_grant', 400);
  });

  it('P2 a verifier must be 43 to 128 unreserved characters', async () => {
    for (const verifier of ['a'.repeat(42), 'a'.repeat(129), `${'a'.repeat(42)}+`, `${'a'.repeat(42)}%`]) {
      // Challenges made from the malformed verifier itself: only the format can refuse it.
      const challenge = (await import('node:crypto'))
        .createHash('sha256')
        .update(verifier)
        .digest('base64url');
      const response = await publicExchange(await publicCode(challenge), verifier);
      expect(response.statusCode, verifier).toBe(400);
      expect(['invalid_request', 'invalid_grant']).toContain(response.json().error);
    }
    // The bounds themselves are fine.
    for (const length of [43, 128]) {
      const verifier = 'A-._~'.repeat(30).slice(0, length);
      const challenge = (await import('node:crypto'))
        .createHash('sha256')
        .update(verifier)
        .digest('base64url');
      const response = await publicExchange(await publicCode(challenge), verifier);
      expect(response.statusCode, response.body).toBe(200);
    }
  });

  it('P3 a verifier sent for a code that had no challenge is rejected (downgrade)', async () => {
    const { code } = await obtainCode(
      t,
      { client_id: confidential.clientId, redirect_uri: REDIRECT_URI, scope: 'read' },
      { browser: alice },
    );
    expectOAuthError(await exchangeCode(t, confidential, code, pkcePair().verifier), 'invalid_grant', 400);
  });

  it('P4 a failed verifier burns the code', async () => {
    const { verifier, challenge } = pkcePair();
    const code = await publicCode(challenge);
    expectOAuthError(await publicExchange(code, pkcePair().verifier), 'invalid_grant', 400);
    expectOAuthError(await publicExchange(code, verifier), 'invalid_grant', 400);
    // A malformed verifier burns it too.
    const second = pkcePair();
    const code2 = await publicCode(second.challenge);
    expect((await publicExchange(code2, 'short')).statusCode).toBe(400);
    expectOAuthError(await publicExchange(code2, second.verifier), 'invalid_grant', 400);
  });
});
