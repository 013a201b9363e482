import { execFile, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashSecret, randomId } from '../src/security/secrets.js';
import { openDatabase } from '../src/storage/database.js';
import { migrate } from '../src/storage/migrate.js';
import { type PurgeCounts, purgeExpired, schedulePurge } from '../src/storage/purge.js';
import { createTestApp, type TestApp } from './helpers/app.js';
import { createTestDatabase } from './helpers/database.js';
import { makeClient, makeUser, obtainCode, pkcePair, tokenRequest } from './helpers/fixtures.js';
import { apiStatus, clientAuth, clientToken, type IssuedTokens, userTokens } from './helpers/tokens.js';

// Expired data does not pile up (issue 5): purge removes what can never be used again and leaves
// everything live alone, including what still guards against replay (checklist C1, F3).

const PAST = () => new Date(Date.now() - 60_000);
const DAYS_AGO = (days: number) => new Date(Date.now() - days * 86_400_000);

describe('purge of expired and revoked data', () => {
  let t: TestApp;
  let app: Awaited<ReturnType<typeof makeClient>>;
  let service: Awaited<ReturnType<typeof makeClient>>;

  const db = () => t.storage.database.prisma;
  const refresh = (client: typeof app, token: string) => {
    const auth = clientAuth(client);
    return tokenRequest(t, { grant_type: 'refresh_token', refresh_token: token, ...auth.form }, auth.headers);
  };

  beforeAll(async () => {
    t = await createTestApp();
    await makeUser(t, 'alice');
    app = await makeClient(t, { name: 'Salon Planner' });
    service = await makeClient(t, { name: 'Sync', grantTypes: ['client_credentials'], redirectUris: [] });
  });
  afterAll(() => t.close());

  it('removes the dead, keeps the live, and returns the counts', async () => {
    // Live: a grant's current tokens, a rotated refresh token (kept for F3), an unredeemed code,
    // a used code not yet expired (kept for C1), a client-credentials token, a session, a fresh
    // empty grant (a code may be about to be saved for it), a locked throttle entry.
    const live = await userTokens(t, app);
    const rotated = live.refresh_token as string;
    const current = (await refresh(app, rotated)).json() as IssuedTokens;
    const { verifier, challenge } = pkcePair();
    const pending = await obtainCode(t, {
      client_id: app.clientId,
      redirect_uri: 'https://app.example.com/callback',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: 'read',
    });
    const serviceToken = await clientToken(t, service, 'read');
    const alice = await t.storage.users.findByUsername('alice');
    const userId = alice?.id ?? '';
    await t.storage.sessions.create({ idHash: hashSecret('live-session'), userId, expiresAt: DAYS_AGO(-1) });
    const freshGrant = randomId();
    await t.storage.grants.create({ id: freshGrant, clientId: app.clientId, userId, scope: 'read' });
    await db().throttle.create({
      data: { key: 'user:locked', failures: 9, windowStart: DAYS_AGO(2), lockedUntil: DAYS_AGO(-1) },
    });
    await db().throttle.create({ data: { key: 'ip:recent', failures: 1, windowStart: new Date() } });

    // Dead: an expired access token, a revoked one, an expired refresh token's grant, a revoked grant
    // whose tokens expired, expired codes (used or not), an expired session, an old throttle entry,
    // an abandoned grant.
    const expiredAccess = await clientToken(t, service, 'read');
    await db().accessToken.update({
      where: { tokenHash: hashSecret(expiredAccess.access_token) },
      data: { expiresAt: PAST() },
    });
    const revokedAccess = await clientToken(t, service, 'read');
    await t.storage.tokens.revokeAccess(hashSecret(revokedAccess.access_token));

    const expiredGrant = await userTokens(t, app);
    await db().accessToken.update({
      where: { tokenHash: hashSecret(expiredGrant.access_token) },
      data: { expiresAt: PAST() },
    });
    await db().refreshToken.update({
      where: { tokenHash: hashSecret(expiredGrant.refresh_token as string) },
      data: { expiresAt: PAST() },
    });

    const revokedGrant = await userTokens(t, app);
    const revokedRow = await db().refreshToken.findUniqueOrThrow({
      where: { tokenHash: hashSecret(revokedGrant.refresh_token as string) },
    });
    await t.storage.grants.revoke(revokedRow.grantId);
    await db().refreshToken.updateMany({
      where: { grantId: revokedRow.grantId },
      data: { expiresAt: PAST() },
    });
    await db().authorizationCode.updateMany({
      where: { grantId: revokedRow.grantId },
      data: { expiresAt: PAST() },
    });

    const unused = await obtainCode(t, {
      client_id: app.clientId,
      redirect_uri: 'https://app.example.com/callback',
    });
    await db().authorizationCode.update({
      where: { codeHash: hashSecret(unused.code) },
      data: { expiresAt: PAST() },
    });
    const usedExpiredGrant = await userTokens(t, app);
    // The code behind usedExpiredGrant was used; let it expire too.
    await db().authorizationCode.updateMany({
      where: {
        consumedAt: { not: null },
        grant: { accessTokens: { some: { tokenHash: hashSecret(usedExpiredGrant.access_token) } } },
      },
      data: { expiresAt: PAST() },
    });

    await t.storage.sessions.create({ idHash: hashSecret('old-session'), userId, expiresAt: PAST() });
    await db().throttle.create({ data: { key: 'user:old', failures: 3, windowStart: DAYS_AGO(2) } });
    await db().grant.create({
      data: { id: randomId(), clientId: app.clientId, userId, scope: 'read', createdAt: DAYS_AGO(2) },
    });

    const counts = await purgeExpired(db());
    expect(counts).toEqual<PurgeCounts>({
      // unused expired + used expired + revokedGrant's
      authorizationCodes: 3,
      // expired + revoked (service) + expiredGrant's + revokedGrant's (revoked with its grant)
      accessTokens: 4,
      // expiredGrant's + revokedGrant's
      refreshTokens: 2,
      // revokedGrant (revoked, empty) + the abandoned one; expiredGrant is not revoked and is 1 day
      // young, so it stays until abandoned
      grants: 2,
      sessions: 1,
      throttle: 1,
    });

    // A second run finds nothing more.
    expect(Object.values(await purgeExpired(db())).every((n) => n === 0)).toBe(true);

    // Everything live still works.
    expect(await apiStatus(t, current.access_token)).toBe(200);
    expect(await apiStatus(t, serviceToken.access_token)).toBe(200);
    expect(await apiStatus(t, usedExpiredGrant.access_token)).toBe(200);
    expect(await t.storage.sessions.find(hashSecret('live-session'))).not.toBeNull();
    expect(await db().grant.findUnique({ where: { id: freshGrant } })).not.toBeNull();
    expect(await db().throttle.findUnique({ where: { key: 'user:locked' } })).not.toBeNull();
    expect(await db().throttle.findUnique({ where: { key: 'ip:recent' } })).not.toBeNull();
    const auth = clientAuth(app);
    const exchange = await tokenRequest(
      t,
      {
        grant_type: 'authorization_code',
        code: pending.code,
        redirect_uri: 'https://app.example.com/callback',
        code_verifier: verifier,
        ...auth.form,
      },
      auth.headers,
    );
    expect(exchange.statusCode).toBe(200);

    // F3 still holds after a purge: the rotated refresh token was kept, and its reuse ends the grant.
    const reuse = await refresh(app, rotated);
    expect(reuse.statusCode).toBe(400);
    expect(reuse.json().error).toBe('invalid_grant');
    expect(await apiStatus(t, current.access_token)).toBe(401);
  });

  it('C1 still holds after a purge: a used code that has not expired is kept, and its replay ends the grant', async () => {
    const { verifier, challenge } = pkcePair();
    const { code } = await obtainCode(t, {
      client_id: app.clientId,
      redirect_uri: 'https://app.example.com/callback',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      scope: 'read',
    });
    const auth = clientAuth(app);
    const form = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'https://app.example.com/callback',
      code_verifier: verifier,
      ...auth.form,
    };
    const first = await tokenRequest(t, form, auth.headers);
    expect(first.statusCode).toBe(200);
    await purgeExpired(db());
    const replay = await tokenRequest(t, form, auth.headers);
    expect(replay.json().error).toBe('invalid_grant');
    expect(await apiStatus(t, first.json().access_token)).toBe(401);
  });
});

describe('purge schedule', () => {
  const counts: PurgeCounts = {
    authorizationCodes: 1,
    accessTokens: 2,
    refreshTokens: 3,
    grants: 4,
    sessions: 5,
    throttle: 6,
  };

  function recorder() {
    const lines: { level: string; object: object; message: string }[] = [];
    return {
      lines,
      info: (object: object, message: string) => lines.push({ level: 'info', object, message }),
      error: (object: object, message: string) => lines.push({ level: 'error', object, message }),
    };
  }

  it('runs every interval, logs the counts, survives failures, and stops', async () => {
    const log = recorder();
    let calls = 0;
    const schedule = schedulePurge(
      async () => {
        calls++;
        if (calls === 2) throw new Error('database down\nwith details');
        return counts;
      },
      20,
      log,
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    await schedule.stop();
    const after = calls;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(calls).toBe(after);
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(log.lines[0]).toEqual({ level: 'info', object: { purged: counts }, message: expect.any(String) });
    expect(log.lines[1]).toEqual({
      level: 'error',
      object: { err: { message: 'database down' } },
      message: expect.any(String),
    });
    expect(log.lines[2]?.level).toBe('info');
  });

  it('never runs two purges at once', async () => {
    const log = recorder();
    let active = 0;
    let most = 0;
    const schedule = schedulePurge(
      async () => {
        active++;
        most = Math.max(most, active);
        await new Promise((resolve) => setTimeout(resolve, 60));
        active--;
        return counts;
      },
      10,
      log,
    );
    await new Promise((resolve) => setTimeout(resolve, 150));
    await schedule.stop();
    expect(most).toBe(1);
    expect(active).toBe(0);
  });
});

describe('cli purge', () => {
  it('prints the counts, or JSON with --json, against the configured database', async () => {
    const database = await createTestDatabase();
    try {
      await migrate(database.kind, database.url);
      const opened = await openDatabase(database.kind, database.url);
      try {
        await opened.prisma.session.create({
          data: {
            idHash: 'h',
            expiresAt: PAST(),
            user: { create: { id: 'u1', username: 'u', passwordHash: 'x' } },
          },
        });
      } finally {
        await opened.close();
      }
      const env = {
        ...process.env,
        DATABASE_URL: database.url,
        LOG_LEVEL: 'silent',
        SESSION_SECRET: 'x'.repeat(40),
      };
      const run = (args: string[]) =>
        new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
          execFile(process.execPath, ['dist/cli/main.js', ...args], { env }, (error, stdout, stderr) =>
            resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
          );
        });

      const help = await run(['purge', '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/^purge \[--json\]/);

      const text = await run(['purge']);
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/sessions\s+1/);
      expect(text.stdout).toMatch(/access tokens\s+0/);

      const json = await run(['purge', '--json']);
      expect(json.code).toBe(0);
      expect(JSON.parse(json.stdout)).toEqual({
        authorization_codes: 0,
        access_tokens: 0,
        refresh_tokens: 0,
        grants: 0,
        sessions: 0,
        throttle: 0,
      });

      const wrong = await run(['purge', '--all']);
      expect(wrong.code).toBe(2);
      expect(wrong.stderr).toMatch(/unknown option "--all"/);
    } finally {
      await database.drop();
    }
  });
});

describe('the server’s purge schedule (dist/main.js)', () => {
  it('purges every PURGE_INTERVAL seconds, logs the counts, and stops cleanly on SIGTERM', async () => {
    const database = await createTestDatabase();
    const server = spawn(process.execPath, ['dist/main.js'], {
      env: {
        ...process.env,
        DATABASE_URL: database.url,
        PORT: '0',
        PURGE_INTERVAL: '1',
        LOG_LEVEL: 'info',
        SESSION_SECRET: 'x'.repeat(40),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      server.stdout.on('data', (chunk) => (output += chunk));
      const purged = await new Promise<Record<string, unknown>>((resolve, reject) => {
        const timeout = setTimeout(() => reject(new Error(`no purge logged:\n${output}`)), 15_000);
        server.stdout.on('data', () => {
          const line = output.split('\n').find((l) => l.includes('"purged"'));
          if (line) {
            clearTimeout(timeout);
            resolve(JSON.parse(line));
          }
        });
      });
      expect(purged.purged).toEqual({
        authorizationCodes: 0,
        accessTokens: 0,
        refreshTokens: 0,
        grants: 0,
        sessions: 0,
        throttle: 0,
      });
      const exit = new Promise<number | null>((resolve) => server.on('exit', (code) => resolve(code)));
      server.kill('SIGTERM');
      expect(await exit).toBe(0);
    } finally {
      if (server.exitCode === null) server.kill('SIGKILL');
      await database.drop();
    }
  });
});
