import Database from 'better-sqlite3';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sqlitePath } from '../../src/storage/migrate.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { Browser, hiddenFields } from '../helpers/browser.js';
import { createTestDatabase, TEST_DATABASE, type TestDatabase } from '../helpers/database.js';
import { basicAuth, makeClient, makeUser } from '../helpers/fixtures.js';
import { appOn, clientCredentials, codeFlowTokens, type TestClient } from './support.js';
import { CuttableProxy } from './tcp-proxy.js';

// Checklist O3: when the database is gone, endpoints answer 503 with Cache-Control: no-store
// within seconds (never 200 on revocation, never a hang), /readyz says so, and everything recovers
// when the database returns, without restarting the app.
//
// PostgreSQL: a TCP proxy between the app and the server is cut (every connection dropped, new ones
// refused) and restored, under load. SQLite has no connection to lose: its honest equivalent is
// another process holding the database's write lock (a backup, a stuck maintenance transaction):
// every write waits out the busy timeout and fails with SQLITE_BUSY, while reads go on.

const SECONDS = 1000;

interface Probe {
  name: string;
  response: LightMyRequestResponse;
  ms: number;
}

async function timed(name: string, run: () => Promise<LightMyRequestResponse>): Promise<Probe> {
  const start = performance.now();
  const response = await run();
  return { name, response, ms: performance.now() - start };
}

/** Requests in a loop from several workers until stopped: the load the outage happens under. */
function startLoad(t: TestApp, client: TestClient, accessToken: string, workers = 6) {
  const results: { status: number; ms: number; at: number }[] = [];
  let running = true;
  const loops = Array.from({ length: workers }, async (_, worker) => {
    while (running) {
      const start = performance.now();
      const response =
        worker % 2 === 0
          ? await clientCredentials(t, client, 'read')
          : await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${accessToken}` } });
      results.push({ status: response.statusCode, ms: performance.now() - start, at: Date.now() });
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  return {
    results,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return results;
    },
  };
}

function revoke(t: TestApp, client: TestClient, token: string) {
  return t.app.inject({
    method: 'POST',
    url: '/oauth/revoke',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basicAuth(client.clientId, client.secret as string),
    },
    payload: new URLSearchParams({ token }).toString(),
  });
}

function expectUnavailable(probe: Probe, limitMs: number) {
  const context = `${probe.name}: ${probe.response.statusCode} after ${Math.round(probe.ms)} ms ${probe.response.body.slice(0, 200)}`;
  expect(probe.response.statusCode, context).toBe(503);
  expect(probe.response.headers['cache-control'], context).toBe('no-store');
  expect(probe.ms, context).toBeLessThan(limitMs);
  if (String(probe.response.headers['content-type']).startsWith('application/json')) {
    const body = probe.response.json();
    expect(['temporarily_unavailable', 'unavailable'], context).toContain(body.error ?? body.status);
  }
}

async function waitUntilReady(t: TestApp, withinMs: number): Promise<number> {
  const start = performance.now();
  while (performance.now() - start < withinMs) {
    if ((await t.app.inject({ url: '/readyz' })).statusCode === 200) return performance.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`not ready again within ${withinMs} ms`);
}

describe.skipIf(TEST_DATABASE !== 'postgresql')('O3 PostgreSQL goes away under load and comes back', () => {
  let database: TestDatabase;
  let proxy: CuttableProxy;
  let t: TestApp;
  let client: TestClient;
  let userToken: string;
  let loadToken: string;

  beforeAll(async () => {
    database = await createTestDatabase('postgresql');
    const target = new URL(database.url);
    proxy = new CuttableProxy(target.hostname, Number(target.port || 5432));
    const proxied = new URL(database.url);
    proxied.port = String(await proxy.listen());
    t = await appOn(proxied.toString());
    await makeUser(t, 'alice');
    client = await makeClient(t, {
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    });
    userToken = (await codeFlowTokens(t, client)).tokens.access_token;
    loadToken = (await codeFlowTokens(t, client)).tokens.access_token;
  });
  afterAll(async () => {
    proxy.restore();
    await t?.close();
    await proxy?.close();
    await database?.drop();
  });

  it('O3 cut: 503 with no-store within seconds (revocation never 200), /readyz 503; all back without a restart', async () => {
    const load = startLoad(t, client, loadToken);
    await new Promise((resolve) => setTimeout(resolve, 1 * SECONDS));
    const cutAt = Date.now();
    proxy.cut();

    const probes = await Promise.all([
      timed('token', () => clientCredentials(t, client, 'read')),
      timed('revoke', () => revoke(t, client, userToken)),
      timed('me', () =>
        t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${userToken}` } }),
      ),
      timed('readyz', () => t.app.inject({ url: '/readyz' })),
      timed('authorize page', () =>
        t.app.inject({ url: `/oauth/authorize?client_id=${client.clientId}&response_type=code` }),
      ),
    ]);
    for (const probe of probes) expectUnavailable(probe, 5 * SECONDS);
    // Still down a while later (the pool does not pretend otherwise), and still answering fast.
    await new Promise((resolve) => setTimeout(resolve, 1.5 * SECONDS));
    expectUnavailable(await timed('revoke again', () => revoke(t, client, userToken)), 5 * SECONDS);

    const restoredAt = Date.now();
    proxy.restore();
    const recovery = await waitUntilReady(t, 10 * SECONDS);
    expect(recovery).toBeLessThan(10 * SECONDS);
    expect((await clientCredentials(t, client, 'read')).statusCode).toBe(200);
    // The failed revocations changed nothing; the real one works now.
    expect(
      (await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${userToken}` } }))
        .statusCode,
    ).toBe(200);
    expect((await revoke(t, client, userToken)).statusCode).toBe(200);
    expect(
      (await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${userToken}` } }))
        .statusCode,
    ).toBe(401);

    await new Promise((resolve) => setTimeout(resolve, 0.5 * SECONDS));
    const results = await load.stop();
    const during = results.filter((r) => r.at > cutAt + 200 && r.at < restoredAt);
    const after = results.filter((r) => r.at > restoredAt + recovery + 200);
    // Under load: only successes or 503, never a 500 and never a hang.
    expect(results.filter((r) => r.status !== 200 && r.status !== 503)).toEqual([]);
    expect(Math.max(...results.map((r) => r.ms))).toBeLessThan(6 * SECONDS);
    expect(during.length).toBeGreaterThan(0);
    expect(during.every((r) => r.status === 503)).toBe(true);
    expect(after.length).toBeGreaterThan(0);
    expect(after.every((r) => r.status === 200)).toBe(true);
  }, 60_000);

  it('O3 a dead network (packets dropped, nothing refused): 503 within the connection and query timeouts, then recovery', async () => {
    proxy.blackhole();
    const probes = await Promise.all([
      timed('token', () => clientCredentials(t, client, 'read')),
      timed('revoke', () => revoke(t, client, userToken)),
      timed('readyz', () => t.app.inject({ url: '/readyz' })),
    ]);
    // Bounded by src/storage/database.ts: 5 s to connect, 10 s per query, then the readiness check.
    for (const probe of probes) expectUnavailable(probe, 15 * SECONDS);
    proxy.restore();
    await waitUntilReady(t, 15 * SECONDS);
    expect((await clientCredentials(t, client, 'read')).statusCode).toBe(200);
  }, 90_000);
});

describe.skipIf(TEST_DATABASE !== 'sqlite')(
  'O3 SQLite: another process holds the write lock, then lets go',
  () => {
    let t: TestApp;
    let client: TestClient;
    let userToken: string;

    beforeAll(async () => {
      t = await createTestApp();
      await makeUser(t, 'alice');
      client = await makeClient(t, {
        grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      });
      userToken = (await codeFlowTokens(t, client)).tokens.access_token;
    });
    afterAll(() => t.close());

    it('O3 writes answer 503 with no-store after the busy timeout (revocation never 200); reads go on; recovery without a restart', async () => {
      const loadToken = (await codeFlowTokens(t, client)).tokens.access_token;
      const load = startLoad(t, client, loadToken);
      await new Promise((resolve) => setTimeout(resolve, 0.5 * SECONDS));
      const other = new Database(sqlitePath(t.config.databaseUrl));
      other.exec('BEGIN IMMEDIATE');
      const lockedAt = Date.now();
      try {
        const probes = await Promise.all([
          timed('token', () => clientCredentials(t, client, 'read')),
          timed('revoke', () => revoke(t, client, userToken)),
        ]);
        // Writes retry a lock for 5 s (src/storage/sql.ts), without blocking; then the answer is 503.
        for (const probe of probes) expectUnavailable(probe, 9 * SECONDS);
        const readyz = await t.app.inject({ url: '/readyz' });
        expect(readyz.statusCode).toBe(503);
        // Reading still works: a valid token is still accepted.
        const me = await t.app.inject({
          url: '/api/v1/me',
          headers: { authorization: `Bearer ${userToken}` },
        });
        expect(me.statusCode).toBe(200);
        // Let the load run into the lock for a while.
        await new Promise((resolve) => setTimeout(resolve, 2 * SECONDS));
      } finally {
        other.exec('ROLLBACK');
        other.close();
      }
      const releasedAt = Date.now();
      await waitUntilReady(t, 5 * SECONDS);
      await new Promise((resolve) => setTimeout(resolve, 0.5 * SECONDS));
      const results = await load.stop();
      // Under load: successes (reads, and writes before or after the lock) or 503, never a 500 and
      // never a queue of writes each waiting out the busy timeout in turn.
      expect(results.filter((r) => r.status !== 200 && r.status !== 503)).toEqual([]);
      expect(Math.max(...results.map((r) => r.ms))).toBeLessThan(9 * SECONDS);
      expect(results.some((r) => r.status === 503 && r.at > lockedAt)).toBe(true);
      expect(results.filter((r) => r.at > releasedAt + 1 * SECONDS).every((r) => r.status === 200)).toBe(
        true,
      );
      expect((await clientCredentials(t, client, 'read')).statusCode).toBe(200);
      expect((await revoke(t, client, userToken)).statusCode).toBe(200);
      expect(
        (await t.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${userToken}` } }))
          .statusCode,
      ).toBe(401);
    }, 60_000);

    it('O3 a lock held elsewhere never freezes the server: the event loop keeps turning while writes wait', async () => {
      const browser = new Browser(t.app, '10.40.0.1');
      const form = await browser.get('/login');
      const other = new Database(sqlitePath(t.config.databaseUrl));
      other.exec('BEGIN IMMEDIATE');
      let longestGap = 0;
      let last = performance.now();
      const ticker = setInterval(() => {
        const now = performance.now();
        longestGap = Math.max(longestGap, now - last);
        last = now;
      }, 10);
      try {
        // A failed sign-in records the failure (a write); a token request stores a token (a write).
        const answers = await Promise.all([
          browser.post('/login', {
            csrf_token: hiddenFields(form.body).csrf_token as string,
            username: 'alice',
            password: 'wrong',
            return_to: '/',
          }),
          clientCredentials(t, client, 'read'),
          t.app.inject({ url: '/readyz' }),
        ]);
        for (const answer of answers) expect(answer.statusCode).toBe(503);
      } finally {
        clearInterval(ticker);
        other.exec('ROLLBACK');
        other.close();
      }
      expect(longestGap).toBeLessThan(1 * SECONDS);
    }, 60_000);
  },
);
