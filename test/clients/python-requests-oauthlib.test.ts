import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { makeClient, makeUser } from '../helpers/fixtures.js';
import { HttpBrowser } from '../helpers/http-browser.js';
import { pythonModuleMissing, runPythonClient, type ScriptArgs } from '../helpers/python-client.js';
import { startListeningApp } from '../helpers/servers.js';

// requests-oauthlib over oauthlib, the other common Python OAuth stack, drives the server over
// real HTTP (test/clients/python/requests_oauthlib_client.py).
const missing = pythonModuleMissing('requests_oauthlib', 'python3-requests-oauthlib');

const client = (args: ScriptArgs, walk?: (url: string) => Promise<string>) =>
  runPythonClient('requests_oauthlib_client.py', args, walk);

describe.skipIf(missing !== undefined && !process.env.CI)(
  'requests-oauthlib against the listening server',
  () => {
    let t: TestApp & { issuer: string };
    let machine: { clientId: string; secret: string };
    let web: { clientId: string; secret: string };
    const redirectUri = 'http://127.0.0.1:8765/callback';

    beforeAll(async () => {
      // In CI the tests must run: a missing library fails them with this message.
      if (missing) throw new Error(missing);
      t = await startListeningApp();
      await makeUser(t, 'alice');
      const m = await makeClient(t, {
        name: 'Nightly Export',
        grantTypes: ['client_credentials'],
        redirectUris: [],
        owner: 'alice',
      });
      machine = { clientId: m.clientId, secret: m.secret as string };
      const w = await makeClient(t, { name: 'Salon Planner', redirectUris: [redirectUri] });
      web = { clientId: w.clientId, secret: w.secret as string };
    });
    afterAll(() => t?.close());

    it('client credentials: Basic and body credentials, expires_in at and beyond both bounds', async () => {
      const r = await client({ issuer: t.issuer, ...machine, scenario: 'client-credentials' });
      for (const method of ['client_secret_basic', 'client_secret_post']) {
        expect(r[method].token, method).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
        expect(r[method].token.refresh_token, method).toBe(false);
        expect(r[method].accounts, method).toBe(200);
      }
      expect(r['expires_in=300'].expires_in).toBe(300);
      expect(r['expires_in=315360000'].expires_in).toBe(315_360_000);
      expect(r['expires_in=299'].error).toBe('invalid_request');
      expect(r['expires_in=315360001'].error).toBe('invalid_request');
    });

    it('code flow with PKCE S256: exchange, API, refresh rotation, code replay revokes (C1)', async () => {
      const r = await client({ issuer: t.issuer, ...web, scenario: 'code-flow', redirectUri }, (url) =>
        new HttpBrowser(t.issuer).authorize(url, 'alice'),
      );
      expect(r.exchange).toEqual({
        token_type: 'Bearer',
        expires_in: 3600,
        scope: 'read write',
        refresh_token: true,
      });
      expect(r.me).toBe(200);
      expect(r.refresh).toMatchObject({ token_type: 'Bearer', scope: 'read write', refresh_token: true });
      expect(r.rotated).toBe(true);
      expect(r.me_after_refresh).toBe(200);
      expect(r.replay.error).toBe('invalid_grant');
      expect(r.me_after_replay).toBe(401);
    });
  },
);
