import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { Browser, decodeEntities, hiddenFields } from '../helpers/browser.js';
import { basicAuth, makeClient, makeUser, obtainCode, signIn, tokenRequest } from '../helpers/fixtures.js';

// Issue 5 item 4: the home page, Connected apps and its "Revoke" button (CSRF-protected, checklist A3),
// which ends the consent and every grant of that user with that app, with their tokens, at once.

describe('home page and Connected apps', () => {
  let t: TestApp;
  let planner: Awaited<ReturnType<typeof makeClient>>;
  let calendar: Awaited<ReturnType<typeof makeClient>>;
  const redirectUri = 'https://app.example.com/callback';

  beforeAll(async () => {
    t = await createTestApp();
    await makeUser(t, 'alice');
    await makeUser(t, 'bob');
    planner = await makeClient(t, { name: 'Salon <Planner>' });
    calendar = await makeClient(t, { name: 'Calendar Sync' });
  });
  afterAll(() => t.close());

  /** Code flow through the pages, then the token endpoint: the app's access and refresh token. */
  async function connect(
    client: Awaited<ReturnType<typeof makeClient>>,
    options: { browser?: Browser; username?: string } = {},
  ) {
    const { code, browser } = await obtainCode(
      t,
      { client_id: client.clientId, redirect_uri: redirectUri, scope: 'read write' },
      options,
    );
    const response = await tokenRequest(
      t,
      { grant_type: 'authorization_code', code, redirect_uri: redirectUri },
      { authorization: basicAuth(client.clientId, client.secret as string) },
    );
    expect(response.statusCode).toBe(200);
    const tokens = response.json() as { access_token: string; refresh_token: string };
    return { ...tokens, browser };
  }

  const me = (accessToken: string) =>
    t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${accessToken}` } });

  const refresh = (client: Awaited<ReturnType<typeof makeClient>>, refreshToken: string) =>
    tokenRequest(
      t,
      { grant_type: 'refresh_token', refresh_token: refreshToken },
      { authorization: basicAuth(client.clientId, client.secret as string) },
    );

  /** The hidden fields of the Revoke form of one app on the Connected apps page. */
  function revokeForm(html: string, clientId: string): Record<string, string> {
    const form = [...html.matchAll(/<form method="post" action="\/connected-apps\/revoke">[\s\S]*?<\/form>/g)]
      .map((match) => hiddenFields(match[0]))
      .find((fields) => fields.client_id === clientId);
    if (!form) throw new Error(`no Revoke form for ${clientId}`);
    return form;
  }

  it('the home page offers to sign in and links to "Connected apps" when nobody is signed in', async () => {
    const response = await new Browser(t.app).get('/');
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('<html lang="en">');
    expect(response.body).toContain('<a class="button primary" href="/login">Sign in</a>');
    expect(response.body).toContain('<a href="/connected-apps">Connected apps</a>');
  });

  it('the home page says who is signed in and links to "Connected apps"', async () => {
    const browser = new Browser(t.app);
    await signIn(browser, 'alice');
    const response = await browser.get('/');
    expect(response.body).toContain('You are signed in as <strong>alice</strong>');
    expect(response.body).toContain('<a href="/connected-apps">Connected apps</a>');
    expect(response.body).toContain('action="/logout"');
  });

  it('Connected apps sends a visitor who is not signed in to the sign-in page, and back afterwards', async () => {
    const browser = new Browser(t.app);
    const response = await browser.get('/connected-apps');
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/login?return_to=%2Fconnected-apps');
    const login = await signIn(browser, 'alice', undefined, '/connected-apps');
    expect(login.statusCode).toBe(303);
    expect(login.headers.location).toBe('/connected-apps');
  });

  it('lists the apps a user allowed, with what they can do and when, each with a Revoke button', async () => {
    const browser = new Browser(t.app);
    await signIn(browser, 'alice');
    await connect(planner, { browser });
    const page = await browser.get('/connected-apps');
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    // Checklist A6: a registered name is escaped.
    expect(page.body).toContain('Salon &lt;Planner&gt;');
    expect(page.body).not.toContain('Salon <Planner>');
    expect(page.body).toContain(t.config.scopes.read as string);
    expect(page.body).toContain(t.config.scopes.write as string);
    expect(page.body).toMatch(/<time datetime="\d{4}-\d\d-\d\dT[\d:.]+Z">/);
    expect(page.body).toMatch(
      /<button type="submit" class="danger" aria-describedby="app-0">Revoke<\/button>/,
    );
    expect(revokeForm(page.body, planner.clientId).csrf_token).toBeTruthy();
  });

  it('Revoke ends the consent and every token of that user with that app at once, and nothing else', async () => {
    const alice = new Browser(t.app);
    await signIn(alice, 'alice');
    const first = await connect(planner, { browser: alice });
    const second = await connect(planner, { browser: alice }); // a second grant, approved silently
    const other = await connect(calendar, { browser: alice });
    const bobs = await connect(planner, { username: 'bob' });
    for (const token of [first, second, other, bobs])
      expect((await me(token.access_token)).statusCode).toBe(200);

    const page = await alice.get('/connected-apps');
    const revoked = await alice.post('/connected-apps/revoke', revokeForm(page.body, planner.clientId));
    expect(revoked.statusCode).toBe(303);
    expect(revoked.headers.location).toBe(`/connected-apps?revoked=${planner.clientId}`);

    const after = await alice.get(String(revoked.headers.location));
    expect(after.body).toContain('role="status">Access for Salon &lt;Planner&gt; has been revoked.');
    expect(after.body).not.toContain(`value="${planner.clientId}"`);
    expect(after.body).toContain('Calendar Sync');

    // RFC 6750 §3.1: a revoked access token is an invalid_token (401) at once.
    for (const token of [first, second]) {
      const response = await me(token.access_token);
      expect(response.statusCode).toBe(401);
      expect(String(response.headers['www-authenticate'])).toContain('invalid_token');
      const refreshed = await refresh(planner, token.refresh_token);
      expect(refreshed.statusCode).toBe(400);
      expect(refreshed.json().error).toBe('invalid_grant');
    }
    // Another app of the same user, and the same app of another user, keep working.
    expect((await me(other.access_token)).statusCode).toBe(200);
    expect((await me(bobs.access_token)).statusCode).toBe(200);
    expect((await refresh(planner, bobs.refresh_token)).statusCode).toBe(200);

    // The consent is gone: the app has to ask again (no silent approval).
    expect(await t.storage.consents.scopesFor(await userId('alice'), planner.clientId)).toBe(null);
    const again = await alice.get(
      `/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: planner.clientId, redirect_uri: redirectUri, scope: 'read' })}`,
    );
    expect(again.statusCode).toBe(200);
    expect(again.body).toContain('>Allow</button>');
  });

  it('a Revoke without the CSRF token, or with another session’s, fails and changes nothing (checklist A3)', async () => {
    const alice = new Browser(t.app);
    await signIn(alice, 'alice');
    const tokens = await connect(calendar, { browser: alice });
    const mallory = new Browser(t.app);
    await signIn(mallory, 'bob');
    const foreign = hiddenFields((await mallory.get('/')).body).csrf_token as string;

    const forms: Record<string, string>[] = [
      { client_id: calendar.clientId },
      { client_id: calendar.clientId, csrf_token: '' },
      { client_id: calendar.clientId, csrf_token: foreign },
    ];
    for (const form of forms) {
      const response = await alice.post('/connected-apps/revoke', form);
      expect(response.statusCode).toBe(403);
      expect(response.headers.location).toBeUndefined();
      expect(decodeEntities(response.body)).toContain('Nothing was revoked');
    }
    expect((await me(tokens.access_token)).statusCode).toBe(200);
    expect(await t.storage.consents.scopesFor(await userId('alice'), calendar.clientId)).not.toBe(null);
    const page = await alice.get('/connected-apps');
    expect(page.body).toContain(`name="client_id" value="${calendar.clientId}"`);
    expect((await refresh(calendar, tokens.refresh_token)).statusCode).toBe(200);
  });

  it('a Revoke from a browser that is no longer signed in goes to sign-in and changes nothing', async () => {
    const alice = new Browser(t.app);
    await signIn(alice, 'alice');
    const tokens = await connect(calendar, { browser: alice });
    const stranger = new Browser(t.app);
    const { csrf_token } = hiddenFields((await stranger.get('/login')).body);
    const response = await stranger.post('/connected-apps/revoke', {
      csrf_token: csrf_token as string,
      client_id: calendar.clientId,
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/login?return_to=%2Fconnected-apps');
    expect((await me(tokens.access_token)).statusCode).toBe(200);
  });

  async function userId(username: string): Promise<string> {
    const user = await t.storage.users.findCredentials(username);
    if (!user) throw new Error(`no user ${username}`);
    return user.id;
  }
});
