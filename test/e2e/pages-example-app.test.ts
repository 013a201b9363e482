import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ARTIFACTS_DIR, launchChromium } from '../helpers/chromium.js';
import { makeClient, makeUser, PASSWORD } from '../helpers/fixtures.js';
import { DESKTOP, imageLoaded, loaded, textOf } from '../helpers/pages.js';

// The example third-party app (examples/connect-app), started with the README's command against a
// listening server, driven in Chromium: the button, sign-in, Allow, then the app shows the user from
// /api/v1/me and a refreshed access token.

describe('examples/connect-app with `npm run example`', () => {
  let t: TestApp;
  let issuer: string;
  let chromium: Awaited<ReturnType<typeof launchChromium>>;
  let context: BrowserContext;
  let example: ChildProcess;
  let exampleUrl: string;

  beforeAll(async () => {
    // openid-client checks the metadata's issuer against the address it asked (RFC 8414 §3.3).
    const port = await freePort();
    issuer = `http://127.0.0.1:${port}`;
    [t, chromium] = await Promise.all([createTestApp({ ISSUER: issuer }), launchChromium()]);
    await t.app.listen({ host: '127.0.0.1', port });
    await makeUser(t, 'alice');
    const examplePort = await freePort();
    const client = await makeClient(t, {
      name: 'Example app',
      redirectUris: [`http://127.0.0.1:${examplePort}/callback`],
      scopes: ['read'],
    });
    example = spawn('npm', ['run', '--silent', 'example'], {
      env: {
        ...process.env,
        ISSUER: issuer,
        CLIENT_ID: client.clientId,
        CLIENT_SECRET: client.secret as string,
        PORT: String(examplePort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: npm, tsx and node end together.
      detached: true,
    });
    exampleUrl = await new Promise<string>((resolve, reject) => {
      let output = '';
      const collect = (chunk: Buffer) => {
        output += chunk.toString();
        const started = /Example app: open (http:\/\/\S+)/.exec(output);
        if (started) resolve(started[1] as string);
      };
      example.stdout?.on('data', collect);
      example.stderr?.on('data', collect);
      example.on('exit', (code) => reject(new Error(`the example exited with ${code}: ${output}`)));
    });
    context = await chromium.browser.newContext({ viewport: DESKTOP });
  });
  afterAll(async () => {
    if (example?.pid) process.kill(-example.pid);
    await context?.close();
    await chromium?.close();
    await t?.close();
  });

  it('shows the button, runs the code flow with PKCE, shows the user from /api/v1/me and a refreshed token', async () => {
    const page = await context.newPage();
    await page.goto(exampleUrl);
    const button = page.getByRole('link', { name: 'Connect with appointman' });
    expect(await imageLoaded(button.getByRole('img'))).toBe(true);
    await loaded(page, () => button.click());
    expect(page.url().startsWith(`${issuer}/login?`)).toBe(true);

    await page.getByLabel('Username').fill('alice');
    await page.getByLabel('Password').fill(PASSWORD);
    await loaded(page, () => page.getByRole('button', { name: 'Sign in', exact: true }).click());
    expect(await textOf(page.getByRole('heading', { level: 1 }))).toBe(
      'Example app wants to access your appointman account',
    );
    await loaded(page, () => page.getByRole('button', { name: 'Allow', exact: true }).click());

    expect(page.url().startsWith(`${exampleUrl}/callback?`)).toBe(true);
    expect(await textOf(page.locator('#username'))).toBe('alice');
    const first = await textOf(page.locator('#first-token'));
    const refreshed = await textOf(page.locator('#refreshed-token'));
    expect(first).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(refreshed).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(refreshed).not.toBe(first);
    expect(await textOf(page.locator('#refreshed-username'))).toBe('alice');
    mkdirSync(ARTIFACTS_DIR, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS_DIR, 'pages-example-app-connected.png') });
  });
});

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}
