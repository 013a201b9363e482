import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { launchChromium } from '../helpers/chromium.js';
import { basicAuth, makeClient, makeUser, PASSWORD, pkcePair, tokenRequest } from '../helpers/fixtures.js';
import {
  checkPage,
  DESKTOP,
  focusedId,
  hasFocus,
  imageLoaded,
  loaded,
  startFakeClient,
  styleOf,
  textOf,
} from '../helpers/pages.js';

// The pages in a real browser (Debian's Chromium), in English: sign-in, consent (Allow, Deny,
// remembered), Connected apps and Revoke, home, signed out, an error page, the button page. Each is
// checked with axe-core and saved as a screenshot at a phone and a desktop size.

describe('the pages in Chromium', () => {
  let t: TestApp;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let fakeApp: Awaited<ReturnType<typeof startFakeClient>>;
  let context: BrowserContext;
  let page: Page;
  let origin: string;
  let planner: Awaited<ReturnType<typeof makeClient>>;
  let phoneApp: Awaited<ReturnType<typeof makeClient>>;

  beforeAll(async () => {
    [t, chromium, fakeApp] = await Promise.all([createTestApp(), launchChromium(), startFakeClient()]);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    origin = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    await makeUser(t, 'alice');
    planner = await makeClient(t, {
      name: 'Salon Planner',
      description: 'Books your customers’ appointments.',
      redirectUris: [fakeApp.redirectUri],
    });
    phoneApp = await makeClient(t, {
      name: 'Phone Calendar',
      public: true,
      redirectUris: [fakeApp.redirectUri],
    });
    // bypassCSP only so the test can inject axe-core; the pages themselves forbid inline scripts.
    context = await chromium.browser.newContext({ bypassCSP: true, viewport: DESKTOP, locale: 'en-GB' });
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
    await chromium?.close();
    await fakeApp?.close();
    await t?.close();
  });

  const authorizeUrl = (params: Record<string, string>) =>
    `${origin}/oauth/authorize?${new URLSearchParams({ response_type: 'code', redirect_uri: fakeApp.redirectUri, ...params })}`;
  const h1 = () => textOf(page.getByRole('heading', { level: 1 }));
  const backInApp = () => page.url().startsWith(`${fakeApp.redirectUri}?`);

  it('home, then sign-in by keyboard (after one wrong password), then an empty Connected apps', async () => {
    await page.goto(`${origin}/`);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await checkPage(page, 'home-signed-out');

    await loaded(page, () => page.getByRole('link', { name: 'Connected apps', exact: true }).click());
    expect(page.url()).toBe(`${origin}/login?return_to=%2Fconnected-apps`);
    expect(await focusedId(page)).toBe('username');
    await checkPage(page, 'sign-in');

    await page.keyboard.type('alice');
    await page.keyboard.press('Tab');
    expect(await focusedId(page)).toBe('password');
    await page.keyboard.type('not the password');
    await loaded(page, () => page.keyboard.press('Enter'));
    expect(await textOf(page.getByRole('alert'))).toBe('The username or password is incorrect.');
    expect(await page.getByLabel('Username').inputValue()).toBe('alice');
    await checkPage(page, 'sign-in-failed');

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Password').press('Tab');
    // The focused button shows a visible focus ring.
    const signIn = page.getByRole('button', { name: 'Sign in', exact: true });
    expect(await hasFocus(signIn)).toBe(true);
    expect(await styleOf(signIn, 'outline-style')).toBe('solid');
    await loaded(page, () => page.keyboard.press('Enter'));
    expect(page.url()).toBe(`${origin}/connected-apps`);
    expect(await h1()).toBe('Connected apps');
    await checkPage(page, 'connected-apps-empty');
  });

  it('consent says which app, what it may do, who is signed in and how to withdraw; Allow returns a code', async () => {
    await page.goto(authorizeUrl({ client_id: planner.clientId, scope: 'read write', state: 'e2e-1' }));
    expect(await h1()).toBe('Salon Planner wants to access your appointman account');
    expect(await textOf(page.locator('.who'))).toBe('Signed in as alice');
    const scopes = page.getByRole('list', { name: 'If you allow it, Salon Planner will be able to:' });
    expect(await scopes.getByRole('listitem').allTextContents()).toEqual([
      t.config.scopes.read,
      t.config.scopes.write,
    ]);
    const withdraw = page.getByRole('link', { name: 'Connected apps', exact: true });
    expect(await withdraw.getAttribute('href')).toBe('/connected-apps');
    await checkPage(page, 'consent');

    await loaded(page, () => page.getByRole('button', { name: 'Allow', exact: true }).click());
    expect(backInApp()).toBe(true);
    const back = new URL(page.url());
    expect(back.searchParams.get('state')).toBe('e2e-1');
    expect(back.searchParams.get('code')).toBeTruthy();
  });

  it('remembered consent: a second request from the same app goes straight back', async () => {
    await page.goto(authorizeUrl({ client_id: planner.clientId, scope: 'read', state: 'e2e-2' }));
    expect(backInApp()).toBe(true);
    expect(new URL(page.url()).searchParams.get('code')).toBeTruthy();
  });

  it('Deny sends access_denied back to the app', async () => {
    const { challenge } = pkcePair();
    const params = { client_id: phoneApp.clientId, scope: 'read', state: 'e2e-3' };
    await page.goto(authorizeUrl({ ...params, code_challenge: challenge, code_challenge_method: 'S256' }));
    await loaded(page, () => page.getByRole('button', { name: 'Deny', exact: true }).click());
    expect(backInApp()).toBe(true);
    const back = new URL(page.url());
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('e2e-3');
  });

  it('Connected apps lists the app; Revoke ends its tokens at once', async () => {
    // An access token for Salon Planner, from a code the browser brings back (consent remembered).
    await page.goto(authorizeUrl({ client_id: planner.clientId, scope: 'read', state: 'e2e-4' }));
    const code = new URL(page.url()).searchParams.get('code') as string;
    const tokens = (
      await tokenRequest(
        t,
        { grant_type: 'authorization_code', code, redirect_uri: fakeApp.redirectUri },
        { authorization: basicAuth(planner.clientId, planner.secret as string) },
      )
    ).json();
    const me = () =>
      fetch(`${origin}/api/v1/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect((await me()).status).toBe(200);

    await page.goto(`${origin}/`);
    expect(await textOf(page.locator('main p').first())).toBe('You are signed in as alice.');
    await checkPage(page, 'home-signed-in');
    await loaded(page, () => page.getByRole('link', { name: 'Connected apps', exact: true }).click());
    const app = page.locator('li.app').filter({ has: page.getByRole('heading', { name: 'Salon Planner' }) });
    expect(await app.getByRole('listitem').allTextContents()).toEqual([
      t.config.scopes.read,
      t.config.scopes.write,
    ]);
    expect(await textOf(app.locator('p.muted'))).toMatch(/^Allowed on \d{1,2} \w+ \d{4} at \d\d:\d\d UTC$/);
    await checkPage(page, 'connected-apps');

    await loaded(page, () => app.getByRole('button', { name: 'Revoke', exact: true }).click());
    expect(await textOf(page.getByRole('status'))).toBe(
      'Access for Salon Planner has been revoked. Its tokens no longer work.',
    );
    expect(await page.getByRole('heading', { name: 'Salon Planner' }).count()).toBe(0);
    await checkPage(page, 'connected-apps-revoked');
    expect((await me()).status).toBe(401);
  });

  it('an error page says what went wrong and what to do; the button page; sign out', async () => {
    await page.goto(`${origin}/oauth/authorize?response_type=code&client_id=unknown-app`);
    expect(await h1()).toBe('This app’s request cannot be accepted');
    expect(await textOf(page.getByRole('alert'))).toBe(
      'The app that sent you here is not registered with appointman.',
    );
    await checkPage(page, 'error');

    await page.goto(`${origin}/button/`);
    expect(await styleOf(page.locator('a.appointman-connect'), 'background-color')).toBe('rgb(11, 87, 208)');
    const image = page.getByRole('img', { name: 'Connect with appointman' });
    expect(await imageLoaded(image)).toBe(true);
    await checkPage(page, 'button');

    await page.goto(`${origin}/`);
    await loaded(page, () => page.getByRole('button', { name: 'Sign out' }).click());
    expect(await h1()).toBe('You are signed out');
    await checkPage(page, 'signed-out');
  });
});
