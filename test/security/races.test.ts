import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import type { Browser } from '../helpers/browser.js';
import { basicAuth, makeClient, makeUser, obtainCode, pkcePair } from '../helpers/fixtures.js';
import {
  apiStatus,
  codeFlowTokens,
  consentPage,
  exchangeCode,
  REDIRECT_URI,
  refresh,
  signedIn,
  type TestClient,
} from './support.js';

// Races, on whichever database the suite runs on (TEST_DATABASE): checklist C2 and F4, and
// consent and revocation running into each other. Every request goes through HTTP at once.

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

describe('races', () => {
  let t: TestApp;
  let client: TestClient;
  let alice: Browser;

  beforeAll(async () => {
    t = await createTestApp();
    await makeUser(t, 'alice');
    client = await makeClient(t);
    alice = await signedIn(t);
  });
  afterAll(() => t.close());

  async function grantOf(accessToken: string): Promise<string> {
    return (await t.storage.tokens.findAccess(sha256(accessToken)))?.grantId as string;
  }

  it('C2 fifty parallel redemptions of one code: exactly one success, and the replays revoke what it issued', async () => {
    const { verifier, challenge } = pkcePair();
    const { code } = await obtainCode(
      t,
      {
        client_id: client.clientId,
        redirect_uri: REDIRECT_URI,
        scope: 'read',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      },
      { browser: alice },
    );
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => exchangeCode(t, client, code, verifier)),
    );
    const statuses = answers.map((answer) => answer.statusCode);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400)).toHaveLength(49);
    for (const answer of answers) {
      if (answer.statusCode === 400) expect(answer.json().error).toBe('invalid_grant');
    }
    const winner = answers.find((answer) => answer.statusCode === 200)?.json();
    // RFC 6749 §4.1.2: the replays revoked every token issued from the code.
    expect(await apiStatus(t, winner.access_token)).toBe(401);
    expect((await refresh(t, client, winner.refresh_token)).statusCode).toBe(400);
    const grantId = await grantOf(winner.access_token);
    expect(await t.storage.database.prisma.accessToken.count({ where: { grantId } })).toBe(1);
  });

  it('F4 twenty parallel refreshes with one token: exactly one succeeds, the rest count as reuse and end the grant', async () => {
    // The defined outcome: the refresh token is retired atomically, so exactly one request mints
    // tokens. The others present a token that is (or is being) retired: RFC 9700 §4.14.2 reuse,
    // which revokes the whole grant, including what the winner just received. A client must not
    // refresh in parallel; if it does, the user signs in again.
    const { tokens } = await codeFlowTokens(t, client, { browser: alice });
    const grantId = await grantOf(tokens.access_token);
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => refresh(t, client, tokens.refresh_token)),
    );
    const statuses = answers.map((answer) => answer.statusCode);
    expect(
      statuses.filter((status) => status === 200),
      statuses.join(','),
    ).toHaveLength(1);
    for (const answer of answers) {
      if (answer.statusCode !== 200) {
        expect(answer.statusCode).toBe(400);
        expect(answer.json().error).toBe('invalid_grant');
      }
    }
    // Never two tokens from one refresh: the code's pair plus exactly one refreshed pair.
    const prisma = t.storage.database.prisma;
    expect(await prisma.accessToken.count({ where: { grantId } })).toBe(2);
    expect(await prisma.refreshToken.count({ where: { grantId } })).toBe(2);
    const winner = answers.find((answer) => answer.statusCode === 200)?.json();
    expect(await apiStatus(t, winner.access_token)).toBe(401);
    expect((await refresh(t, client, winner.refresh_token)).statusCode).toBe(400);
  });

  it('A5 twenty parallel Allow answers on one consent form: no error, one consent, each code usable once', async () => {
    const { verifier, challenge } = pkcePair();
    const fresh = await makeClient(t, { name: 'Fresh App' });
    const { fields } = await consentPage(alice, {
      response_type: 'code',
      client_id: fresh.clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'read write',
      code_challenge: challenge,
      code_challenge_method: 'S256',
    });
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        alice.post('/oauth/authorize/decision', { ...fields, decision: 'allow' }),
      ),
    );
    for (const answer of answers) expect(answer.statusCode, answer.body.slice(0, 200)).toBe(303);
    const codes = answers.map((answer) => new URL(String(answer.headers.location)).searchParams.get('code'));
    expect(new Set(codes).size).toBe(20);
    expect(await t.storage.database.prisma.consent.count({ where: { clientId: fresh.clientId } })).toBe(1);
    const exchanged = await Promise.all(
      codes.map((code) => exchangeCode(t, fresh, code as string, verifier)),
    );
    expect(exchanged.map((answer) => answer.statusCode)).toEqual(Array(20).fill(200));
  });

  it('V1 revoking a refresh token while it is being refreshed leaves nothing of the grant alive', async () => {
    for (let round = 0; round < 5; round++) {
      const { tokens } = await codeFlowTokens(t, client, { browser: alice });
      const [refreshed, revoked] = await Promise.all([
        refresh(t, client, tokens.refresh_token),
        t.app.inject({
          method: 'POST',
          url: '/oauth/revoke',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            authorization: basicAuth(client.clientId, client.secret as string),
          },
          payload: new URLSearchParams({
            token: tokens.refresh_token,
            token_type_hint: 'refresh_token',
          }).toString(),
        }),
      ]);
      expect(revoked.statusCode).toBe(200);
      expect([200, 400]).toContain(refreshed.statusCode);
      expect(await apiStatus(t, tokens.access_token)).toBe(401);
      if (refreshed.statusCode === 200) {
        expect(await apiStatus(t, refreshed.json().access_token)).toBe(401);
        expect((await refresh(t, client, refreshed.json().refresh_token)).statusCode).toBe(400);
      }
    }
  });

  it('V1 a user revoking an app while a code is exchanged: the exchanged tokens are dead', async () => {
    for (let round = 0; round < 5; round++) {
      const { verifier, challenge } = pkcePair();
      const { code } = await obtainCode(
        t,
        {
          client_id: client.clientId,
          redirect_uri: REDIRECT_URI,
          scope: 'read',
          code_challenge: challenge,
          code_challenge_method: 'S256',
        },
        { browser: alice },
      );
      const page = await alice.get('/connected-apps');
      const csrf = /name="csrf_token" value="([^"]+)"/.exec(page.body)?.[1] as string;
      const [exchanged, revoked] = await Promise.all([
        exchangeCode(t, client, code, verifier),
        alice.post('/connected-apps/revoke', { csrf_token: csrf, client_id: client.clientId }),
      ]);
      expect(revoked.statusCode).toBe(303);
      expect([200, 400]).toContain(exchanged.statusCode);
      if (exchanged.statusCode === 200) {
        expect(await apiStatus(t, exchanged.json().access_token)).toBe(401);
        expect((await refresh(t, client, exchanged.json().refresh_token)).statusCode).toBe(400);
      }
    }
  });

  it('V1 Allow and Revoke at once: no error, and a later Revoke ends everything', async () => {
    const other = await makeClient(t, { name: 'Racing App', public: true }); // asked every time (A7)
    for (let round = 0; round < 5; round++) {
      const { fields } = await consentPage(alice, {
        response_type: 'code',
        client_id: other.clientId,
        redirect_uri: REDIRECT_URI,
        scope: 'read',
        code_challenge: pkcePair().challenge,
        code_challenge_method: 'S256',
      });
      const csrf = fields.csrf_token as string;
      const answers = await Promise.all([
        alice.post('/oauth/authorize/decision', { ...fields, decision: 'allow' }),
        alice.post('/connected-apps/revoke', { csrf_token: csrf, client_id: other.clientId }),
        alice.post('/oauth/authorize/decision', { ...fields, decision: 'allow' }),
      ]);
      for (const answer of answers) expect(answer.statusCode, answer.body.slice(0, 200)).toBe(303);
    }
    const page = await alice.get('/connected-apps');
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(page.body)?.[1] as string;
    expect(
      (await alice.post('/connected-apps/revoke', { csrf_token: csrf, client_id: other.clientId }))
        .statusCode,
    ).toBe(303);
    const prisma = t.storage.database.prisma;
    expect(await prisma.consent.count({ where: { clientId: other.clientId } })).toBe(0);
    expect(await prisma.grant.count({ where: { clientId: other.clientId, revokedAt: null } })).toBe(0);
  });
});
