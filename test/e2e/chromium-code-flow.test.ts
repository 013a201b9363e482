import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR, launchChromium } from '../helpers/chromium.js';
import { TEST_DATABASE } from '../helpers/database.js';
import { basicAuth, makeClient, makeUser, PASSWORD, pkcePair } from '../helpers/fixtures.js';
import { startCallbackApp, startListeningApp } from '../helpers/servers.js';

// The whole "Connect with appointman" flow in a real browser (Debian's Chromium): a third-party
// app on its own loopback port sends the user to the authorization endpoint with PKCE; the user
// signs in, clicks "Allow" and lands back on the app with code, state and iss (RFC 6749 §4.1,
// RFC 7636, RFC 9207); the app exchanges the code over HTTP and calls the API.

describe('authorization code flow in Chromium', () => {
  let t: Awaited<ReturnType<typeof startListeningApp>>;
  let app: Awaited<ReturnType<typeof startCallbackApp>>;
  let chromium: { browser: Browser; close(): Promise<void> };
  let client: Awaited<ReturnType<typeof makeClient>>;

  beforeAll(async () => {
    [t, app, chromium] = await Promise.all([startListeningApp(), startCallbackApp(), launchChromium()]);
    await makeUser(t, 'alice');
    client = await makeClient(t, {
      name: 'Salon Planner',
      description: 'Plans your week of appointments.',
      redirectUris: [app.redirectUri],
    });
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
  });
  afterAll(async () => {
    await chromium?.close();
    await app?.close();
    await t?.close();
  });

  it('signs in, shows consent, Allow returns code+state+iss to the app; the code buys a token for the API', async () => {
    const context = await chromium.browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    const { verifier, challenge } = pkcePair();
    const state = 'chromium-state-Ω-123';
    const authorizeUrl = `${t.issuer}/oauth/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: client.clientId,
      redirect_uri: app.redirectUri,
      scope: 'read write',
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    })}`;

    await page.goto(authorizeUrl);
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.locator('input[name="username"]').fill('alice');
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    const allow = page.getByRole('button', { name: 'Allow', exact: true });
    await allow.waitFor();
    expect(new URL(page.url()).pathname).toBe('/oauth/authorize');
    await expect(page.content()).resolves.toContain('Salon Planner');
    await expect(page.getByRole('button', { name: 'Deny', exact: true }).isVisible()).resolves.toBe(true);
    await page.screenshot({
      path: join(ARTIFACTS_DIR, `consent-code-flow-${TEST_DATABASE}.png`),
      fullPage: true,
    });

    await Promise.all([page.waitForURL(`${app.redirectUri}?**`), allow.click()]);
    const landed = new URL(page.url());
    expect(`${landed.origin}${landed.pathname}`).toBe(app.redirectUri);
    expect(landed.hash).toBe('');
    const code = landed.searchParams.get('code');
    expect(code).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(landed.searchParams.get('state')).toBe(state);
    expect(landed.searchParams.get('iss')).toBe(t.issuer);
    // The app's server saw the same callback.
    expect(app.requests.some((url) => url.startsWith('/callback?') && url.includes(String(code)))).toBe(true);
    await context.close();

    const exchange = await fetch(`${t.issuer}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basicAuth(client.clientId, client.secret as string),
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: String(code),
        redirect_uri: app.redirectUri,
        code_verifier: verifier,
      }),
    });
    expect(exchange.status).toBe(200);
    expect(exchange.headers.get('cache-control')).toBe('no-store');
    const tokens = (await exchange.json()) as Record<string, unknown>;
    expect(tokens).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'read write' });
    expect(typeof tokens.refresh_token).toBe('string');

    const me = await fetch(`${t.issuer}/api/v1/me`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ username: 'alice' });
  });
});
