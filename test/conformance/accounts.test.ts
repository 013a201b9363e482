import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateClient } from '../../src/admin/clients.js';
import { type AccountView, addAccountMember, createAccount } from '../../src/admin/users.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { basicAuth, makeClient, makeUser, obtainCode, tokenRequest } from '../helpers/fixtures.js';

// Account permissions (the Appointedd model): a client reaches "all" of its holder's accounts or a
// chosen list. A user's token reaches the user's accounts the client may reach; a client-credentials
// token reaches its owner's accounts the client may reach; with no owner, none.
// GET /api/v1/accounts lists exactly those.

type Client = Awaited<ReturnType<typeof makeClient>>;

describe('account permissions and GET /api/v1/accounts', () => {
  let t: TestApp;
  const accounts: Record<string, AccountView> = {};
  const clients: Record<string, Client> = {};
  const both = ['authorization_code', 'refresh_token', 'client_credentials'];

  beforeAll(async () => {
    t = await createTestApp();
    for (const name of ['alice', 'bob', 'carol', 'dave']) await makeUser(t, name);
    const members: Record<string, string[]> = {
      downtown: ['alice', 'carol'],
      uptown: ['alice'],
      spa: ['carol'],
      barber: ['bob'],
      unused: [],
    };
    const names: Record<string, string> = {
      downtown: 'Downtown Salon',
      uptown: 'Uptown Salon & Spa',
      spa: 'Carol’s <Day> Spa',
      barber: 'Bob’s Barber',
      unused: 'Nobody’s Account',
    };
    for (const [key, users] of Object.entries(members)) {
      accounts[key] = await createAccount(t.storage, { name: names[key] as string });
      for (const user of users) await addAccountMember(t.storage, (accounts[key] as AccountView).id, user);
    }
    const id = (key: string) => (accounts[key] as AccountView).id;
    clients.all = await makeClient(t, {
      name: 'All Accounts',
      grantTypes: both,
      owner: 'carol',
      accounts: 'all',
    });
    clients.list = await makeClient(t, {
      name: 'Two Accounts',
      grantTypes: both,
      owner: 'carol',
      accounts: [id('downtown'), id('barber')],
    });
    clients.none = await makeClient(t, {
      name: 'No Accounts',
      grantTypes: both,
      owner: 'carol',
      accounts: [],
    });
    clients.ownerless = await makeClient(t, {
      name: 'Ownerless',
      grantTypes: ['client_credentials'],
      redirectUris: [],
      accounts: 'all',
    });
    clients.ownerlessList = await makeClient(t, {
      name: 'Ownerless List',
      grantTypes: ['client_credentials'],
      redirectUris: [],
      accounts: [id('downtown')],
    });
  });
  afterAll(() => t.close());

  async function clientToken(client: Client, scope?: string): Promise<string> {
    const response = await tokenRequest(
      t,
      { grant_type: 'client_credentials', ...(scope ? { scope } : {}) },
      { authorization: basicAuth(client.clientId, client.secret as string) },
    );
    expect(response.statusCode).toBe(200);
    return response.json().access_token;
  }

  async function userToken(client: Client, username: string): Promise<string> {
    const { code } = await obtainCode(
      t,
      { client_id: client.clientId, redirect_uri: 'https://app.example.com/callback', scope: 'read' },
      { username },
    );
    const response = await tokenRequest(
      t,
      { grant_type: 'authorization_code', code, redirect_uri: 'https://app.example.com/callback' },
      { authorization: basicAuth(client.clientId, client.secret as string) },
    );
    expect(response.statusCode).toBe(200);
    return response.json().access_token;
  }

  async function listed(token: string): Promise<{ id: string; name: string }[]> {
    const response = await t.app.inject({
      url: '/api/v1/accounts',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(Object.keys(body)).toEqual(['accounts']);
    for (const account of body.accounts) expect(Object.keys(account).sort()).toEqual(['id', 'name']);
    return body.accounts;
  }

  /** The accounts as registered: ids and names, in a stable order for comparison. */
  function expected(...keys: string[]) {
    return keys.map((key) => ({ id: accounts[key]?.id, name: accounts[key]?.name })).sort(byId);
  }

  describe('client-credentials tokens: the owner’s accounts the client may reach', () => {
    it('a client with all accounts reaches all of its owner’s', async () => {
      expect((await listed(await clientToken(clients.all as Client))).sort(byId)).toEqual(
        expected('downtown', 'spa'),
      );
    });

    it('a client with a list reaches the owner’s accounts on the list, not the others on it', async () => {
      expect(await listed(await clientToken(clients.list as Client))).toEqual(expected('downtown'));
    });

    it('a client with an empty list reaches none', async () => {
      expect(await listed(await clientToken(clients.none as Client))).toEqual([]);
    });

    it('a client without an owner reaches none, whether all or a list', async () => {
      expect(await listed(await clientToken(clients.ownerless as Client))).toEqual([]);
      expect(await listed(await clientToken(clients.ownerlessList as Client))).toEqual([]);
    });
  });

  describe('user tokens: the user’s accounts the client may reach', () => {
    it('all: every account of the user (not of the owner)', async () => {
      const client = clients.all as Client;
      expect((await listed(await userToken(client, 'alice'))).sort(byId)).toEqual(
        expected('downtown', 'uptown'),
      );
      expect(await listed(await userToken(client, 'bob'))).toEqual(expected('barber'));
      expect(await listed(await userToken(client, 'dave'))).toEqual([]);
    });

    it('a list: the user’s accounts on the list', async () => {
      const client = clients.list as Client;
      expect(await listed(await userToken(client, 'alice'))).toEqual(expected('downtown'));
      expect(await listed(await userToken(client, 'bob'))).toEqual(expected('barber'));
      expect(await listed(await userToken(client, 'dave'))).toEqual([]);
    });

    it('an empty list: none', async () => {
      expect(await listed(await userToken(clients.none as Client, 'alice'))).toEqual([]);
    });
  });

  it('a change to the client’s accounts applies at once to tokens already issued', async () => {
    const client = await makeClient(t, {
      name: 'Changing',
      grantTypes: both,
      owner: 'carol',
      accounts: [(accounts.spa as AccountView).id],
    });
    const machine = await clientToken(client);
    const alice = await userToken(client, 'alice');
    expect(await listed(machine)).toEqual(expected('spa'));
    expect(await listed(alice)).toEqual([]);
    const deps = { storage: t.storage, scopes: t.config.scopes };
    await updateClient(deps, client.clientId, { accounts: 'all' });
    expect((await listed(machine)).sort(byId)).toEqual(expected('downtown', 'spa'));
    expect((await listed(alice)).sort(byId)).toEqual(expected('downtown', 'uptown'));
    await updateClient(deps, client.clientId, { accounts: [(accounts.uptown as AccountView).id] });
    expect(await listed(machine)).toEqual([]);
    expect(await listed(alice)).toEqual(expected('uptown'));
  });

  it('a new membership shows at once', async () => {
    const token = await userToken(clients.all as Client, 'dave');
    expect(await listed(token)).toEqual([]);
    await addAccountMember(t.storage, (accounts.unused as AccountView).id, 'dave');
    expect(await listed(token)).toEqual(expected('unused'));
  });

  describe('RFC 6750 at /api/v1/accounts', () => {
    it('needs a Bearer token in the Authorization header', async () => {
      const none = await t.app.inject({ url: '/api/v1/accounts' });
      expect(none.statusCode).toBe(401);
      expect(none.headers['www-authenticate']).toMatch(/^Bearer /);
      const token = await clientToken(clients.all as Client);
      const inQuery = await t.app.inject({ url: `/api/v1/accounts?access_token=${token}` });
      expect(inQuery.statusCode).toBe(401);
      const bogus = await t.app.inject({
        url: '/api/v1/accounts',
        headers: { authorization: 'Bearer nope' },
      });
      expect(bogus.statusCode).toBe(401);
      expect(bogus.headers['www-authenticate']).toContain('error="invalid_token"');
    });

    it('needs the read scope', async () => {
      const token = await clientToken(clients.all as Client, 'write');
      const response = await t.app.inject({
        url: '/api/v1/accounts',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.statusCode).toBe(403);
      expect(response.headers['www-authenticate']).toContain('error="insufficient_scope"');
    });
  });
});

function byId(a: { id?: string }, b: { id?: string }): number {
  return String(a.id).localeCompare(String(b.id));
}
