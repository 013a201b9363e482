import type { AddressInfo } from 'node:net';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { de } from '../../src/i18n/de.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { launchChromium } from '../helpers/chromium.js';
import { makeClient, makeUser, PASSWORD, pkcePair } from '../helpers/fixtures.js';
import { checkPage, DESKTOP, loaded, startFakeClient, textOf } from '../helpers/pages.js';

// The pages in German in Chromium: from the browser's language (Accept-Language), and from the
// app's ui_locales when the browser speaks English; the page's language switch back to English.

describe('German pages in Chromium', () => {
  let t: TestApp;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let fakeApp: Awaited<ReturnType<typeof startFakeClient>>;
  const contexts: BrowserContext[] = [];
  let origin: string;
  let phoneApp: Awaited<ReturnType<typeof makeClient>>;

  beforeAll(async () => {
    [t, chromium, fakeApp] = await Promise.all([createTestApp(), launchChromium(), startFakeClient()]);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    origin = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    await makeUser(t, 'jonas');
    // A public client: asked every time, so each run shows the consent page.
    phoneApp = await makeClient(t, {
      name: 'Terminkalender',
      public: true,
      redirectUris: [fakeApp.redirectUri],
    });
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await chromium?.close();
    await fakeApp?.close();
    await t?.close();
  });

  /** A fresh browser profile speaking `locale` (its Accept-Language); bypassCSP only to inject axe. */
  async function newPage(locale: string): Promise<Page> {
    const context = await chromium.browser.newContext({ bypassCSP: true, viewport: DESKTOP, locale });
    contexts.push(context);
    return context.newPage();
  }

  const authorizeUrl = (extra: Record<string, string> = {}) =>
    `${origin}/oauth/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: phoneApp.clientId,
      redirect_uri: fakeApp.redirectUri,
      scope: 'read write',
      state: 'de-1',
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
      ...extra,
    })}`;

  async function signIn(page: Page) {
    await page.getByRole('textbox', { name: 'Benutzername' }).fill('jonas');
    await page.getByLabel('Passwort').fill(PASSWORD);
    await loaded(page, () => page.getByRole('button', { name: 'Anmelden', exact: true }).click());
  }

  it('Accept-Language de: sign-in, consent with German scope sentences, Erlauben, Verbundene Apps, Widerrufen', async () => {
    const page = await newPage('de-DE');
    await page.goto(`${origin}/`);
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe(de.home.heading);
    await checkPage(page, 'de-home-signed-out');

    await page.goto(authorizeUrl());
    expect(await textOf(page.locator('p.lead'))).toBe('um mit Terminkalender fortzufahren');
    await checkPage(page, 'de-sign-in');
    await signIn(page);

    expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe(
      'Terminkalender möchte auf Ihr appointman-Konto zugreifen',
    );
    const scopes = page.getByRole('list', { name: 'Wenn Sie es erlauben, kann Terminkalender:' });
    expect(await scopes.getByRole('listitem').allTextContents()).toEqual([de.scopes.read, de.scopes.write]);
    expect(await textOf(page.locator('main p.muted').last())).toBe(
      'Sie können diesen Zugriff jederzeit unter Verbundene Apps widerrufen.',
    );
    await checkPage(page, 'de-consent');
    await loaded(page, () => page.getByRole('button', { name: 'Erlauben', exact: true }).click());
    expect(new URL(page.url()).searchParams.get('code')).toBeTruthy();

    await page.goto(`${origin}/`);
    await loaded(page, () => page.getByRole('link', { name: 'Verbundene Apps', exact: true }).click());
    expect(await textOf(page.locator('li.app p.muted'))).toMatch(
      /^Erlaubt am \d{1,2}\. \S+ \d{4} um \d\d:\d\d UTC$/,
    );
    await checkPage(page, 'de-connected-apps');
    await loaded(page, () => page.getByRole('button', { name: 'Widerrufen', exact: true }).click());
    expect(await textOf(page.getByRole('status'))).toBe(
      'Der Zugriff für Terminkalender wurde widerrufen. Ihre Tokens sind nicht mehr gültig.',
    );
    await checkPage(page, 'de-connected-apps-revoked');

    await page.goto(`${origin}/oauth/authorize?response_type=code&client_id=unbekannt`);
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe(de.errors.requestRejected.heading);
    await checkPage(page, 'de-error');
  });

  it('ui_locales=de from an English browser: German through sign-in and consent, Ablehnen, then the switch to English', async () => {
    const page = await newPage('en-GB');
    await page.goto(authorizeUrl({ ui_locales: 'de', state: 'de-2' }));
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    await signIn(page);
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    expect(await page.getByRole('button', { name: 'Erlauben', exact: true }).count()).toBe(1);

    // The switch keeps the request and shows it in English.
    const nav = page.getByRole('navigation', { name: 'Sprache' });
    await loaded(page, () => nav.getByRole('link', { name: 'English' }).click());
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    expect(await page.getByRole('button', { name: 'Allow', exact: true }).count()).toBe(1);
    await loaded(page, () =>
      page.getByRole('navigation', { name: 'Language' }).getByRole('link', { name: 'Deutsch' }).click(),
    );
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    await checkPage(page, 'de-consent-ui-locales');

    await loaded(page, () => page.getByRole('button', { name: 'Ablehnen', exact: true }).click());
    const back = new URL(page.url());
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.get('state')).toBe('de-2');

    await page.goto(`${origin}/`);
    await loaded(page, () => page.getByRole('button', { name: 'Abmelden' }).click());
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe('Sie sind abgemeldet');
    await checkPage(page, 'de-signed-out');
  });
});
