import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { addAccountMember, createAccount } from '../../src/admin/users.js';
import { sqlitePath } from '../../src/storage/migrate.js';
import type { TestApp } from '../helpers/app.js';
import { TEST_DATABASE, type TestDatabase } from '../helpers/database.js';
import { basicAuth, makeClient, makeUser } from '../helpers/fixtures.js';
import {
  apiStatus,
  clientCredentials,
  codeFlowTokens,
  expectOAuthError,
  introspectAs,
  type TestClient,
  type TwoInstances,
  twoInstances,
} from './support.js';

// The hot paths cache what they look up (access tokens, client credentials, the accounts a token
// reaches) and use a cached answer only while the database's cache epoch stands still
// (src/storage/cache-epoch.ts). Here instance B caches, and the changes come from elsewhere:
// instance A, or plain SQL as the command line or an operator would write it. Each change must
// take effect on B's very next request (checklist V1, V2, T2).

describe(`cached lookups on ${TEST_DATABASE}: changes made elsewhere take effect at once`, () => {
  let instances: TwoInstances;
  let database: TestDatabase;
  let a: TestApp;
  let b: TestApp;
  let client: TestClient;

  beforeAll(async () => {
    instances = await twoInstances();
    ({ database, a, b } = instances);
    await makeUser(a, 'alice');
    client = await makeClient(a, {
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
    });
  });
  afterAll(() => instances?.close());

  /** SQL on A's connection: a writer B knows nothing about. */
  const sqlElsewhere = (text: string, values: (string | Date)[]) => a.storage.database.sql.run(text, values);

  const me = (instance: TestApp, token: string) =>
    instance.app.inject({ url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });

  const introspect = (instance: TestApp, token: string) => introspectAs(instance, client, token);

  it('V1 the cache is in use: a cached token is served while the epoch stands still, and read again once it moves', async () => {
    const { tokens } = await codeFlowTokens(a, client, { scope: 'read' });
    expect((await me(b, tokens.access_token)).statusCode).toBe(200);
    // A column no trigger watches (the server never changes a token's scope): B keeps its copy.
    await sqlElsewhere('UPDATE "AccessToken" SET "scope" = ? WHERE "tokenHash" = ?', [
      'write',
      hashOf(tokens.access_token),
    ]);
    expect((await me(b, tokens.access_token)).statusCode).toBe(200);
    // Any watched change moves the epoch: B reads the token again and sees the scope it has now.
    await sqlElsewhere('UPDATE "User" SET "username" = ? WHERE "username" = ?', ['alice', 'alice']);
    expect((await me(b, tokens.access_token)).statusCode).toBe(403);
  });

  it('V1 a token B has cached is refused at once after A revokes it (RFC 7009)', async () => {
    const { tokens } = await codeFlowTokens(a, client);
    expect(await apiStatus(b, tokens.access_token)).toBe(200);
    expect(await apiStatus(b, tokens.access_token)).toBe(200);
    const revoked = await a.app.inject({
      method: 'POST',
      url: '/oauth/revoke',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basicAuth(client.clientId, client.secret as string),
      },
      payload: new URLSearchParams({ token: tokens.access_token }).toString(),
    });
    expect(revoked.statusCode).toBe(200);
    expect(await apiStatus(b, tokens.access_token)).toBe(401);
    expect((await introspect(b, tokens.access_token)).json()).toEqual({ active: false });
  });

  /**
   * A statement committed before this returns, by another connection, without giving the event
   * loop a turn: better-sqlite3 on SQLite, psql (a process of its own) on PostgreSQL.
   */
  const commitElsewhereNow = (statement: string) => {
    if (database.kind === 'sqlite') {
      const connection = new Database(sqlitePath(database.url));
      try {
        connection.exec(statement);
      } finally {
        connection.close();
      }
    } else {
      execFileSync('psql', [database.url, '-qc', statement]);
    }
  };

  it('V1 a request sees a revocation committed before it arrived, even within the turn of an earlier epoch read', async () => {
    const { tokens } = await codeFlowTokens(a, client, { scope: 'read' });
    const hash = hashOf(tokens.access_token);
    expect(await apiStatus(b, tokens.access_token)).toBe(200);
    // An earlier request of this turn asks B for the token (and so for the epoch)...
    const earlier = b.storage.tokens.findAccess(hash);
    // ...then the token is revoked elsewhere and committed, and a request arrives, all in one turn.
    commitElsewhereNow(
      `UPDATE "AccessToken" SET "revokedAt" = CURRENT_TIMESTAMP WHERE "tokenHash" = '${hash}'`,
    );
    const after = me(b, tokens.access_token);
    expect((await after).statusCode).toBe(401);
    // The earlier lookup shares the epoch read, made after the turn's requests: it sees it too.
    expect((await earlier)?.revoked).toBe(true);
  });

  it('V1 an epoch read for one turn is not used by a lookup in a later turn', async () => {
    const { tokens } = await codeFlowTokens(a, client, { scope: 'read' });
    const hash = hashOf(tokens.access_token);
    expect(await apiStatus(b, tokens.access_token)).toBe(200);
    // Something to arrive in the event loop's next poll phase, as a request does: bytes on a socket.
    const server = createServer();
    const arrived = new Promise<Socket>((resolve) => server.once('connection', resolve));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const sender = connect((server.address() as AddressInfo).port, '127.0.0.1');
    const receiver = await arrived;
    try {
      // The token is revoked elsewhere when the bytes arrive, and looked up again at once.
      const later = new Promise<boolean | undefined>((resolve, reject) => {
        receiver.once('data', () => {
          commitElsewhereNow(
            `UPDATE "AccessToken" SET "revokedAt" = CURRENT_TIMESTAMP WHERE "tokenHash" = '${hash}'`,
          );
          b.storage.tokens.findAccess(hash).then((found) => resolve(found?.revoked), reject);
        });
      });
      // This lookup's epoch is read at once at the end of its turn (SQLite); this test goes on while
      // the lookups that turn's requests go on to make may still use it, and sends the bytes.
      expect((await b.storage.tokens.findAccess(hash))?.revoked).toBe(false);
      sender.write('x');
      expect(await later).toBe(true);
    } finally {
      sender.destroy();
      receiver.destroy();
      server.close();
    }
  });

  it('V1 a grant revoked by plain SQL ends the tokens B has cached at once', async () => {
    const { tokens } = await codeFlowTokens(a, client);
    expect(await apiStatus(b, tokens.access_token)).toBe(200);
    expect((await introspect(b, tokens.access_token)).json().active).toBe(true);
    await sqlElsewhere('UPDATE "Grant" SET "revokedAt" = ? WHERE "revokedAt" IS NULL', [new Date()]);
    expect(await apiStatus(b, tokens.access_token)).toBe(401);
    expect((await introspect(b, tokens.access_token)).json()).toEqual({ active: false });
  });

  it('V2 a renamed user and a new account membership show at once in what B answers', async () => {
    const { tokens } = await codeFlowTokens(a, client);
    expect((await me(b, tokens.access_token)).json().username).toBe('alice');
    expect((await introspect(b, tokens.access_token)).json().accounts).toEqual([]);
    const account = await createAccount(a.storage, { name: 'Salon' });
    await addAccountMember(a.storage, account.id, 'alice');
    expect((await introspect(b, tokens.access_token)).json().accounts).toEqual([
      { id: account.id, name: 'Salon' },
    ]);
    await sqlElsewhere('UPDATE "User" SET "username" = ? WHERE "username" = ?', ['alice2', 'alice']);
    expect((await me(b, tokens.access_token)).json().username).toBe('alice2');
    expect((await introspect(b, tokens.access_token)).json().username).toBe('alice2');
    await sqlElsewhere('UPDATE "User" SET "username" = ? WHERE "username" = ?', ['alice', 'alice2']);
  });

  it('V1 requests presenting a token new to the cache together share one read of it, and all see it revoked', async () => {
    const { tokens } = await codeFlowTokens(a, client, { scope: 'read' });
    const hash = hashOf(tokens.access_token);
    const getBy = vi.spyOn(b.storage.database.sql, 'getBy');
    try {
      const together = () => Promise.all(Array.from({ length: 20 }, () => me(b, tokens.access_token)));
      expect((await together()).map((response) => response.statusCode)).toEqual(Array(20).fill(200));
      expect(getBy.mock.calls.filter(([, key]) => key === hash)).toHaveLength(1);
      // Revoked elsewhere: the epoch moves, and the next such burst reads the token again, once.
      await sqlElsewhere('UPDATE "AccessToken" SET "revokedAt" = ? WHERE "tokenHash" = ?', [
        new Date(),
        hash,
      ]);
      expect((await together()).map((response) => response.statusCode)).toEqual(Array(20).fill(401));
      expect(getBy.mock.calls.filter(([, key]) => key === hash)).toHaveLength(2);
    } finally {
      getBy.mockRestore();
    }
  });

  it('V1 an introspection answer B keeps ends when its token expires, with the epoch standing still', async () => {
    const { tokens } = await codeFlowTokens(a, client);
    const first = (await introspect(b, tokens.access_token)).json();
    expect(first.active).toBe(true);
    expect((await introspect(b, tokens.access_token)).json()).toEqual(first);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      // exp is the expiry in whole seconds, rounded down: a second after it, the token has expired.
      vi.setSystemTime((first.exp + 1) * 1000);
      expect((await introspect(b, tokens.access_token)).json()).toEqual({ active: false });
      vi.setSystemTime(first.exp * 1000 - 1000);
      expect((await introspect(b, tokens.access_token)).json()).toEqual(first);
    } finally {
      vi.useRealTimers();
    }
  });

  it('T2 a client secret rotated elsewhere stops working on B at once; a deleted client too', async () => {
    expect((await clientCredentials(b, client, 'read')).statusCode).toBe(200);
    const other = await makeClient(a, { grantTypes: ['client_credentials'] });
    // A's storage sets a new secret, as the rotate-secret command does.
    await a.storage.clients.setSecretHash(client.clientId, 'a-hash-no-secret-has');
    expectOAuthError(await clientCredentials(b, client, 'read'), 'invalid_client', 401);
    expect((await clientCredentials(b, other, 'read')).statusCode).toBe(200);
    await a.storage.clients.delete(other.clientId);
    expectOAuthError(await clientCredentials(b, other, 'read'), 'invalid_client', 401);
  });
});

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}
