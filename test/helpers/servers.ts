import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestApp, type TestApp } from './app.js';

/**
 * The app listening on a loopback port, with an issuer that names that port: real clients find
 * the endpoints from the metadata and check the issuer (RFC 8414 §3.3), so it has to be true.
 */
export async function startListeningApp(
  env: Record<string, string> = {},
): Promise<TestApp & { issuer: string }> {
  // The issuer is fixed when the app is built, so the port is chosen first.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const issuer = `http://127.0.0.1:${port}`;
    const t = await createTestApp({ ISSUER: issuer, ...env });
    try {
      await t.app.listen({ port, host: '127.0.0.1' });
      return { ...t, issuer };
    } catch (error) {
      await t.close();
      if (attempt >= 3) throw error;
    }
  }
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * A tiny third-party app on another loopback port: its /callback page shows a plain page and
 * records every URL it was asked for (a fragment never reaches a server: read it from the browser).
 */
export async function startCallbackApp(): Promise<{
  origin: string;
  redirectUri: string;
  requests: string[];
  close(): Promise<void>;
}> {
  const requests: string[] = [];
  const server: Server = createServer((request, response) => {
    requests.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    response.end('<!doctype html><title>Third-party app</title><h1>Back in the app</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    redirectUri: `${origin}/callback`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
