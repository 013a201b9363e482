import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/app.js';
import { makeClient, makeUser } from '../helpers/fixtures.js';
import { HttpBrowser } from '../helpers/http-browser.js';
import { startListeningApp } from '../helpers/servers.js';

// A strict third-party client that nobody here wrote, oauth4webapi, against the server listening on
// a loopback port. It finds every endpoint from the RFC 8414 metadata, checks the issuer, the `iss`
// of authorization responses (RFC 9207), PKCE, and the shape of every token response.

// The server is plain http on loopback, which oauth4webapi refuses unless told otherwise.
const insecure = { [oauth.allowInsecureRequests]: true } as const;

describe('oauth4webapi against the listening server', () => {
  let t: TestApp & { issuer: string };
  let as: oauth.AuthorizationServer;
  let machine: { client: oauth.Client; secret: string };
  let web: { client: oauth.Client; secret: string };
  let spa: { client: oauth.Client };
  const redirectUri = 'http://127.0.0.1:8765/callback';

  beforeAll(async () => {
    t = await startListeningApp();
    await makeUser(t, 'alice');
    const m = await makeClient(t, {
      name: 'Nightly Export',
      grantTypes: ['client_credentials'],
      redirectUris: [],
      owner: 'alice',
    });
    machine = { client: { client_id: m.clientId }, secret: m.secret as string };
    const w = await makeClient(t, { name: 'Salon Planner', redirectUris: [redirectUri] });
    web = { client: { client_id: w.clientId }, secret: w.secret as string };
    const p = await makeClient(t, { name: 'Pocket Planner', public: true, redirectUris: [redirectUri] });
    spa = { client: { client_id: p.clientId, token_endpoint_auth_method: 'none' } };

    const issuer = new URL(t.issuer);
    as = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }),
    );
  });
  afterAll(() => t?.close());

  it('discovers the endpoints, PKCE S256 and RFC 9207 support from the metadata', () => {
    expect(as.issuer).toBe(t.issuer);
    expect(as.token_endpoint).toBe(`${t.issuer}/oauth/token`);
    expect(as.authorization_endpoint).toBe(`${t.issuer}/oauth/authorize`);
    expect(as.code_challenge_methods_supported).toEqual(['S256']);
    expect(as.authorization_response_iss_parameter_supported).toBe(true);
    expect(as.grant_types_supported).toEqual(
      expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials', 'implicit']),
    );
    expect(as.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'none']),
    );
  });

  describe('client credentials', () => {
    it.each([
      ['client_secret_basic', oauth.ClientSecretBasic],
      ['client_secret_post', oauth.ClientSecretPost],
    ])('with %s: an hour-long Bearer token, no refresh token', async (_method, auth) => {
      const response = await oauth.clientCredentialsGrantRequest(
        as,
        machine.client,
        auth(machine.secret),
        { scope: 'read' },
        insecure,
      );
      const result = await oauth.processClientCredentialsResponse(as, machine.client, response);
      expect(result.token_type).toBe('bearer');
      expect(result.expires_in).toBe(3600);
      expect(result.scope).toBe('read');
      expect(result.refresh_token).toBeUndefined();
      const accounts = await oauth.protectedResourceRequest(
        result.access_token,
        'GET',
        new URL(`${t.issuer}/api/v1/accounts`),
        undefined,
        undefined,
        insecure,
      );
      expect(accounts.status).toBe(200);
    });

    it.each([
      ['300', 300],
      ['315360000', 315_360_000],
    ])('honours expires_in=%s', async (value, seconds) => {
      const response = await oauth.clientCredentialsGrantRequest(
        as,
        machine.client,
        oauth.ClientSecretBasic(machine.secret),
        { expires_in: value },
        insecure,
      );
      const result = await oauth.processClientCredentialsResponse(as, machine.client, response);
      expect(result.expires_in).toBe(seconds);
    });

    it.each(['299', '315360001', '3600.5', 'abc'])(
      'refuses expires_in=%s with invalid_request',
      async (value) => {
        const response = await oauth.clientCredentialsGrantRequest(
          as,
          machine.client,
          oauth.ClientSecretBasic(machine.secret),
          { expires_in: value },
          insecure,
        );
        const error = await oauth
          .processClientCredentialsResponse(as, machine.client, response)
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(oauth.ResponseBodyError);
        expect((error as oauth.ResponseBodyError).error).toBe('invalid_request');
        expect((error as oauth.ResponseBodyError).error_description).toMatch(/300.*315360000/);
      },
    );

    it('a wrong secret: 401 invalid_client with a Basic challenge', async () => {
      const response = await oauth.clientCredentialsGrantRequest(
        as,
        machine.client,
        oauth.ClientSecretBasic('not-the-secret'),
        {},
        insecure,
      );
      // oauth4webapi surfaces a 401 with a challenge as WWWAuthenticateChallengeError (RFC 6749 §5.2).
      const error = await oauth
        .processClientCredentialsResponse(as, machine.client, response)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
      const challenge = error as oauth.WWWAuthenticateChallengeError;
      expect(challenge.status).toBe(401);
      expect(challenge.cause[0]?.scheme).toBe('basic');
      expect(await challenge.response.json()).toMatchObject({ error: 'invalid_client' });
    });

    it('a client not registered for it: unauthorized_client', async () => {
      const response = await oauth.clientCredentialsGrantRequest(
        as,
        web.client,
        oauth.ClientSecretBasic(web.secret),
        {},
        insecure,
      );
      const error = await oauth
        .processClientCredentialsResponse(as, web.client, response)
        .catch((e: unknown) => e);
      expect((error as oauth.ResponseBodyError).error).toBe('unauthorized_client');
    });
  });

  describe('authorization code flow with PKCE', () => {
    async function authorizationUrl(client: oauth.Client) {
      const verifier = oauth.generateRandomCodeVerifier();
      const state = oauth.generateRandomState();
      const url = new URL(as.authorization_endpoint as string);
      url.search = new URLSearchParams({
        client_id: client.client_id,
        redirect_uri: redirectUri,
        response_type: 'code',
        scope: 'read write',
        state,
        code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      }).toString();
      return { url: url.toString(), verifier, state };
    }

    it('confidential client: sign in, Allow, iss-checked code, exchange, API, refresh rotation, code replay', async () => {
      const browser = new HttpBrowser(t.issuer);
      const { url, verifier, state } = await authorizationUrl(web.client);
      const location = await browser.authorize(url, 'alice');

      // RFC 9207: oauth4webapi refuses the response unless iss is the discovered issuer.
      const callback = oauth.validateAuthResponse(as, web.client, new URL(location), state);
      expect(callback.get('iss')).toBe(t.issuer);

      const exchange = async () =>
        oauth.processAuthorizationCodeResponse(
          as,
          web.client,
          await oauth.authorizationCodeGrantRequest(
            as,
            web.client,
            oauth.ClientSecretBasic(web.secret),
            callback,
            redirectUri,
            verifier,
            insecure,
          ),
        );
      const tokens = await exchange();
      expect(tokens.token_type).toBe('bearer');
      expect(tokens.expires_in).toBe(3600);
      expect(tokens.scope).toBe('read write');
      expect(typeof tokens.refresh_token).toBe('string');

      const api = async (accessToken: string) =>
        oauth.protectedResourceRequest(
          accessToken,
          'GET',
          new URL(`${t.issuer}/api/v1/me`),
          undefined,
          undefined,
          insecure,
        );
      const me = await api(tokens.access_token);
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ username: 'alice' });

      const refreshed = await oauth.processRefreshTokenResponse(
        as,
        web.client,
        await oauth.refreshTokenGrantRequest(
          as,
          web.client,
          oauth.ClientSecretPost(web.secret),
          tokens.refresh_token as string,
          insecure,
        ),
      );
      expect(refreshed.refresh_token).toBeDefined();
      expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
      expect(refreshed.scope).toBe('read write');
      expect((await api(refreshed.access_token)).status).toBe(200);

      // RFC 6749 §4.1.2 and checklist C1: the code again is invalid_grant, and ends what it issued.
      const replay = await exchange().catch((e: unknown) => e);
      expect(replay).toBeInstanceOf(oauth.ResponseBodyError);
      expect((replay as oauth.ResponseBodyError).error).toBe('invalid_grant');
      expect((replay as oauth.ResponseBodyError).cause).toMatchObject({ error: 'invalid_grant' });
      const after = await api(refreshed.access_token).catch((e: unknown) => e);
      expect(after).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
      expect((after as oauth.WWWAuthenticateChallengeError).status).toBe(401);
      expect((after as oauth.WWWAuthenticateChallengeError).cause[0]).toMatchObject({
        scheme: 'bearer',
        parameters: { error: 'invalid_token' },
      });
    });

    it('rotated refresh token used again: invalid_grant (checklist F3)', async () => {
      const browser = new HttpBrowser(t.issuer);
      const { url, verifier, state } = await authorizationUrl(web.client);
      const callback = oauth.validateAuthResponse(
        as,
        web.client,
        new URL(await browser.authorize(url, 'alice')),
        state,
      );
      const tokens = await oauth.processAuthorizationCodeResponse(
        as,
        web.client,
        await oauth.authorizationCodeGrantRequest(
          as,
          web.client,
          oauth.ClientSecretPost(web.secret),
          callback,
          redirectUri,
          verifier,
          insecure,
        ),
      );
      const refresh = async (token: string) =>
        oauth.processRefreshTokenResponse(
          as,
          web.client,
          await oauth.refreshTokenGrantRequest(
            as,
            web.client,
            oauth.ClientSecretBasic(web.secret),
            token,
            insecure,
          ),
        );
      await refresh(tokens.refresh_token as string);
      const reused = await refresh(tokens.refresh_token as string).catch((e: unknown) => e);
      expect((reused as oauth.ResponseBodyError).error).toBe('invalid_grant');
    });

    it('public client with PKCE and no secret', async () => {
      const browser = new HttpBrowser(t.issuer);
      const { url, verifier, state } = await authorizationUrl(spa.client);
      const callback = oauth.validateAuthResponse(
        as,
        spa.client,
        new URL(await browser.authorize(url, 'alice')),
        state,
      );
      const tokens = await oauth.processAuthorizationCodeResponse(
        as,
        spa.client,
        await oauth.authorizationCodeGrantRequest(
          as,
          spa.client,
          oauth.None(),
          callback,
          redirectUri,
          verifier,
          insecure,
        ),
      );
      expect(tokens.scope).toBe('read write');
      // A wrong verifier for a fresh code is invalid_grant (RFC 7636 §4.6).
      const second = await authorizationUrl(spa.client);
      const again = oauth.validateAuthResponse(
        as,
        spa.client,
        new URL(await browser.authorize(second.url, 'alice')),
        second.state,
      );
      const wrong = await oauth
        .processAuthorizationCodeResponse(
          as,
          spa.client,
          await oauth.authorizationCodeGrantRequest(
            as,
            spa.client,
            oauth.None(),
            again,
            redirectUri,
            oauth.generateRandomCodeVerifier(),
            insecure,
          ),
        )
        .catch((e: unknown) => e);
      expect((wrong as oauth.ResponseBodyError).error).toBe('invalid_grant');
    });

    it('Deny: oauth4webapi reads access_denied after checking iss and state', async () => {
      // The public client: asked every time (checklist A7), so the user can say no.
      const browser = new HttpBrowser(t.issuer);
      const { url, state } = await authorizationUrl(spa.client);
      const location = await browser.authorize(url, 'alice', 'deny');
      let error: unknown;
      try {
        oauth.validateAuthResponse(as, spa.client, new URL(location), state);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(oauth.AuthorizationResponseError);
      expect((error as oauth.AuthorizationResponseError).error).toBe('access_denied');
      // A response whose iss is not the issuer's is refused by the client (RFC 9207 §2.4).
      const forged = new URL(location);
      forged.searchParams.set('iss', 'https://attacker.example');
      expect(() => oauth.validateAuthResponse(as, spa.client, forged, state)).toThrow(/iss/);
    });
  });
});
