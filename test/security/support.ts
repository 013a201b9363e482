import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import pino from 'pino';
import { expect } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { loggerOptions } from '../../src/http/logging.js';
import { openDatabase } from '../../src/storage/database.js';
import { createStorage } from '../../src/storage/index.js';
import { migrate } from '../../src/storage/migrate.js';
import { TEST_ISSUER, type TestApp } from '../helpers/app.js';
import { Browser, hiddenFields, redirectParams } from '../helpers/browser.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import {
  basicAuth,
  type makeClient,
  obtainCode,
  PASSWORD,
  pkcePair,
  tokenRequest,
} from '../helpers/fixtures.js';

// Shared steps of the security suite: flows that end in tokens, database inspection, and the
// checks every OAuth error answer must pass.

export type TestClient = Awaited<ReturnType<typeof makeClient>>;

export const REDIRECT_URI = 'https://app.example.com/callback';

/** Every table of the schema. */
const TABLES = {
  user: 'User',
  account: 'Account',
  accountMember: 'AccountMember',
  client: 'Client',
  clientAccount: 'ClientAccount',
  grant: 'Grant',
  authorizationCode: 'AuthorizationCode',
  accessToken: 'AccessToken',
  refreshToken: 'RefreshToken',
  consent: 'Consent',
  session: 'Session',
  throttle: 'Throttle',
} as const;

export type RowCounts = Record<keyof typeof TABLES, number>;

const COUNT_ALL = `SELECT ${Object.entries(TABLES)
  .map(([key, table]) => `(SELECT count(*) FROM "${table}") AS "${key}"`)
  .join(', ')}`;

/** Row counts of every table, in one query: a hostile request must leave them as they were. */
export async function rowCounts(t: TestApp): Promise<RowCounts> {
  const [row] = await t.storage.database.prisma.$queryRawUnsafe<Record<string, bigint | number>[]>(COUNT_ALL);
  return Object.fromEntries(Object.keys(TABLES).map((key) => [key, Number(row?.[key])])) as RowCounts;
}

/** The names of the application's tables (migration bookkeeping left out). */
export async function tableNames(t: TestApp): Promise<string[]> {
  const prisma = t.storage.database.prisma;
  const rows =
    t.config.databaseKind === 'sqlite'
      ? await prisma.$queryRawUnsafe<{ name: string }[]>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
      : await prisma.$queryRawUnsafe<{ name: string }[]>(
          "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public'",
        );
  return rows.map((row) => row.name).filter((name) => name !== '_prisma_migrations');
}

/** Every text value in every column of every table, as `table.column=value`. */
export async function allStoredText(t: TestApp): Promise<string[]> {
  const values: string[] = [];
  for (const table of await tableNames(t)) {
    const rows = await t.storage.database.prisma.$queryRawUnsafe<Record<string, unknown>[]>(
      `SELECT * FROM "${table}"`,
    );
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        if (typeof value === 'string') values.push(`${table}.${column}=${value}`);
      }
    }
  }
  return values;
}

/** Raw rows of one table (for checks on what is stored). */
export function rows<T = Record<string, unknown>>(t: TestApp, table: string): Promise<T[]> {
  return t.storage.database.prisma.$queryRawUnsafe<T[]>(`SELECT * FROM "${table}"`);
}

/** A browser signed in through the real form. */
export async function signedIn(t: TestApp, username = 'alice', remoteAddress?: string): Promise<Browser> {
  const browser = new Browser(t.app, remoteAddress);
  const form = await browser.get('/login');
  const response = await browser.post('/login', {
    csrf_token: hiddenFields(form.body).csrf_token ?? '',
    return_to: '/',
    username,
    password: PASSWORD,
  });
  if (response.statusCode !== 303) throw new Error(`sign-in failed: ${response.statusCode}`);
  return browser;
}

/** The whole code flow for a confidential client: code, exchange with PKCE; returns everything used. */
export async function codeFlowTokens(
  t: TestApp,
  client: TestClient,
  options: { scope?: string; browser?: Browser; username?: string } = {},
) {
  const { verifier, challenge } = pkcePair();
  const { code, browser, location } = await obtainCode(
    t,
    {
      client_id: client.clientId,
      redirect_uri: REDIRECT_URI,
      scope: options.scope ?? 'read write',
      state: 'state-1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    },
    { browser: options.browser, username: options.username },
  );
  const response = await exchangeCode(t, client, code, verifier);
  expect(response.statusCode, response.body).toBe(200);
  const tokens = response.json() as { access_token: string; refresh_token: string; scope: string };
  return { code, verifier, browser, location, tokens };
}

export function exchangeCode(t: TestApp, client: TestClient, code: string, verifier?: string) {
  return tokenRequest(
    t,
    {
      grant_type: 'authorization_code',
      code,
      redirect_uri: REDIRECT_URI,
      ...(verifier ? { code_verifier: verifier } : {}),
    },
    { authorization: basicAuth(client.clientId, client.secret as string) },
  );
}

export function refresh(t: TestApp, client: TestClient, refreshToken: string, scope?: string) {
  return tokenRequest(
    t,
    { grant_type: 'refresh_token', refresh_token: refreshToken, ...(scope ? { scope } : {}) },
    { authorization: basicAuth(client.clientId, client.secret as string) },
  );
}

export function clientCredentials(t: TestApp, client: TestClient, scope?: string) {
  return tokenRequest(
    t,
    { grant_type: 'client_credentials', ...(scope ? { scope } : {}) },
    { authorization: basicAuth(client.clientId, client.secret as string) },
  );
}

/** POST /oauth/introspect on `t`, authenticated as `client` with HTTP Basic. */
export function introspectAs(t: TestApp, client: TestClient, token: string) {
  return t.app.inject({
    method: 'POST',
    url: '/oauth/introspect',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: basicAuth(client.clientId, client.secret as string),
    },
    payload: new URLSearchParams({ token }).toString(),
  });
}

/** GET /api/v1/me with a bearer token: 200 when the token is alive. */
export async function apiStatus(t: TestApp, accessToken: string, path = '/api/v1/me'): Promise<number> {
  const response = await t.app.inject({ url: path, headers: { authorization: `Bearer ${accessToken}` } });
  return response.statusCode;
}

/** RFC 6749 §5.2: a JSON error with a known code, a description of ours, never cached. */
export function expectOAuthError(response: LightMyRequestResponse, error: string, status?: number) {
  expect(response.headers['content-type'], response.body).toMatch(/^application\/json/);
  expect(response.headers['cache-control']).toBe('no-store');
  const body = response.json() as Record<string, unknown>;
  expect(body.error, response.body).toBe(error);
  expect(typeof body.error_description).toBe('string');
  if (status !== undefined) expect(response.statusCode, response.body).toBe(status);
  else expect(response.statusCode).toBeGreaterThanOrEqual(400);
}

/** The query or fragment parameters of a redirect response. */
export function locationParams(response: LightMyRequestResponse): URLSearchParams {
  return redirectParams(String(response.headers.location));
}

/** The consent page for a signed-in browser (GET /oauth/authorize answering 200). */
export async function consentPage(browser: Browser, params: Record<string, string>) {
  const page = await browser.get(`/oauth/authorize?${new URLSearchParams(params)}`);
  expect(page.statusCode, page.body.slice(0, 300)).toBe(200);
  return { page, fields: hiddenFields(page.body) };
}

/** Two instances of the app on one new database, as behind a load balancer, and their teardown. */
export interface TwoInstances {
  database: TestDatabase;
  a: TestApp;
  b: TestApp;
  close(): Promise<void>;
}

export async function twoInstances(): Promise<TwoInstances> {
  const database = await createTestDatabase();
  const apps: TestApp[] = [];
  const close = async () => {
    for (const app of apps) await app.close();
    await database.drop();
  };
  try {
    apps.push(await appOn(database.url));
    apps.push(await appOn(database.url));
  } catch (error) {
    await close();
    throw error;
  }
  const [a, b] = apps as [TestApp, TestApp];
  return { database, a, b, close };
}

/** The app on an existing database (several instances on one database, or through a proxy). */
export async function appOn(databaseUrl: string, env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    SESSION_SECRET: 'test-session-secret-that-is-long-enough-0123456789',
    ISSUER: TEST_ISSUER,
    LOG_LEVEL: 'info',
    ...env,
  });
  await migrate(config.databaseKind, config.databaseUrl);
  const database = await openDatabase(config.databaseKind, config.databaseUrl);
  const storage = createStorage(database);
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const app = await buildApp({
    config,
    storage,
    loggerInstance: pino(loggerOptions({ level: config.logLevel }), sink),
  });
  await app.ready();
  return {
    app,
    storage,
    config,
    database: { kind: config.databaseKind, url: databaseUrl, drop: async () => {} },
    logs,
    close: async () => {
      await app.close();
      await database.close();
    },
  };
}
