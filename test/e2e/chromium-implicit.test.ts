import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR, launchChromium } from '../helpers/chromium.js';
import { TEST_DATABASE } from '../helpers/database.js';
import { makeClient, makeUser, PASSWORD } from '../helpers/fixtures.js';
import { startCallbackApp, startListeningApp } from '../helpers/servers.js';

// The implicit grant in a real browser (RFC 6749 §4.2; checklist I1): a browser-only app gets the
// token in the URL fragment, which the browser keeps and never sends to the app's server. No
// refresh token; consent is asked again on the next visit; Deny comes back in the fragment.

describe('implicit grant in Chromium', () => {
  let t: Awaited<ReturnType<typeof startListeningApp>>;
  let app: Awaited<ReturnType<typeof startCallbackApp>>;
  let chromium: { browser: Browser; close(): Promise<void> };
  let client: Awaited<ReturnType<typeof makeClient>>;

  beforeAll(async () => {
    [t, app, chromium] = await Promise.all([startListeningApp(), startCallbackApp(), launchChromium()]);
    await makeUser(t, 'alice');
    client = await makeClient(t, {
      name: 'Browser Calendar',
      public: true,
      grantTypes: ['implicit'],
      redirectUris: [app.redirectUri],
    });
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
  });
  afterAll(async () => {
    await chromium?.close();
    await app?.close();
    await t?.close();
  });

  it('Allow puts the token in the fragment only; it works at the API; the next visit asks again; Deny is in the fragment', async () => {
    const context = await chromium.browser.newContext({ locale: 'en-US' });
    const page = await context.newPage();
    const authorizeUrl = (state: string) =>
      `${t.issuer}/oauth/authorize?${new URLSearchParams({
        response_type: 'token',
        client_id: client.clientId,
        redirect_uri: app.redirectUri,
        scope: 'read',
        state,
      })}`;

    await page.goto(authorizeUrl('first visit'));
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.locator('input[name="username"]').fill('alice');
    await page.locator('input[name="password"]').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    const allow = page.getByRole('button', { name: 'Allow', exact: true });
    await allow.waitFor();
    await expect(page.content()).resolves.toContain('Browser Calendar');
    await page.screenshot({
      path: join(ARTIFACTS_DIR, `consent-implicit-${TEST_DATABASE}.png`),
      fullPage: true,
    });

    await Promise.all([page.waitForURL(`${app.redirectUri}#**`), allow.click()]);
    const landed = new URL(page.url());
    expect(`${landed.origin}${landed.pathname}`).toBe(app.redirectUri);
    expect(landed.search).toBe('');
    const fragment = new URLSearchParams(landed.hash.slice(1));
    const accessToken = fragment.get('access_token');
    expect(accessToken).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    expect(fragment.get('token_type')).toBe('Bearer');
    expect(fragment.get('expires_in')).toBe('900');
    expect(fragment.get('scope')).toBe('read');
    expect(fragment.get('state')).toBe('first visit');
    expect(fragment.get('iss')).toBe(t.issuer);
    expect(fragment.has('refresh_token')).toBe(false);
    // The app's server saw /callback and nothing of the token: a fragment stays in the browser.
    expect(app.requests).toContain('/callback');
    expect(app.requests.join('\n')).not.toContain(String(accessToken));

    const me = await fetch(`${t.issuer}/api/v1/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ username: 'alice' });

    // Checklist A7: the same browser, already signed in and having allowed it, is asked again.
    await page.goto(authorizeUrl('second visit'));
    const deny = page.getByRole('button', { name: 'Deny', exact: true });
    await deny.waitFor();
    expect(new URL(page.url()).pathname).toBe('/oauth/authorize');
    await Promise.all([page.waitForURL(`${app.redirectUri}#**`), deny.click()]);
    const denied = new URL(page.url());
    expect(denied.search).toBe('');
    const answer = new URLSearchParams(denied.hash.slice(1));
    expect(answer.get('error')).toBe('access_denied');
    expect(answer.get('state')).toBe('second visit');
    expect(answer.get('iss')).toBe(t.issuer);
    expect(answer.has('access_token')).toBe(false);
    await context.close();
  });
});
