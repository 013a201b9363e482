import { hiddenFields } from './browser.js';
import { PASSWORD } from './fixtures.js';

/**
 * A user agent over real HTTP (fetch) with a cookie jar, for a listening server: walks the
 * authorization endpoint, the sign-in form and the consent form, and stops at the redirect
 * back to the app (which it never follows).
 */
export class HttpBrowser {
  private readonly cookies = new Map<string, string>();

  constructor(private readonly origin: string) {}

  async get(url: string): Promise<Response> {
    return this.remember(
      await fetch(new URL(url, this.origin), {
        redirect: 'manual',
        headers: { cookie: this.cookieHeader() },
      }),
    );
  }

  async post(url: string, form: Record<string, string>): Promise<Response> {
    return this.remember(
      await fetch(new URL(url, this.origin), {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader() },
        body: new URLSearchParams(form).toString(),
      }),
    );
  }

  /**
   * From an authorization URL to the final redirect's Location: signs in as `username` when asked,
   * then answers the consent page with `decision`.
   */
  async authorize(
    authorizationUrl: string,
    username: string,
    decision: 'allow' | 'deny' = 'allow',
  ): Promise<string> {
    let response = await this.get(authorizationUrl);
    const location = response.headers.get('location') ?? '';
    if (response.status === 302 && location.startsWith('/login')) {
      const form = await this.get(location);
      const returnTo = new URL(location, this.origin).searchParams.get('return_to') ?? '/';
      const fields = hiddenFields(await form.text());
      const login = await this.post('/login', {
        csrf_token: fields.csrf_token ?? '',
        return_to: returnTo,
        username,
        password: PASSWORD,
      });
      if (login.status !== 303) throw new Error(`sign-in answered ${login.status}`);
      response = await this.get(login.headers.get('location') ?? '/');
    }
    if (response.status === 302) return response.headers.get('location') ?? '';
    if (response.status !== 200) throw new Error(`authorize answered ${response.status}`);
    const decided = await this.post('/oauth/authorize/decision', {
      ...hiddenFields(await response.text()),
      decision,
    });
    if (decided.status !== 303) throw new Error(`decision answered ${decided.status}`);
    return decided.headers.get('location') ?? '';
  }

  private cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private remember(response: Response): Response {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair?.indexOf('=') ?? -1;
      if (pair && index > 0) this.cookies.set(pair.slice(0, index).trim(), pair.slice(index + 1));
    }
    return response;
  }
}
