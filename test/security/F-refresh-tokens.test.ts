import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { makeClient, makeUser } from '../helpers/fixtures.js';
import { apiStatus, codeFlowTokens, expectOAuthError, refresh, type TestClient } from './support.js';

// Checklist F1–F3, F5 (RFC 6749 §6, §10.4; RFC 9700 §4.14). F4, parallel refreshes, is in
// races.test.ts.

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

describe('F: refresh tokens', () => {
  let t: TestApp;
  let client: TestClient;
  let other: TestClient;

  beforeAll(async () => {
    t = await createTestApp();
    await makeUser(t, 'alice');
    client = await makeClient(t);
    other = await makeClient(t, { name: 'Other App' });
  });
  afterAll(() => t.close());

  it('F1 a refresh token is bound to its client', async () => {
    const { tokens } = await codeFlowTokens(t, client);
    expectOAuthError(await refresh(t, other, tokens.refresh_token), 'invalid_grant', 400);
    // Still the client's own.
    expect((await refresh(t, client, tokens.refresh_token)).statusCode).toBe(200);
  });

  it('F2 a refresh may narrow the scope', async () => {
    const { tokens } = await codeFlowTokens(t, client, { scope: 'read write' });
    const narrowed = await refresh(t, client, tokens.refresh_token, 'read');
    expect(narrowed.statusCode).toBe(200);
    expect(narrowed.json().scope).toBe('read');
    const access = await t.storage.tokens.findAccess(sha256(narrowed.json().access_token));
    expect(access?.scope).toBe('read');
  });

  it('F2 a request to widen it fails, and does not burn the token', async () => {
    const { tokens } = await codeFlowTokens(t, client, { scope: 'read' });
    for (const scope of ['read write', 'write', 'admin', 'read unknown']) {
      expectOAuthError(await refresh(t, client, tokens.refresh_token, scope), 'invalid_scope', 400);
    }
    expect(await apiStatus(t, tokens.access_token)).toBe(200);
    const after = await refresh(t, client, tokens.refresh_token);
    expect(after.statusCode).toBe(200);
    expect(after.json().scope).toBe('read');
  });

  it('F3 refresh tokens rotate; using a rotated one revokes the whole grant', async () => {
    const { tokens } = await codeFlowTokens(t, client);
    const second = (await refresh(t, client, tokens.refresh_token)).json();
    expect(second.refresh_token).not.toBe(tokens.refresh_token);
    const third = (await refresh(t, client, second.refresh_token)).json();
    expect(await apiStatus(t, third.access_token)).toBe(200);
    // The attacker (or the victim) replays the first one.
    expectOAuthError(await refresh(t, client, tokens.refresh_token), 'invalid_grant', 400);
    for (const access of [tokens.access_token, second.access_token, third.access_token]) {
      expect(await apiStatus(t, access)).toBe(401);
    }
    expectOAuthError(await refresh(t, client, third.refresh_token), 'invalid_grant', 400);
  });

  it('F5 refresh tokens expire after inactivity', async () => {
    const { tokens } = await codeFlowTokens(t, client);
    const stored = await t.storage.tokens.findRefresh(sha256(tokens.refresh_token));
    const idle = ((stored?.expiresAt.getTime() ?? 0) - Date.now()) / 1000;
    expect(Math.abs(idle - t.config.refreshTokenIdleLifetime)).toBeLessThan(60);
    // Each refresh starts a new idle period for the new token.
    const next = (await refresh(t, client, tokens.refresh_token)).json();
    // Make the idle period run out, as time would.
    await t.storage.database.prisma.refreshToken.update({
      where: { tokenHash: sha256(next.refresh_token) },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expectOAuthError(await refresh(t, client, next.refresh_token), 'invalid_grant', 400);
  });

  it('F5 an absolute lifetime can be configured: refreshing never extends it', async () => {
    const bounded = await createTestApp({ REFRESH_TOKEN_ABSOLUTE_LIFETIME: '120' });
    try {
      await makeUser(bounded, 'alice');
      const boundedClient = await makeClient(bounded);
      const { tokens } = await codeFlowTokens(bounded, boundedClient);
      const first = await bounded.storage.tokens.findRefresh(sha256(tokens.refresh_token));
      const end = first?.absoluteExpiresAt?.getTime() as number;
      expect(end - Date.now()).toBeLessThanOrEqual(120_000);
      expect(end - Date.now()).toBeGreaterThan(100_000);
      expect(first?.expiresAt.getTime()).toBeLessThanOrEqual(end);
      const next = (await refresh(bounded, boundedClient, tokens.refresh_token)).json();
      const second = await bounded.storage.tokens.findRefresh(sha256(next.refresh_token));
      expect(second?.absoluteExpiresAt?.getTime()).toBe(end);
      expect(second?.expiresAt.getTime()).toBeLessThanOrEqual(end);
      // When the absolute end has passed, the grant can no longer be refreshed.
      await bounded.storage.database.prisma.refreshToken.update({
        where: { tokenHash: sha256(next.refresh_token) },
        data: { absoluteExpiresAt: new Date(Date.now() - 1000) },
      });
      expectOAuthError(await refresh(bounded, boundedClient, next.refresh_token), 'invalid_grant', 400);
    } finally {
      await bounded.close();
    }
  });
});
