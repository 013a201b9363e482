import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { de } from '../../src/i18n/de.js';
import { en } from '../../src/i18n/en.js';
import { fromAcceptLanguage, negotiateLocale } from '../../src/i18n/locale.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { Browser, decodeEntities, hiddenFields } from '../helpers/browser.js';
import { makeClient, makeUser, PASSWORD, signIn } from '../helpers/fixtures.js';

// English and German pages: Accept-Language (RFC 9110 §12.5.4), overridden by ui_locales (OpenID
// Connect Core §3.1.2.1, carried through sign-in and consent) and by the page's language switch.

describe('page languages', () => {
  let t: TestApp;
  let client: Awaited<ReturnType<typeof makeClient>>;

  beforeAll(async () => {
    t = await createTestApp({ EXTRA_SCOPES: JSON.stringify({ 'staff:read': 'See your staff list' }) });
    await makeUser(t, 'alice');
    client = await makeClient(t, { name: 'Salon Planner', scopes: ['read', 'write', 'staff:read'] });
  });
  afterAll(() => t.close());

  const authorizeUrl = (extra: Record<string, string> = {}, clientId = client.clientId) =>
    `/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, scope: 'read staff:read', state: 's', ...extra })}`;

  /** A client nobody has allowed yet, so its consent page shows. */
  async function newClientId(): Promise<string> {
    return (await makeClient(t, { name: 'Salon Planner', scopes: ['read', 'write', 'staff:read'] })).clientId;
  }

  it('negotiates: switch, then its cookie, then ui_locales, then Accept-Language, then English', () => {
    expect(negotiateLocale({})).toBe('en');
    expect(negotiateLocale({ acceptLanguage: 'de-AT,de;q=0.9,en;q=0.5' })).toBe('de');
    expect(negotiateLocale({ acceptLanguage: 'fr-FR, fr;q=0.9, de;q=0.8, en;q=0.7' })).toBe('de');
    expect(fromAcceptLanguage('en;q=0.4, de;q=0.8')).toBe('de');
    expect(fromAcceptLanguage('de;q=0, *;q=0.5')).toBe(undefined);
    expect(negotiateLocale({ acceptLanguage: 'de', uiLocales: 'fr-CA en' })).toBe('en');
    expect(negotiateLocale({ acceptLanguage: 'en', uiLocales: 'de-CH' })).toBe('de');
    expect(negotiateLocale({ uiLocales: 'de', cookie: 'en' })).toBe('en');
    expect(negotiateLocale({ cookie: 'en', lang: 'de' })).toBe('de');
    expect(negotiateLocale({ lang: 'xx', cookie: 'nonsense', acceptLanguage: 'garbage;;;' })).toBe('en');
  });

  it('the catalogues have the same keys, and German has its own words for every label', () => {
    const keys = (value: object, prefix = ''): string[] =>
      Object.entries(value).flatMap(([key, inner]) =>
        typeof inner === 'object' && key !== 'requestErrors' && key !== 'scopes'
          ? keys(inner, `${prefix}${key}.`)
          : [`${prefix}${key}`],
      );
    expect(keys(de)).toEqual(keys(en));
    expect([en.login.submit, en.consent.allow, en.consent.deny, en.connectedApps.revoke]).toEqual([
      'Sign in',
      'Allow',
      'Deny',
      'Revoke',
    ]);
    expect(en.home.connectedApps).toBe('Connected apps');
    expect([de.login.submit, de.consent.allow, de.consent.deny, de.connectedApps.revoke]).toEqual([
      'Anmelden',
      'Erlauben',
      'Ablehnen',
      'Widerrufen',
    ]);
    expect(de.home.connectedApps).toBe('Verbundene Apps');
  });

  it('speaks English by default, with <html lang="en"> and the exact English labels', async () => {
    const browser = new Browser(t.app);
    const login = await browser.get('/login');
    expect(login.body).toContain('<html lang="en">');
    expect(login.headers['content-language']).toBe('en');
    expect(login.body).toContain('<button type="submit" class="primary">Sign in</button>');
    await signIn(browser, 'alice');
    const consent = await browser.get(authorizeUrl());
    expect(consent.body).toContain('>Allow</button>');
    expect(consent.body).toContain('>Deny</button>');
    expect(consent.body).toContain(en.consent.heading.replace('{app}', 'Salon Planner'));
  });

  it('follows Accept-Language: German pages, German scope sentences, English fallback for an operator’s scope', async () => {
    const browser = new Browser(t.app);
    const headers = { 'accept-language': 'de-DE,de;q=0.9,en;q=0.8' };
    const login = await browser.get('/login', headers);
    expect(login.body).toContain('<html lang="de">');
    expect(login.headers['content-language']).toBe('de');
    expect(login.body).toContain('<button type="submit" class="primary">Anmelden</button>');
    expect(login.body).toContain('<label for="username">Benutzername</label>');
    await signIn(browser, 'alice');
    const consent = await browser.get(authorizeUrl(), headers);
    const text = decodeEntities(consent.body);
    expect(text).toContain('Salon Planner möchte auf Ihr appointman-Konto zugreifen');
    expect(text).toContain('>Erlauben</button>');
    expect(text).toContain('>Ablehnen</button>');
    expect(text).toContain(de.scopes.read as string);
    expect(text).toContain('See your staff list');
    expect(text).toContain('<a href="/connected-apps">Verbundene Apps</a> widerrufen.');
    // The form is the same: field names and values are contracts.
    expect(consent.body).toContain('name="decision" value="allow"');
    expect(consent.body).toContain('name="decision" value="deny"');
    const home = await browser.get('/', headers);
    expect(home.body).toContain('<a href="/connected-apps">Verbundene Apps</a>');
  });

  it('ui_locales=de is carried through sign-in and the consent form, whatever the browser says', async () => {
    const browser = new Browser(t.app);
    const english = { 'accept-language': 'en-GB' };
    const start = await browser.get(authorizeUrl({ ui_locales: 'de-DE en' }), english);
    expect(start.statusCode).toBe(302);
    const loginUrl = String(start.headers.location);
    const returnTo = new URL(loginUrl, 'http://x').searchParams.get('return_to') as string;
    expect(new URLSearchParams(returnTo.split('?')[1]).get('ui_locales')).toBe('de-DE en');

    const login = await browser.get(loginUrl, english);
    expect(login.body).toContain('<html lang="de">');
    expect(decodeEntities(login.body)).toContain('um mit <strong>Salon Planner</strong> fortzufahren');
    const fields = hiddenFields(login.body);
    // A failed sign-in stays German (the language comes from return_to in the form).
    const failed = await browser.post('/login', { ...fields, username: 'alice', password: 'wrong' });
    expect(failed.statusCode).toBe(401);
    expect(failed.body).toContain('<html lang="de">');
    expect(decodeEntities(failed.body)).toContain(de.login.errors.incorrect);

    const signedIn = await browser.post('/login', {
      ...hiddenFields(failed.body),
      username: 'alice',
      password: PASSWORD,
    });
    expect(signedIn.statusCode).toBe(303);
    const consent = await browser.get(String(signedIn.headers.location), english);
    expect(consent.body).toContain('<html lang="de">');
    const consentFields = hiddenFields(consent.body);
    expect(consentFields.ui_locales).toBe('de-DE en');

    // The decision's error page speaks German too (no decision given).
    const undecided = await browser.post('/oauth/authorize/decision', consentFields);
    expect(undecided.statusCode).toBe(400);
    expect(undecided.body).toContain('<html lang="de">');
    expect(decodeEntities(undecided.body)).toContain(de.errors.noDecision.heading);
    const allowed = await browser.post('/oauth/authorize/decision', { ...consentFields, decision: 'allow' });
    expect(allowed.statusCode).toBe(303);
    expect(new URL(String(allowed.headers.location)).searchParams.get('code')).toBeTruthy();
  });

  it('ui_locales never makes a request invalid (any value is accepted and ignored if unknown)', async () => {
    const browser = new Browser(t.app);
    await signIn(browser, 'alice');
    const clientId = await newClientId();
    for (const value of ['', 'xx-YY', 'de en fr', '!!!']) {
      const response = await browser.get(authorizeUrl({ ui_locales: value }, clientId));
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain(value.startsWith('de') ? 'Erlauben' : '>Allow<');
    }
  });

  it('the language switch links keep the page, and the choice is remembered over Accept-Language and ui_locales', async () => {
    const browser = new Browser(t.app);
    await signIn(browser, 'alice');
    const url = authorizeUrl({ ui_locales: 'en' }, await newClientId());
    const consent = await browser.get(url);
    const link = /<a href="([^"]+)" lang="de" hreflang="de">Deutsch<\/a>/.exec(consent.body)?.[1];
    expect(link).toBeDefined();
    const switched = await browser.get(decodeEntities(link as string));
    expect(switched.statusCode).toBe(200);
    expect(switched.body).toContain('<html lang="de">');
    expect(switched.body).toContain('>Erlauben</button>');
    expect(switched.body).toContain('<a href="/oauth/authorize?');
    expect(switched.body).toMatch(/lang="en" hreflang="en">English<\/a>/);
    expect(switched.body).toMatch(/lang="de" hreflang="de" aria-current="true">Deutsch<\/a>/);
    expect(browser.cookies.get('appointman_lang')).toBe('de');
    // Remembered: the next page is German even though the app asks for English.
    const next = await browser.get(url, { 'accept-language': 'en' });
    expect(next.body).toContain('<html lang="de">');
    const back = await browser.get('/?lang=en');
    expect(back.body).toContain('<html lang="en">');
    expect(browser.cookies.get('appointman_lang')).toBe('en');
  });

  it('error pages say what went wrong and what to do, in the page’s language', async () => {
    const response = await new Browser(t.app).get(
      `/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'nobody' })}`,
      { 'accept-language': 'de' },
    );
    expect(response.statusCode).toBe(400);
    const text = decodeEntities(response.body);
    expect(text).toContain('<html lang="de">');
    expect(text).toContain(de.errors.requestRejected.heading);
    expect(text).toContain(de.requestErrors['The app that sent you here is not registered with appointman.']);
    expect(text).toContain(de.errors.requestRejected.advice);
    expect(text).toContain('Zur appointman-Startseite');

    const english = await new Browser(t.app).get(
      `/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: 'nobody' })}`,
    );
    expect(decodeEntities(english.body)).toContain(
      'The app that sent you here is not registered with appointman.',
    );
    const repeated = await new Browser(t.app).get(
      `/oauth/authorize?client_id=${client.clientId}&client_id=x`,
      { 'accept-language': 'de' },
    );
    expect(decodeEntities(repeated.body)).toContain('Die App hat „client_id“ mehrfach gesendet');
  });

  it('the other pages speak German too: signed out, connected apps, a stale sign-out form', async () => {
    const browser = new Browser(t.app);
    const headers = { 'accept-language': 'de' };
    await signIn(browser, 'alice');
    const apps = await browser.get('/connected-apps', headers);
    expect(apps.body).toContain('<h1>Verbundene Apps</h1>');
    const stale = await browser.post('/logout', { csrf_token: 'stale' });
    expect(stale.statusCode).toBe(403);
    expect(decodeEntities(stale.body)).toContain(en.errors.logoutExpired.heading);
    const { csrf_token } = hiddenFields((await browser.get('/')).body);
    const out = await t.app.inject({
      method: 'POST',
      url: '/logout',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'accept-language': 'de',
        cookie: [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
      },
      payload: new URLSearchParams({ csrf_token: csrf_token as string }).toString(),
    });
    expect(out.statusCode).toBe(200);
    expect(out.body).toContain('<h1>Sie sind abgemeldet</h1>');
  });
});
