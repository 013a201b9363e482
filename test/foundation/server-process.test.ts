import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../helpers/database.js';

// The server as `npm start` runs it: a real process, migrations at start, health endpoints,
// graceful shutdown on SIGTERM.

function start(
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['dist/main.js'], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    // Decoded as a stream: a character split between two chunks stays whole.
    child.stdout?.setEncoding('utf8');
    child.stderr?.setEncoding('utf8');
    const onData = (chunk: string) => {
      output += chunk;
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
}

/** Stops the server with SIGTERM (it must exit 0) and returns its access lines, in order. */
async function stopAndReadAccessLines(server: { child: ChildProcess; output: () => string }) {
  const exited = new Promise<number | null>((resolve) => server.child.on('exit', resolve));
  server.child.kill('SIGTERM');
  expect(await exited).toBe(0);
  return server
    .output()
    .split('\n')
    .filter((line) => line.includes('"msg":"request completed"'))
    .map((line) => JSON.parse(line) as { reqId: string; req: { url: string } });
}

describe('the server process', () => {
  let running: ChildProcess | undefined;
  afterEach(() => {
    running?.kill('SIGKILL');
  });

  it('creates its database, answers /healthz and /readyz, and stops cleanly on SIGTERM', async () => {
    const database = await createTestDatabase();
    try {
      const server = await start({ DATABASE_URL: database.url, SESSION_SECRET: 's'.repeat(40) });
      running = server.child;
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready' });
      const exited = new Promise<number | null>((resolve) => server.child.on('exit', resolve));
      server.child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(server.output()).toContain('shutting down');
    } finally {
      await database.drop();
    }
  });

  it('writes every access line, in order, though it writes them in blocks: none is lost at SIGTERM', async () => {
    const database = await createTestDatabase();
    try {
      const server = await start({ DATABASE_URL: database.url, SESSION_SECRET: 's'.repeat(40) });
      running = server.child;
      // More than one block (log-destination.ts gathers 64 KiB), and a rest still gathered.
      const count = 600;
      for (let i = 0; i < count; i++) {
        expect((await fetch(`${server.url}/healthz?n=${i}`)).status).toBe(200);
      }
      const lines = (await stopAndReadAccessLines(server)).filter((line) => line.req.url === '/healthz');
      expect(lines).toHaveLength(count);
      // Fastify numbers requests in base 36, in the order they arrived.
      const ids = lines.map((line) => Number.parseInt(line.reqId.replace('req-', ''), 36));
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
      expect(new Set(ids).size).toBe(count);
    } finally {
      await database.drop();
    }
  });

  it('writes a line too long for what is left of a block whole, in its place among the others', async () => {
    const database = await createTestDatabase();
    try {
      const server = await start({ DATABASE_URL: database.url, SESSION_SECRET: 's'.repeat(40) });
      running = server.child;
      // 12,000 characters may take 36,000 bytes: the block is handed over first if less is left.
      const longPath = `/${'a'.repeat(12_000)}`;
      const count = 300;
      for (let i = 0; i < count; i++) {
        if (i === 200) expect((await fetch(`${server.url}${longPath}`)).status).toBe(404);
        expect((await fetch(`${server.url}/healthz?n=${i}`)).status).toBe(200);
      }
      const urls = (await stopAndReadAccessLines(server)).map((line) => line.req.url);
      const expected = Array.from({ length: count }, () => '/healthz');
      expected.splice(200, 0, longPath);
      expect(urls).toEqual(expected);
    } finally {
      await database.drop();
    }
  });

  it('uses the embedded SQLite database under DATA_DIR when DATABASE_URL is unset', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'appointman-data-'));
    const env: Record<string, string> = { DATA_DIR: dataDir };
    const server = await start({ ...env, DATABASE_URL: '' });
    running = server.child;
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const { existsSync } = await import('node:fs');
    expect(existsSync(join(dataDir, 'appointman.db'))).toBe(true);
    expect(existsSync(join(dataDir, 'session-secret'))).toBe(true);
  });

  it('refuses to start on a bad setting, with one line per problem', async () => {
    const child = spawn(process.execPath, ['dist/main.js'], {
      env: { ...process.env, PORT: '99999', LOG_LEVEL: 'nope' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      'config error: PORT must be a whole number from 0 to 65535, got "99999"',
      'config error: LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    ]);
  });
});
