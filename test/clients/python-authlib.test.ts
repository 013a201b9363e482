import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccountView, addAccountMember, createAccount } from '../../src/admin/users.js';
import type { TestApp } from '../helpers/app.js';
import { makeClient, makeUser } from '../helpers/fixtures.js';
import { HttpBrowser } from '../helpers/http-browser.js';
import { pythonModuleMissing, runPythonClient, type ScriptArgs } from '../helpers/python-client.js';
import { startListeningApp } from '../helpers/servers.js';

// Authlib, a strict Python OAuth library nobody here wrote, drives the server over real HTTP
// (test/clients/python/authlib_client.py): discovery, client credentials, the code flow with
// PKCE, refresh rotation, code replay, revocation, introspection and the implicit grant.
const missing = pythonModuleMissing('authlib', 'python3-authlib');

const authlib = (args: ScriptArgs, walk?: (url: string) => Promise<string>) =>
  runPythonClient('authlib_client.py', args, walk);

describe.skipIf(missing !== undefined && !process.env.CI)('Authlib against the listening server', () => {
  let t: TestApp & { issuer: string };
  let north: AccountView;
  let south: AccountView;
  let machine: { clientId: string; secret: string };
  let web: { clientId: string; secret: string };
  let spa: { clientId: string };
  let browserApp: { clientId: string };
  const redirectUri = 'http://127.0.0.1:8765/callback';

  beforeAll(async () => {
    // In CI the tests must run: a missing Authlib fails them (every test reports this message).
    if (missing) throw new Error(missing);
    t = await startListeningApp();
    await makeUser(t, 'alice');
    north = await createAccount(t.storage, { name: 'Salon North' });
    south = await createAccount(t.storage, { name: 'Salon South' });
    await addAccountMember(t.storage, north.id, 'alice');
    await addAccountMember(t.storage, south.id, 'alice');
    // Registered for one of its owner's two accounts (issue #4, "Specific").
    const m = await makeClient(t, {
      name: 'Nightly Export',
      grantTypes: ['client_credentials'],
      redirectUris: [],
      owner: 'alice',
      accounts: [north.id],
    });
    machine = { clientId: m.clientId, secret: m.secret as string };
    const w = await makeClient(t, { name: 'Salon Planner', redirectUris: [redirectUri] });
    web = { clientId: w.clientId, secret: w.secret as string };
    const p = await makeClient(t, { name: 'Pocket Planner', public: true, redirectUris: [redirectUri] });
    spa = { clientId: p.clientId };
    const b = await makeClient(t, {
      name: 'Browser Planner',
      public: true,
      grantTypes: ['implicit'],
      redirectUris: [redirectUri],
    });
    browserApp = { clientId: b.clientId };
  });
  afterAll(() => t?.close());

  const walk = (url: string) => new HttpBrowser(t.issuer).authorize(url, 'alice');

  it('discovery: the RFC 8414 metadata passes Authlib’s validation', async () => {
    const r = await authlib({ issuer: t.issuer, ...machine, scenario: 'discovery' });
    expect(r.status).toBe(200);
    expect(r.valid).toBe(true);
    expect(r.metadata).toMatchObject({
      issuer: t.issuer,
      token_endpoint: `${t.issuer}/oauth/token`,
      revocation_endpoint: `${t.issuer}/oauth/revoke`,
      introspection_endpoint: `${t.issuer}/oauth/introspect`,
      code_challenge_methods_supported: ['S256'],
    });
  });

  it('client credentials: Basic and body credentials, expires_in at and beyond both bounds', async () => {
    const r = await authlib({ issuer: t.issuer, ...machine, scenario: 'client-credentials' });
    for (const method of ['client_secret_basic', 'client_secret_post']) {
      expect(r[method].token, method).toEqual({
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'read',
        access_token: true,
        refresh_token: false,
      });
      expect(r[method].accounts.status, method).toBe(200);
      expect(r[method].accounts.body.accounts, method).toEqual([{ id: north.id, name: 'Salon North' }]);
    }
    expect(r['expires_in=300'].expires_in).toBe(300);
    expect(r['expires_in=315360000'].expires_in).toBe(315_360_000);
    // Issue #4: outside 300..315360000 is invalid_request with a description naming the range.
    for (const seconds of [299, 315_360_001]) {
      expect(r[`expires_in=${seconds}`].error).toBe('invalid_request');
      expect(r[`expires_in=${seconds}`].description).toMatch(/300.*315360000/);
    }
    expect(r.wrong_secret.error).toBe('invalid_client');
  });

  it('revocation and introspection (RFC 7009, RFC 7662) of a client-credentials token', async () => {
    const r = await authlib({ issuer: t.issuer, ...machine, scenario: 'revocation' });
    expect(r.before.status).toBe(200);
    expect(r.before.body).toMatchObject({
      active: true,
      client_id: machine.clientId,
      iss: t.issuer,
      accounts: [{ id: north.id, name: 'Salon North' }],
    });
    expect(r.revoke).toBe(200);
    expect(r.after).toEqual({ status: 200, body: { active: false } });
    expect(r.api_after.status).toBe(401);
    expect(r.api_after.www_authenticate).toMatch(/^Bearer .*error="invalid_token"/);
    expect(r.revoke_unknown).toBe(200);
  });

  it('confidential client: PKCE S256, state, exchange, API, refresh rotation, revocation, code replay', async () => {
    const r = await authlib({ issuer: t.issuer, ...web, scenario: 'code-flow', redirectUri }, walk);
    expect(r.exchange).toEqual({
      token_type: 'Bearer',
      expires_in: 3600,
      scope: 'read write',
      access_token: true,
      refresh_token: true,
    });
    expect(r.iss).toEqual([t.issuer]);
    expect(r.me.status).toBe(200);
    expect(r.me.body).toMatchObject({ username: 'alice' });
    expect(r.introspect.body).toMatchObject({ active: true, username: 'alice', scope: 'read write' });
    // A user's token through a client registered for all accounts reaches both of hers.
    expect(r.introspect.body.accounts).toEqual(
      expect.arrayContaining([
        { id: north.id, name: 'Salon North' },
        { id: south.id, name: 'Salon South' },
      ]),
    );
    expect(r.refresh).toMatchObject({ token_type: 'Bearer', scope: 'read write', refresh_token: true });
    expect(r.rotated).toBe(true);
    expect(r.me_after_refresh.status).toBe(200);
    expect(r.revoke_refresh).toBe(200);
    expect(r.introspect_after_revoke.body).toEqual({ active: false });
    expect(r.me_after_revoke.status).toBe(401);
    expect(r.replay.error).toBe('invalid_grant');
  });

  it('public client: PKCE without a secret; introspection refused to it (checklist V2)', async () => {
    const r = await authlib({ issuer: t.issuer, ...spa, scenario: 'code-flow', redirectUri }, walk);
    expect(r.exchange).toMatchObject({ token_type: 'Bearer', scope: 'read write', refresh_token: true });
    expect(r.me.status).toBe(200);
    expect(r.introspect.status).toBe(401);
    expect(r.introspect.body.error).toBe('invalid_client');
    expect(r.rotated).toBe(true);
    expect(r.revoke_refresh).toBe(200);
    expect(r.me_after_revoke.status).toBe(401);
    expect(r.replay.error).toBe('invalid_grant');
  });

  it('implicit grant: Authlib reads the token from the fragment, no refresh token', async () => {
    const r = await authlib(
      { issuer: t.issuer, ...browserApp, scenario: 'implicit', redirectUri },
      async (url) => {
        const location = await walk(url);
        expect(new URL(location).hash).toContain('access_token=');
        return location;
      },
    );
    expect(r.token).toMatchObject({ token_type: 'Bearer', scope: 'read', refresh_token: false });
    expect(r.iss).toBe(t.issuer);
    expect(r.me.status).toBe(200);
    expect(r.me.body).toMatchObject({ username: 'alice' });
  });
});
