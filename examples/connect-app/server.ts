// A third-party app that connects to appointman: it shows the "Connect with appointman" button,
// runs the authorization code flow with PKCE (openid-client), calls /api/v1/me and refreshes.
//   CLIENT_ID=… CLIENT_SECRET=… npm run example        (see examples/connect-app/README.md)
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import * as oauth from 'openid-client';

const LOOPBACK = ['127.0.0.1', 'localhost', '[::1]'];

export interface ExampleOptions {
  issuer: string; // the appointman server, e.g. http://127.0.0.1:3000
  clientId: string;
  clientSecret: string;
  port?: number; // 0: any free port
}

export async function startExample(options: ExampleOptions): Promise<{ url: string; server: Server }> {
  const issuer = new URL(options.issuer);
  // RFC 8414 metadata; plain http is allowed here only because the example talks to a local server.
  const config = await oauth.discovery(issuer, options.clientId, options.clientSecret, undefined, {
    algorithm: 'oauth2',
    execute:
      issuer.protocol === 'http:' && LOOPBACK.includes(issuer.hostname) ? [oauth.allowInsecureRequests] : [],
  });
  const pending = new Map<string, { verifier: string; state: string }>(); // by browser cookie
  let url = '';

  async function handle(request: IncomingMessage, response: ServerResponse) {
    const here = new URL(request.url ?? '/', url);
    if (here.pathname === '/connect') {
      const verifier = oauth.randomPKCECodeVerifier();
      const state = oauth.randomState();
      const browser = randomBytes(16).toString('base64url');
      pending.set(browser, { verifier, state });
      const authorize = oauth.buildAuthorizationUrl(config, {
        redirect_uri: `${url}/callback`,
        scope: 'read',
        state,
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      response.writeHead(302, {
        location: authorize.href,
        'set-cookie': `example=${browser}; HttpOnly; SameSite=Lax; Path=/`,
      });
      return response.end();
    }
    if (here.pathname === '/callback') {
      const browser = /(?:^|; )example=([\w-]+)/.exec(request.headers.cookie ?? '')?.[1] ?? '';
      const flow = pending.get(browser);
      pending.delete(browser);
      if (!flow) return page(response, 400, '<p>This sign-in has expired. <a href="/">Start again</a>.</p>');
      // Checks state and iss (RFC 9207), then redeems the code with the PKCE verifier.
      const tokens = await oauth.authorizationCodeGrant(config, here, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
      });
      const me = await callMe(tokens.access_token);
      const refreshed = await oauth.refreshTokenGrant(config, tokens.refresh_token as string);
      const meAgain = await callMe(refreshed.access_token);
      return page(
        response,
        200,
        `<p>Connected as <strong id="username">${escapeHtml(me.username)}</strong> (from /api/v1/me).</p>
<p>Refreshed: access token <code id="first-token">${fingerprint(tokens.access_token)}</code> was replaced by
<code id="refreshed-token">${fingerprint(refreshed.access_token)}</code>, which works too
(<span id="refreshed-username">${escapeHtml(meAgain.username)}</span>, expires in ${refreshed.expires_in} s).</p>
<p><a href="/">Back</a></p>`,
      );
    }
    return page(
      response,
      200,
      `<p><a href="/connect"><img src="${issuer.origin}/button/connect-with-appointman.svg" alt="Connect with appointman" width="275" height="48"></a></p>`,
    );
  }

  async function callMe(accessToken: string): Promise<{ username: string }> {
    const answer = await oauth.fetchProtectedResource(
      config,
      accessToken,
      new URL('/api/v1/me', issuer),
      'GET',
    );
    if (!answer.ok) throw new Error(`/api/v1/me answered ${answer.status}`);
    return (await answer.json()) as { username: string };
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: Error) => {
      // e.g. access_denied when the user pressed Deny: say so, never show a token.
      const reason = error instanceof oauth.AuthorizationResponseError ? error.error : error.message;
      page(response, 400, `<p>Not connected: ${escapeHtml(reason)}. <a href="/">Try again</a>.</p>`);
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 4000, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, server };
}

function page(response: ServerResponse, status: number, body: string) {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  response.end(
    `<!doctype html><html lang="en"><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Example app</title><main><h1>Example app</h1>${body}</main></html>`,
  );
}

/** Enough of a token to tell two apart, never the token itself. */
function fingerprint(token: string): string {
  return `sha256:${createHash('sha256').update(token).digest('hex').slice(0, 12)}`;
}

function escapeHtml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { CLIENT_ID, CLIENT_SECRET, ISSUER = 'http://127.0.0.1:3000', PORT = '4000' } = process.env;
  if (!CLIENT_ID || !CLIENT_SECRET) {
    console.error('Set CLIENT_ID and CLIENT_SECRET (see examples/connect-app/README.md).');
    process.exit(1);
  }
  const { url } = await startExample({
    issuer: ISSUER,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    port: Number(PORT),
  });
  console.log(`Example app: open ${url} (its redirect URI is ${url}/callback)`);
}
