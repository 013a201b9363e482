import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

describe('configuration from the environment', () => {
  it('has the documented defaults, with SQLite under the data folder', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'appointman-config-'));
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      issuer: 'http://127.0.0.1:3000',
      databaseKind: 'sqlite',
      databaseUrl: `file:${join(dataDir, 'appointman.db')}`,
      accessTokenLifetime: 3600,
      authorizationCodeLifetime: 60,
      refreshTokenIdleLifetime: 30 * 86400,
      refreshTokenAbsoluteLifetime: 0,
    });
    expect(Object.keys(config.scopes)).toEqual(['read', 'write', 'admin']);
  });

  it('generates the embedded session secret once, readable only by its owner, and keeps it', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'appointman-config-'));
    const first = loadConfig({ DATA_DIR: dataDir }).sessionSecret;
    const file = join(dataDir, 'session-secret');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o077).toBe(0);
    expect(first.length).toBeGreaterThanOrEqual(43);
    expect(loadConfig({ DATA_DIR: dataDir }).sessionSecret).toBe(first);
    expect(readFileSync(file, 'utf8')).toBe(first);
  });

  it('reports every problem, one line each', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://x',
      AUTHORIZATION_CODE_LIFETIME: '3600',
      ISSUER: 'ftp://x',
      SESSION_SECRET: 'short',
    });
    expect(problems).toHaveLength(6);
    for (const problem of problems) expect(problem).not.toContain('\n');
    expect(problems.join(' ')).toContain('AUTHORIZATION_CODE_LIFETIME must be a whole number from 1 to 600');
  });

  it('requires SESSION_SECRET and an https issuer in production', () => {
    const problems = problemsOf({ NODE_ENV: 'production', ISSUER: 'http://auth.example.com' });
    expect(problems.some((p) => p.startsWith('SESSION_SECRET is required'))).toBe(true);
    expect(problems.some((p) => p.startsWith('ISSUER must use https'))).toBe(true);
  });

  it('selects PostgreSQL from the URL and extends the scope catalogue', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgresql://u@localhost/db',
      SESSION_SECRET: 'x'.repeat(32),
      EXTRA_SCOPES: '{"reports":"See your reports"}',
    });
    expect(config.databaseKind).toBe('postgresql');
    expect(config.scopes.reports).toBe('See your reports');
    expect(problemsOf({ EXTRA_SCOPES: '{"bad scope":"x"}', SESSION_SECRET: 'x'.repeat(32) })[0]).toContain(
      'invalid scope name',
    );
  });
});
