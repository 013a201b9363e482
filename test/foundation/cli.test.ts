import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

// The operator's command line, run as a real process against a database of its own. The JSON
// shapes and flags are a contract other tools depend on (issue 2).

const run = promisify(execFile);
// The compiled command line, as operators run it (test/helpers/global-setup.ts keeps dist/ current).
const CLI = ['dist/cli/main.js'];

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

// Each command is a process of its own (and user commands hash with argon2): allow for a busy machine.
describe('operator command line', { timeout: 120_000 }, () => {
  let database: TestDatabase;
  const env = () => ({
    ...process.env,
    DATABASE_URL: database.url,
    SESSION_SECRET: 'cli-test-session-secret-0123456789abcdef',
    LOG_LEVEL: 'silent',
  });

  async function cli(args: string[], stdin?: string): Promise<Result> {
    const child = execFile(process.execPath, [...CLI, ...args], { env: env() });
    if (stdin !== undefined) child.stdin?.end(stdin);
    else child.stdin?.end();
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => (stdout += chunk));
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
    return { code, stdout, stderr };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('clients create --json prints exactly the contract fields, with the secret once', async () => {
    const result = await cli([
      'clients',
      'create',
      '--name',
      'Salon Planner',
      '--redirect-uri',
      'https://planner.example.com/cb',
      '--redirect-uri',
      'http://127.0.0.1/cb',
      '--scopes',
      'read write',
      '--json',
    ]);
    expect(result.code).toBe(0);
    const client = JSON.parse(result.stdout);
    expect(Object.keys(client).sort()).toEqual(
      ['client_id', 'client_secret', 'grant_types', 'name', 'public', 'redirect_uris', 'scopes'].sort(),
    );
    expect(client).toMatchObject({
      name: 'Salon Planner',
      redirect_uris: ['https://planner.example.com/cb', 'http://127.0.0.1/cb'],
      grant_types: ['authorization_code', 'refresh_token'],
      scopes: ['read', 'write'],
      public: false,
    });
    // 256 random bits, base64url.
    expect(client.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const shown = await cli(['clients', 'show', client.client_id, '--json']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).not.toContain(client.client_secret);
    expect(JSON.parse(shown.stdout).client_id).toBe(client.client_id);
    const listed = await cli(['clients', 'list', '--json']);
    expect(listed.stdout).not.toContain(client.client_secret);

    const rotated = await cli(['clients', 'rotate-secret', client.client_id, '--json']);
    expect(rotated.code).toBe(0);
    const secret = JSON.parse(rotated.stdout).client_secret;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(secret).not.toBe(client.client_secret);

    expect((await cli(['clients', 'delete', client.client_id])).code).toBe(0);
    expect((await cli(['clients', 'show', client.client_id])).code).not.toBe(0);
  });

  it('a public client has no secret; a client_credentials-only client needs no redirect URI', async () => {
    const pub = await cli([
      'clients',
      'create',
      '--name',
      'Phone',
      '--public',
      '--redirect-uri',
      'com.example.app:/cb',
      '--json',
    ]);
    expect(pub.code).toBe(0);
    const client = JSON.parse(pub.stdout);
    expect(client.public).toBe(true);
    expect(client).not.toHaveProperty('client_secret');

    const machine = await cli([
      'clients',
      'create',
      '--name',
      'Sync',
      '--grant-types',
      'client_credentials',
      '--json',
    ]);
    expect(machine.code).toBe(0);
    expect(JSON.parse(machine.stdout)).toMatchObject({
      grant_types: ['client_credentials'],
      redirect_uris: [],
    });
  });

  it.each([
    [['--redirect-uri', 'http://evil.example.com/cb'], 'plain http'],
    [['--redirect-uri', 'https://app.example.com/cb#frag'], 'fragment'],
    [['--redirect-uri', 'https://*.example.com/cb'], 'wildcard'],
    [['--redirect-uri', 'javascript:alert(1)'], 'javascript:'],
    [['--redirect-uri', '/relative/cb'], 'absolute'],
    [
      ['--redirect-uri', 'https://app.example.com/cb', '--grant-types', 'authorization_code,password'],
      'unknown grant type',
    ],
    [['--redirect-uri', 'https://app.example.com/cb', '--scopes', 'read everything'], 'unknown scope'],
    [[], 'redirect URI'],
  ])('refuses bad input %j with one line and writes nothing', async (extra, words) => {
    const before = await cli(['clients', 'list', '--json']);
    const result = await cli(['clients', 'create', '--name', 'Bad', ...extra]);
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(words);
    const after = await cli(['clients', 'list', '--json']);
    expect(after.stdout).toBe(before.stdout);
  });

  it('users: create from stdin, duplicate refused, empty password refused, list, set-password, delete', async () => {
    const created = await cli(
      ['users', 'create', '--username', 'alice', '--password-stdin', '--json'],
      'hunter2hunter2\n',
    );
    expect(created.code).toBe(0);
    const user = JSON.parse(created.stdout);
    expect(Object.keys(user).sort()).toEqual(['id', 'username']);
    expect(user.username).toBe('alice');

    const duplicate = await cli(
      ['users', 'create', '--username', 'alice', '--password-stdin'],
      'other-password\n',
    );
    expect(duplicate.code).not.toBe(0);
    expect(duplicate.stderr.trim().split('\n')).toHaveLength(1);
    expect(duplicate.stderr).toContain('already exists');

    const empty = await cli(['users', 'create', '--username', 'bob', '--password-stdin'], '\n');
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).toContain('empty');
    const list = await cli(['users', 'list', '--json']);
    expect(JSON.parse(list.stdout).map((u: { username: string }) => u.username)).toEqual(['alice']);
    expect(list.stdout).not.toContain('hunter2');

    expect((await cli(['users', 'set-password', 'alice', '--password-stdin'], 'new-password-1\n')).code).toBe(
      0,
    );
    expect((await cli(['users', 'set-password', 'nobody', '--password-stdin'], 'x\n')).code).not.toBe(0);
    expect((await cli(['users', 'delete', 'alice'])).code).toBe(0);
    expect(JSON.parse((await cli(['users', 'list', '--json'])).stdout)).toEqual([]);
  });

  it('accounts: create and add a member', async () => {
    await cli(['users', 'create', '--username', 'carol', '--password-stdin'], 'carol-password\n');
    const created = await cli(['accounts', 'create', '--name', 'Salon Zürich', '--json']);
    expect(created.code).toBe(0);
    const account = JSON.parse(created.stdout);
    expect(Object.keys(account).sort()).toEqual(['id', 'name']);
    expect(account.name).toBe('Salon Zürich');
    expect((await cli(['accounts', 'add-member', account.id, 'carol'])).code).toBe(0);
    const missing = await cli(['accounts', 'add-member', account.id, 'nobody']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--help on every command, usage errors exit 2', async () => {
    for (const command of [
      ['clients', 'create'],
      ['clients', 'list'],
      ['clients', 'show'],
      ['clients', 'delete'],
      ['clients', 'rotate-secret'],
      ['users', 'create'],
      ['users', 'list'],
      ['users', 'delete'],
      ['users', 'set-password'],
      ['accounts', 'create'],
      ['accounts', 'add-member'],
      ['migrate'],
    ]) {
      const help = await cli([...command, '--help']);
      expect(help.code, command.join(' ')).toBe(0);
      expect(help.stdout).toContain(command.join(' '));
    }
    const unknown = await cli(['clients', 'frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    const badFlag = await cli(['clients', 'list', '--bogus']);
    expect(badFlag.code).toBe(2);
  });

  it('a bad setting is reported in one clear line', async () => {
    const child = await run(process.execPath, [...CLI, 'clients', 'list'], {
      env: { ...env(), PORT: 'not-a-port' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect((child as { code: number }).code).not.toBe(0);
    expect((child as { stderr: string }).stderr).toContain('PORT must be a whole number');
  });
});

describe('generated ids', () => {
  it('never start with a dash or underscore, so they work as command-line arguments', async () => {
    const { randomId } = await import('../../src/security/secrets.js');
    for (let i = 0; i < 5000; i++) expect(randomId()).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{21}$/);
  });
});
