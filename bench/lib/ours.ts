import pg from 'pg';
import { createClient } from '../../src/admin/clients.js';
import { createUser } from '../../src/admin/users.js';
import type { DatabaseKind } from '../../src/config.js';
import { DEFAULT_SCOPES } from '../../src/oauth/scopes.js';
import { hashSecret, randomSecret, timeOrderedId } from '../../src/security/secrets.js';
import { openDatabase } from '../../src/storage/database.js';
import { createStorage } from '../../src/storage/index.js';
import { migrate } from '../../src/storage/migrate.js';
import { type ApprovedCode, codeMinter } from '../../test/helpers/approved-codes.js';
import { createTestDatabase, type TestDatabase } from '../../test/helpers/database.js';

// Our server's side of the benchmark: a throwaway database with one user and one confidential
// client, and codes and tokens minted ahead of the load through the same storage the server uses.

export const POSTGRES_ADMIN_URL =
  process.env.BENCH_POSTGRES_URL || 'postgresql://postgres@127.0.0.1:5432/postgres';
export const REDIRECT_URI = 'https://app.example.com/callback';

export type BenchDatabase = TestDatabase;

export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export function createBenchDatabase(kind: DatabaseKind): Promise<BenchDatabase> {
  return createTestDatabase(kind, { prefix: 'appointman_bench', adminUrl: POSTGRES_ADMIN_URL });
}

/** A token request exchanging a minted code, with its PKCE verifier (RFC 6749 §4.1.3, RFC 7636 §4.5). */
export function codeExchangeBody({ code, verifier }: ApprovedCode): string {
  return `grant_type=authorization_code&code=${code}&redirect_uri=${encodeURIComponent(REDIRECT_URI)}&code_verifier=${verifier}`;
}

/** A token request rotating a refresh token (RFC 6749 §6). */
export function refreshBody(token: string): string {
  return `grant_type=refresh_token&refresh_token=${token}`;
}

export interface Fixture {
  clientId: string;
  secret: string;
  /** HTTP Basic credentials of the confidential client (RFC 6749 §2.3.1). */
  basic: string;
  mintCodes(count: number): Promise<ApprovedCode[]>;
  mintRefreshTokens(count: number): Promise<string[]>;
  mintAccessTokens(count: number): Promise<string[]>;
  close(): Promise<void>;
}

export async function prepareFixture(database: BenchDatabase): Promise<Fixture> {
  await migrate(database.kind, database.url);
  const db = await openDatabase(database.kind, database.url);
  const storage = createStorage(db);
  const user = await createUser(storage, { username: 'bench', password: 'bench password 0123456789' });
  const { client, secret } = await createClient(
    { storage, scopes: DEFAULT_SCOPES },
    {
      name: 'Bench App',
      redirectUris: [REDIRECT_URI],
      grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
      scopes: ['read', 'write'],
    },
  );
  if (!secret) throw new Error('the bench client has no secret');
  const record = await storage.clients.find(client.client_id);
  if (!record) throw new Error('the bench client was not stored');
  // The real authorization response (grant + code), as after the user's "Allow", with PKCE S256.
  const mintCode = codeMinter(storage, { client: record, userId: user.id, redirectUri: REDIRECT_URI });

  // What a code exchange leaves behind: a grant with an access token and a refresh token.
  const mintTokens = async (withRefresh: boolean): Promise<{ access: string; refresh: string }> => {
    // As the authorization response makes them (authorization-response.ts).
    const grantId = timeOrderedId();
    await storage.grants.create({ id: grantId, clientId: record.id, userId: user.id, scope: 'read' });
    const access = randomSecret();
    const refresh = randomSecret();
    await storage.tokens.save({
      clientId: record.id,
      userId: user.id,
      grantId,
      scope: 'read',
      accessTokenHash: hashSecret(access),
      accessTokenExpiresAt: new Date(Date.now() + 3600_000),
      refresh: withRefresh
        ? {
            tokenHash: hashSecret(refresh),
            expiresAt: new Date(Date.now() + 86400_000),
            absoluteExpiresAt: null,
          }
        : undefined,
    });
    return { access, refresh };
  };

  return {
    clientId: record.id,
    secret,
    basic: `Basic ${Buffer.from(`${encodeURIComponent(record.id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
    mintCodes: (count) => inBatches(count, mintCode),
    mintRefreshTokens: async (count) =>
      (await inBatches(count, () => mintTokens(true))).map((t) => t.refresh),
    mintAccessTokens: async (count) => (await inBatches(count, () => mintTokens(false))).map((t) => t.access),
    close: () => db.close(),
  };
}

/** `count` results of `make`, a hundred at a time. */
async function inBatches<T>(count: number, make: () => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  while (results.length < count) {
    const size = Math.min(100, count - results.length);
    results.push(...(await Promise.all(Array.from({ length: size }, make))));
  }
  return results;
}
