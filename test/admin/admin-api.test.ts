import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/admin/clients.js';
import { hashSecret, randomSecret } from '../../src/security/secrets.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { Browser } from '../helpers/browser.js';
import { basicAuth, makeClient, makeUser, signIn, tokenRequest } from '../helpers/fixtures.js';
import { clientToken, postForm } from '../helpers/tokens.js';

// The admin API (/admin/v1): the command line's operations over HTTP, for a token with the admin scope.

describe('admin API', () => {
  let t: TestApp;
  let adminClient: Awaited<ReturnType<typeof makeClient>>;
  let token: string;

  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
    url: string,
    payload?: unknown,
    bearer = token,
  ) =>
    t.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${bearer}` },
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });

  beforeAll(async () => {
    t = await createTestApp();
    // As `cli clients create --admin --grant-types client_credentials --scopes admin` would.
    const created = await createClient(
      { storage: t.storage, scopes: t.config.scopes },
      { name: 'Operator', admin: true, grantTypes: ['client_credentials'], scopes: ['admin'] },
    );
    adminClient = { clientId: created.client.client_id, secret: created.secret, client: created.client };
    token = (await clientToken(t, adminClient, 'admin')).access_token;
  });
  afterAll(() => t.close());

  describe('authorization: a Bearer token with the admin scope', () => {
    it('no token: 401 with a Bearer challenge, error and message', async () => {
      const response = await t.app.inject({ url: '/admin/v1/clients' });
      expect(response.statusCode).toBe(401);
      expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="appointman"/);
      expect(response.json()).toEqual({ error: 'invalid_request', message: expect.any(String) });
    });

    it('an unknown or revoked token: 401 invalid_token', async () => {
      expect((await call('GET', '/admin/v1/clients', undefined, 'not-a-token')).json().error).toBe(
        'invalid_token',
      );
      const revoked = (await clientToken(t, adminClient, 'admin')).access_token;
      await postForm(
        t,
        '/oauth/revoke',
        { token: revoked },
        {
          authorization: basicAuth(adminClient.clientId, adminClient.secret as string),
        },
      );
      const response = await call('GET', '/admin/v1/clients', undefined, revoked);
      expect(response.statusCode).toBe(401);
      expect(response.json()).toEqual({ error: 'invalid_token', message: expect.any(String) });
    });

    it('a token without the admin scope: 403 insufficient_scope, before the body is looked at', async () => {
      const service = await makeClient(t, {
        name: 'Reader',
        grantTypes: ['client_credentials'],
        redirectUris: [],
      });
      const reader = (await clientToken(t, service, 'read')).access_token;
      const response = await call('POST', '/admin/v1/clients', { bogus: true }, reader);
      expect(response.statusCode).toBe(403);
      expect(response.headers['www-authenticate']).toMatch(/insufficient_scope/);
      expect(response.json()).toEqual({ error: 'insufficient_scope', message: expect.any(String) });
    });

    it('the admin scope is only issued to admin clients: others asking for it get invalid_scope', async () => {
      const service = await makeClient(t, {
        name: 'Not Admin',
        grantTypes: ['client_credentials'],
        redirectUris: [],
      });
      const response = await tokenRequest(
        t,
        { grant_type: 'client_credentials', scope: 'admin' },
        { authorization: basicAuth(service.clientId, service.secret as string) },
      );
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toBe('invalid_scope');
      // Nor can a non-admin client be registered with the admin scope, here or on the command line.
      const refused = await call('POST', '/admin/v1/clients', {
        name: 'Sneaky',
        scopes: ['admin'],
        grant_types: ['client_credentials'],
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.json().error).toBe('invalid_input');
      const patched = await call('PATCH', `/admin/v1/clients/${service.clientId}`, {
        scopes: ['read', 'admin'],
      });
      expect(patched.statusCode).toBe(400);
      expect(patched.json().error).toBe('invalid_input');
    });
  });

  describe('clients', () => {
    it('create (secret shown once), list, show, update, rotate, delete', async () => {
      const created = await call('POST', '/admin/v1/clients', {
        name: 'Salon Planner',
        description: 'Plans salons',
        redirect_uris: ['https://planner.example.com/cb'],
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        scopes: ['read'],
      });
      expect(created.statusCode).toBe(201);
      expect(created.headers['cache-control']).toBe('no-store');
      const body = created.json();
      expect(body).toEqual({
        client_id: expect.any(String),
        client_secret: expect.any(String),
        name: 'Salon Planner',
        description: 'Plans salons',
        redirect_uris: ['https://planner.example.com/cb'],
        grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
        scopes: ['read'],
        public: false,
        admin: false,
        owner: null,
        accounts: 'all',
        created_at: expect.any(String),
      });
      const { client_id: clientId, client_secret: secret } = body;
      const tokenWith = (s: string) =>
        tokenRequest(t, { grant_type: 'client_credentials' }, { authorization: basicAuth(clientId, s) });
      expect((await tokenWith(secret)).statusCode).toBe(200);

      const list = await call('GET', '/admin/v1/clients');
      expect(list.statusCode).toBe(200);
      const listed = list.json().clients.find((c: { client_id: string }) => c.client_id === clientId);
      expect(listed).toMatchObject({ name: 'Salon Planner', scopes: ['read'] });
      expect(list.body).not.toContain(secret);
      expect(list.body).not.toMatch(/secret/i);

      const shown = await call('GET', `/admin/v1/clients/${clientId}`);
      expect(shown.statusCode).toBe(200);
      expect(shown.json()).toEqual({ ...body, client_secret: undefined });
      expect(shown.body).not.toMatch(/secret/i);

      const account = (await call('POST', '/admin/v1/accounts', { name: 'Salon Paris' })).json();
      const patched = await call('PATCH', `/admin/v1/clients/${clientId}`, {
        name: 'Salon Planner 2',
        description: 'Plans more',
        redirect_uris: ['https://planner.example.com/cb2', 'http://127.0.0.1/cb'],
        scopes: ['read', 'write'],
        grant_types: ['authorization_code', 'client_credentials'],
        accounts: [account.id],
      });
      expect(patched.statusCode).toBe(200);
      expect(patched.json()).toMatchObject({
        client_id: clientId,
        name: 'Salon Planner 2',
        description: 'Plans more',
        redirect_uris: ['https://planner.example.com/cb2', 'http://127.0.0.1/cb'],
        scopes: ['read', 'write'],
        grant_types: ['authorization_code', 'client_credentials'],
        accounts: [account.id],
      });
      expect(patched.body).not.toMatch(/secret/i);
      const back = await call('PATCH', `/admin/v1/clients/${clientId}`, { accounts: 'all' });
      expect(back.json().accounts).toBe('all');

      // As generated API clients do: Content-Type: application/json on a request without a body.
      const rotated = await t.app.inject({
        method: 'POST',
        url: `/admin/v1/clients/${clientId}/rotate-secret`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
      expect(rotated.statusCode).toBe(200);
      const newSecret = rotated.json().client_secret;
      expect(newSecret).not.toBe(secret);
      expect(rotated.json().client_id).toBe(clientId);
      expect((await tokenWith(secret)).statusCode).toBe(401);
      expect((await tokenWith(newSecret)).statusCode).toBe(200);

      const deleted = await t.app.inject({
        method: 'DELETE',
        url: `/admin/v1/clients/${clientId}`,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      });
      expect(deleted.statusCode).toBe(204);
      expect(deleted.body).toBe('');
      const gone = await call('GET', `/admin/v1/clients/${clientId}`);
      expect(gone.statusCode).toBe(404);
      expect(gone.json()).toEqual({ error: 'not_found', message: `no client with id "${clientId}"` });
      expect((await tokenWith(newSecret)).statusCode).toBe(401);
    });

    it('a public client gets no secret, and has none to rotate', async () => {
      const created = await call('POST', '/admin/v1/clients', {
        name: 'Phone App',
        public: true,
        redirect_uris: ['com.example.app:/cb'],
      });
      expect(created.statusCode).toBe(201);
      expect(created.json().client_secret).toBeUndefined();
      expect(created.json().public).toBe(true);
      const rotate = await call('POST', `/admin/v1/clients/${created.json().client_id}/rotate-secret`);
      expect(rotate.statusCode).toBe(400);
      expect(rotate.json().error).toBe('invalid_input');
    });

    it('refusals carry the command line’s stable codes and a sentence', async () => {
      const cases: [unknown, number, string][] = [
        [{ name: 'X', redirect_uris: ['http://evil.example.com/cb'] }, 400, 'invalid_redirect_uri'],
        [{ name: 'X', redirect_uris: ['https://a.example.com/cb#frag'] }, 400, 'invalid_redirect_uri'],
        [{ name: 'X', grant_types: ['client_credentials'], scopes: ['nope'] }, 400, 'unknown_scope'],
        [{ name: 'X', grant_types: ['password'] }, 400, 'unknown_grant_type'],
        [{ name: 'X', grant_types: ['client_credentials'], owner: 'nobody' }, 400, 'unknown_user'],
        [{ name: 'X', grant_types: ['client_credentials'], accounts: ['no-such'] }, 400, 'unknown_account'],
        [
          {
            name: 'X',
            public: true,
            admin: true,
            grant_types: ['authorization_code'],
            redirect_uris: ['https://a.example.com/cb'],
          },
          400,
          'invalid_input',
        ],
        [{ name: '   ', grant_types: ['client_credentials'] }, 400, 'invalid_input'],
        [{ grant_types: ['client_credentials'] }, 400, 'invalid_input'],
        [{ name: 'X', redirect_uri: 'https://a.example.com/cb' }, 400, 'invalid_input'],
        [{ name: 42 }, 400, 'invalid_input'],
        [{ name: 'X', redirect_uris: 'https://a.example.com/cb' }, 400, 'invalid_input'],
        [{ name: 'X', accounts: 'some' }, 400, 'invalid_input'],
      ];
      for (const [payload, status, code] of cases) {
        const response = await call('POST', '/admin/v1/clients', payload);
        expect(response.statusCode, JSON.stringify(payload)).toBe(status);
        const body = response.json();
        expect(body).toEqual({ error: code, message: expect.any(String) });
        expect(body.message.length).toBeGreaterThan(5);
      }
      const unknownProperty = await call('POST', '/admin/v1/clients', {
        name: 'X',
        redirect_uri: 'https://a/cb',
      });
      expect(unknownProperty.json().message).toBe('body has an unknown property "redirect_uri"');
      const notJson = await t.app.inject({
        method: 'POST',
        url: '/admin/v1/clients',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        payload: '{"name": ',
      });
      expect(notJson.statusCode).toBe(400);
      expect(notJson.json().error).toBe('invalid_input');
      const unknown = await call('PATCH', '/admin/v1/clients/no-such-client', { name: 'Y' });
      expect(unknown.statusCode).toBe(404);
      expect(unknown.json().error).toBe('not_found');
      expect((await call('DELETE', '/admin/v1/clients/no-such-client')).statusCode).toBe(404);
      expect((await call('POST', '/admin/v1/clients/no-such-client/rotate-secret')).statusCode).toBe(404);
    });
  });

  describe('users and accounts', () => {
    it('create, list, set a password (sign-in follows it), delete', async () => {
      const created = await call('POST', '/admin/v1/users', {
        username: 'bob',
        email: 'bob@example.com',
        password: 'first password',
      });
      expect(created.statusCode).toBe(201);
      expect(created.json()).toEqual({
        id: expect.any(String),
        username: 'bob',
        email: 'bob@example.com',
        created_at: expect.any(String),
      });
      expect(created.body).not.toContain('first password');
      const duplicate = await call('POST', '/admin/v1/users', { username: 'bob', password: 'x' });
      expect(duplicate.statusCode).toBe(409);
      expect(duplicate.json().error).toBe('duplicate_username');
      const invalid = await call('POST', '/admin/v1/users', { username: 'no spaces', password: 'x' });
      expect(invalid.json().error).toBe('invalid_input');
      const noPassword = await call('POST', '/admin/v1/users', { username: 'carol' });
      expect(noPassword.json().error).toBe('invalid_input');

      const list = await call('GET', '/admin/v1/users');
      expect(list.json().users.map((u: { username: string }) => u.username)).toContain('bob');
      expect(list.body).not.toMatch(/password/i);

      const changed = await call('PUT', '/admin/v1/users/bob/password', { password: 'second password' });
      expect(changed.statusCode).toBe(204);
      expect((await signIn(new Browser(t.app), 'bob', 'first password')).statusCode).toBe(401);
      expect((await signIn(new Browser(t.app), 'bob', 'second password')).statusCode).toBe(303);
      expect((await call('PUT', '/admin/v1/users/nobody/password', { password: 'x' })).statusCode).toBe(404);
      expect((await call('PUT', '/admin/v1/users/bob/password', { password: '' })).json().error).toBe(
        'invalid_input',
      );

      expect((await call('DELETE', '/admin/v1/users/bob')).statusCode).toBe(204);
      const again = await call('DELETE', '/admin/v1/users/bob');
      expect(again.statusCode).toBe(404);
      expect(again.json()).toEqual({ error: 'not_found', message: 'no user named "bob"' });
    });

    it('create accounts, list them, add members (the API then shows them to the member’s tokens)', async () => {
      await makeUser(t, 'dana');
      const account = await call('POST', '/admin/v1/accounts', { name: 'Spa Lyon' });
      expect(account.statusCode).toBe(201);
      expect(account.json()).toEqual({
        id: expect.any(String),
        name: 'Spa Lyon',
        created_at: expect.any(String),
      });
      const id = account.json().id;
      const list = await call('GET', '/admin/v1/accounts');
      expect(list.json().accounts).toContainEqual(account.json());
      const added = await call('POST', `/admin/v1/accounts/${id}/members`, { username: 'dana' });
      expect(added.statusCode).toBe(204);
      expect((await call('POST', `/admin/v1/accounts/${id}/members`, { username: 'dana' })).statusCode).toBe(
        204,
      );
      const members = await t.storage.accounts.ofUser(
        (await t.storage.users.findByUsername('dana'))?.id ?? '',
      );
      expect(members.map((a) => a.id)).toEqual([id]);
      const noUser = await call('POST', `/admin/v1/accounts/${id}/members`, { username: 'nobody' });
      expect(noUser.statusCode).toBe(400);
      expect(noUser.json().error).toBe('unknown_user');
      const noAccount = await call('POST', '/admin/v1/accounts/no-such/members', { username: 'dana' });
      expect(noAccount.statusCode).toBe(404);
      expect((await call('POST', '/admin/v1/accounts', { name: '' })).json().error).toBe('invalid_input');
    });
  });

  it('an unknown admin path or method: 404 not_found in the admin shape, after the token check', async () => {
    for (const [method, url] of [
      ['GET', '/admin/v1/nothing'],
      ['POST', '/admin/v1/users/bob/password'],
    ] as const) {
      const response = await call(method, url, { password: 'x' });
      expect(response.statusCode).toBe(404);
      expect(response.json()).toEqual({ error: 'not_found', message: expect.any(String) });
      const anonymous = await t.app.inject({ method, url });
      expect(anonymous.statusCode).toBe(401);
    }
    const badBody = await t.app.inject({
      method: 'POST',
      url: '/admin/v1/nothing',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      payload: Buffer.from([0x86, 0x45, 0x94]),
    });
    expect(badBody.statusCode).toBeLessThan(500);
    expect(badBody.json()).toEqual({ error: expect.any(String), message: expect.any(String) });
  });

  it('O3 the database down: 503 temporarily_unavailable, in the admin error shape', async () => {
    const { clients, database } = t.storage;
    const list = clients.list;
    const ping = database.ping;
    try {
      clients.list = async () => {
        throw new Error('connection lost');
      };
      database.ping = async () => {
        throw new Error('down');
      };
      const response = await call('GET', '/admin/v1/clients');
      expect(response.statusCode).toBe(503);
      expect(response.json()).toEqual({ error: 'temporarily_unavailable', message: expect.any(String) });
      expect(response.body).not.toContain('connection lost');
    } finally {
      clients.list = list;
      database.ping = ping;
    }
  });

  it('O1 O2 passwords and secrets never reach the logs', async () => {
    const created = (
      await call('POST', '/admin/v1/clients', { name: 'Logged', grant_types: ['client_credentials'] })
    ).json();
    await call('POST', '/admin/v1/users', { username: 'erin', password: 'erin secret words' });
    const logs = t.logs.join('');
    expect(logs).not.toContain(created.client_secret);
    expect(logs).not.toContain('erin secret words');
    expect(logs).not.toContain(token);
  });
});

interface Schema {
  required: string[];
}

interface Operation {
  operationId?: string;
  security: unknown;
  requestBody: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content: Record<string, { schema: Schema }> }>;
}

describe('admin API driven from its OpenAPI description alone, over real HTTP', () => {
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    t = await createTestApp();
    base = await t.app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => t.close());

  it('finds the token URL and the client-create operation in /openapi.json, and creates a client', async () => {
    const operator = await createClient(
      { storage: t.storage, scopes: t.config.scopes },
      { name: 'Operator', admin: true, grantTypes: ['client_credentials'], scopes: ['admin'] },
    );
    const doc = (await (await fetch(`${base}/openapi.json`)).json()) as {
      servers: { url: string }[];
      paths: unknown;
      components: { securitySchemes: { oauth2: { flows: { clientCredentials: { tokenUrl: string } } } } };
    };
    const server = new URL(doc.servers[0]?.url ?? 'missing');
    const at = (url: string) => {
      const target = new URL(url, server);
      return `${base}${target.pathname}`;
    };

    // The operation: POST, tagged Admin, that creates a client.
    const paths = doc.paths as Record<string, Record<string, Operation>>;
    const [path, item] = Object.entries(paths).find(
      ([, methods]) => methods.post?.operationId === 'createClient',
    ) ?? ['', {}];
    expect(path).toBe('/admin/v1/clients');
    const operation = item.post as Operation;
    expect(operation.security).toEqual([{ oauth2: ['admin'] }]);
    expect(operation.requestBody.content['application/json']?.schema.required).toEqual(['name']);

    // The token, as the security scheme says: client credentials at its tokenUrl.
    const tokenUrl = doc.components.securitySchemes.oauth2.flows.clientCredentials.tokenUrl;
    const tokenResponse = await fetch(at(tokenUrl), {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basicAuth(operator.client.client_id, operator.secret as string),
      },
      body: 'grant_type=client_credentials&scope=admin',
    });
    expect(tokenResponse.status).toBe(200);
    const { access_token } = (await tokenResponse.json()) as { access_token: string };

    const created = await fetch(at(path), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${access_token}` },
      body: JSON.stringify({ name: 'Integrated App', grant_types: ['client_credentials'] }),
    });
    expect(created.status).toBe(201);
    const client = (await created.json()) as Record<string, unknown>;
    // The reply has what the 201 schema promises.
    for (const name of operation.responses['201']?.content['application/json']?.schema.required ?? ['?']) {
      expect(client).toHaveProperty(name);
    }
    expect(client.client_secret).toEqual(expect.any(String));
    const listed = await fetch(at('/admin/v1/clients'), {
      headers: { authorization: `Bearer ${access_token}` },
    });
    expect(
      ((await listed.json()) as { clients: { name: string }[] }).clients.map((c: { name: string }) => c.name),
    ).toContain('Integrated App');
  });
});

describe("admin API: only an admin client's own token", () => {
  it('refuses a token that belongs to a user, even one carrying the admin scope', async () => {
    const t = await createTestApp();
    try {
      const user = await makeUser(t, 'mallory');
      const { clientId } = await makeClient(t, {
        name: 'Operator',
        admin: true,
        grantTypes: ['client_credentials'],
        scopes: ['admin'],
      });
      // A user token with the admin scope cannot be obtained through any endpoint; plant one.
      const grantId = 'planted-grant';
      await t.storage.grants.create({ id: grantId, clientId, userId: user.id, scope: 'admin' });
      const token = randomSecret();
      await t.storage.tokens.save({
        clientId,
        userId: user.id,
        grantId,
        scope: 'admin',
        accessTokenHash: hashSecret(token),
        accessTokenExpiresAt: new Date(Date.now() + 60_000),
      });
      const response = await t.app.inject({
        url: '/admin/v1/users',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.statusCode).toBe(403);
      expect(response.json().error).toBe('insufficient_scope');
    } finally {
      await t.close();
    }
  });
});
