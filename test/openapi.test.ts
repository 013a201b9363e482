import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authorizationServerMetadata } from '../src/http/routes/metadata.js';
import { createTestApp, TEST_ISSUER, type TestApp } from './helpers/app.js';
import { basicAuth, makeClient, makeUser } from './helpers/fixtures.js';
import { clientToken, postForm, userTokens } from './helpers/tokens.js';

// The OpenAPI 3.1 description (issue 5): generated from the route schemas, served as JSON and YAML,
// valid for a real OpenAPI validator, and complete: every route the server answers is in it.

interface Operation {
  tags?: string[];
  summary?: string;
  operationId?: string;
  parameters?: { in: string; name: string }[];
  responses: Record<string, { description: string }>;
}
type Document = {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, unknown> };
};

/** Every route Fastify would answer, from its own route table ("METHOD /path"), HEAD left out. */
function registeredRoutes(tree: string): string[] {
  const routes: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const at = line.indexOf('── ');
    if (at === -1) continue;
    // Each level is indented by four characters: "└── " (or "├── ") starts at 4 × depth.
    const depth = (at - 1) / 4;
    const match = /^(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line.slice(at + 3));
    if (!match) continue;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + (match[1] ?? '');
    stack[depth] = path;
    for (const method of (match[2] ?? '').split(', ').filter((m) => m && m !== 'HEAD')) {
      routes.push(`${method} ${path}`);
    }
  }
  return routes;
}

describe('OpenAPI description', () => {
  let t: TestApp;
  let doc: Document;

  beforeAll(async () => {
    t = await createTestApp();
    const response = await t.app.inject({ url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    doc = response.json();
  });
  afterAll(() => t.close());

  it('is a valid OpenAPI 3.1 document (@seriousme/openapi-schema-validator)', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: TEST_ISSUER }]);
  });

  it('is served as YAML too, the same document, also valid', async () => {
    const response = await t.app.inject({ url: '/openapi.yaml' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/yaml/);
    expect(response.body).toMatch(/^openapi: 3\.1\.0/);
    const validator = new Validator();
    const result = await validator.validate(response.body);
    expect(result.valid).toBe(true);
    expect(validator.specification).toEqual(doc);
  });

  it('describes every route the server answers, with each path parameter', () => {
    const routes = registeredRoutes(t.app.printRoutes({ commonPrefix: false }));
    expect(routes.length).toBeGreaterThan(25);
    const described = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path.replace(/\{([^}]+)\}/g, ':$1')}`),
    );
    expect(described.sort()).toEqual([...new Set(routes)].sort());
    for (const [path, methods] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      for (const operation of Object.values(methods)) {
        const declared = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect(declared.sort(), path).toEqual(names.sort());
      }
    }
  });

  it('gives every operation a tag, a summary and described responses', () => {
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const name = `${method.toUpperCase()} ${path}`;
        expect(operation.tags?.length, name).toBeGreaterThan(0);
        expect(operation.summary, name).toBeTruthy();
        for (const [status, response] of Object.entries(operation.responses)) {
          expect(response.description, `${name} ${status}`).not.toBe('Default Response');
        }
      }
    }
  });

  it('names the OAuth, API, admin, metadata, health and page endpoints', () => {
    const expected: [string, string][] = [
      ['/oauth/authorize', 'get'],
      ['/oauth/authorize', 'post'],
      ['/oauth/authorize/decision', 'post'],
      ['/oauth/token', 'post'],
      ['/oauth/revoke', 'post'],
      ['/oauth/introspect', 'post'],
      ['/api/v1/me', 'get'],
      ['/api/v1/accounts', 'get'],
      ['/admin/v1/clients', 'post'],
      ['/admin/v1/clients', 'get'],
      ['/admin/v1/clients/{client_id}', 'get'],
      ['/admin/v1/clients/{client_id}', 'patch'],
      ['/admin/v1/clients/{client_id}', 'delete'],
      ['/admin/v1/clients/{client_id}/rotate-secret', 'post'],
      ['/admin/v1/users', 'post'],
      ['/admin/v1/users', 'get'],
      ['/admin/v1/users/{username}', 'delete'],
      ['/admin/v1/users/{username}/password', 'put'],
      ['/admin/v1/accounts', 'post'],
      ['/admin/v1/accounts', 'get'],
      ['/admin/v1/accounts/{id}/members', 'post'],
      ['/.well-known/oauth-authorization-server', 'get'],
      ['/healthz', 'get'],
      ['/readyz', 'get'],
      ['/login', 'get'],
      ['/login', 'post'],
      ['/logout', 'post'],
      ['/openapi.json', 'get'],
      ['/openapi.yaml', 'get'],
    ];
    for (const [path, method] of expected)
      expect(doc.paths[path]?.[method], `${method} ${path}`).toBeDefined();
    const token = doc.paths['/oauth/token']?.post as unknown as {
      requestBody: { content: Record<string, unknown> };
    };
    expect(Object.keys(token.requestBody.content).sort()).toEqual([
      'application/json',
      'application/x-www-form-urlencoded',
    ]);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(['clientBasic', 'oauth2']);
  });
});

describe('route schemas change nothing the server answers', () => {
  let t: TestApp;
  let app: Awaited<ReturnType<typeof makeClient>>;

  beforeAll(async () => {
    t = await createTestApp();
    await makeUser(t, 'alice');
    app = await makeClient(t, {
      name: 'Salon Planner',
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    });
  });
  afterAll(() => t.close());

  it('response schemas keep every field (metadata, token, API, health)', async () => {
    const metadata = await t.app.inject({ url: '/.well-known/oauth-authorization-server' });
    expect(metadata.json()).toEqual(authorizationServerMetadata(TEST_ISSUER, Object.keys(t.config.scopes)));
    const tokens = await userTokens(t, app, { scope: 'read write' });
    expect(Object.keys(tokens).sort()).toEqual([
      'access_token',
      'expires_in',
      'refresh_token',
      'scope',
      'token_type',
    ]);
    expect(typeof tokens.expires_in).toBe('number');
    const me = await t.app.inject({
      url: '/api/v1/me',
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    expect(me.json()).toEqual({ id: expect.any(String), username: 'alice' });
    expect((await t.app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready', database: 'up' });
    expect((await t.app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
  });

  it('OAuth endpoints still answer bad input in RFC 6749 §5.2 words: repeated, non-string, missing', async () => {
    const auth = { authorization: basicAuth(app.clientId, app.secret as string) };
    const repeated = await postForm(
      t,
      '/oauth/token',
      { grant_type: ['client_credentials', 'client_credentials'] },
      auth,
    );
    expect(repeated.statusCode).toBe(400);
    expect(repeated.json()).toEqual({
      error: 'invalid_request',
      error_description: 'parameter grant_type was sent more than once',
    });
    // No type coercion: a JSON number is not quietly turned into a string.
    const numeric = await t.app.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/json' },
      payload: { grant_type: 'client_credentials', client_id: 12345, client_secret: 'x' },
    });
    expect(numeric.statusCode).toBe(400);
    expect(numeric.json()).toEqual({
      error: 'invalid_request',
      error_description: 'parameter client_id must be a string',
    });
    const missing = await postForm(t, '/oauth/token', {}, auth);
    expect(missing.json()).toEqual({ error: 'invalid_request', error_description: 'grant_type is missing' });
    // Unknown parameters are ignored (RFC 6749 §3.2).
    const unknown = await postForm(t, '/oauth/token', { grant_type: 'client_credentials', foo: 'bar' }, auth);
    expect(unknown.statusCode).toBe(200);
    const token = await clientToken(t, app, 'read');
    expect(token.scope).toBe('read');
  });

  it('pages still take repeated query parameters as before (no 400 from a schema)', async () => {
    for (const url of [
      '/login?return_to=/&return_to=/connected-apps',
      '/button/?lang=de&lang=en',
      '/button/connect-with-appointman.svg?lang=de&lang=en',
    ]) {
      expect((await t.app.inject({ url })).statusCode, url).toBe(200);
    }
  });

  it('the authorization endpoint still decides repeated parameters itself (error page or redirect)', async () => {
    const repeatedClient = await t.app.inject({
      url: `/oauth/authorize?response_type=code&client_id=${app.clientId}&client_id=${app.clientId}`,
    });
    expect(repeatedClient.statusCode).toBe(400);
    expect(repeatedClient.headers['content-type']).toMatch(/^text\/html/);
    expect(repeatedClient.headers.location).toBeUndefined();
    const repeatedState = await t.app.inject({
      url: `/oauth/authorize?response_type=code&client_id=${app.clientId}&redirect_uri=${encodeURIComponent('https://app.example.com/callback')}&state=a&state=b`,
    });
    expect(repeatedState.statusCode).toBe(302);
    const location = new URL(String(repeatedState.headers.location));
    expect(location.origin + location.pathname).toBe('https://app.example.com/callback');
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('iss')).toBe(TEST_ISSUER);
  });
});
