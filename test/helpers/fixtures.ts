import { createHash, randomBytes } from 'node:crypto';
import { type ClientInput, createClient } from '../../src/admin/clients.js';
import { createUser } from '../../src/admin/users.js';
import type { TestApp } from './app.js';
import { Browser, hiddenFields, redirectParams } from './browser.js';

export const PASSWORD = 'correct horse battery staple';

export async function makeUser(t: TestApp, username: string, password = PASSWORD) {
  return createUser(t.storage, { username, password });
}

export async function makeClient(t: TestApp, input: Partial<ClientInput> = {}) {
  const { client, secret } = await createClient(
    { storage: t.storage, scopes: t.config.scopes },
    { name: 'Test App', redirectUris: ['https://app.example.com/callback'], ...input },
  );
  return { clientId: client.client_id, secret, client };
}

export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

export function basicAuth(clientId: string, secret: string): string {
  return `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`;
}

/** Signs the browser in through the real sign-in form. */
export async function signIn(browser: Browser, username: string, password = PASSWORD, returnTo = '/') {
  const form = await browser.get(`/login?return_to=${encodeURIComponent(returnTo)}`);
  const { csrf_token } = hiddenFields(form.body);
  return browser.post('/login', { csrf_token: csrf_token ?? '', return_to: returnTo, username, password });
}

/**
 * Walks GET /oauth/authorize → sign-in → consent → Allow, as a browser would, and returns the final
 * redirect's Location. Pass a signed-in browser to skip the sign-in.
 */
export async function authorize(
  t: TestApp,
  params: Record<string, string>,
  options: { browser?: Browser; username?: string; decision?: 'allow' | 'deny' } = {},
): Promise<{ location: string; browser: Browser }> {
  const browser = options.browser ?? new Browser(t.app);
  const url = `/oauth/authorize?${new URLSearchParams(params)}`;
  let response = await browser.get(url);
  if (response.statusCode === 302 && String(response.headers.location).startsWith('/login')) {
    const login = await signIn(browser, options.username ?? 'alice', PASSWORD, url);
    if (login.statusCode !== 303) throw new Error(`sign-in failed with ${login.statusCode}`);
    response = await browser.get(String(login.headers.location));
  }
  if (response.statusCode === 302) return { location: String(response.headers.location), browser };
  if (response.statusCode !== 200)
    throw new Error(`authorize answered ${response.statusCode}: ${response.body.slice(0, 200)}`);
  const fields = hiddenFields(response.body);
  const decided = await browser.post('/oauth/authorize/decision', {
    ...fields,
    decision: options.decision ?? 'allow',
  });
  if (decided.statusCode !== 303) throw new Error(`decision answered ${decided.statusCode}`);
  return { location: String(decided.headers.location), browser };
}

/** The code from a full authorization walk. */
export async function obtainCode(
  t: TestApp,
  params: Record<string, string>,
  options: Parameters<typeof authorize>[2] = {},
) {
  const { location, browser } = await authorize(t, { response_type: 'code', ...params }, options);
  const code = redirectParams(location).get('code');
  if (!code) throw new Error(`no code in ${location}`);
  return { code, browser, location };
}

export async function tokenRequest(
  t: TestApp,
  form: Record<string, string>,
  headers: Record<string, string> = {},
) {
  return t.app.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    payload: new URLSearchParams(form).toString(),
  });
}
