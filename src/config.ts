import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DEFAULT_SCOPES, type ScopeCatalogue } from './oauth/scopes.js';

export type DatabaseKind = 'sqlite' | 'postgresql';

export interface Config {
  port: number;
  host: string;
  issuer: string;
  /** true when the issuer is https: cookies get Secure, responses get HSTS. */
  secure: boolean;
  databaseUrl: string;
  databaseKind: DatabaseKind;
  dataDir: string;
  sessionSecret: string;
  logLevel: string;
  production: boolean;
  scopes: ScopeCatalogue;
  /** Lifetimes in seconds. */
  authorizationCodeLifetime: number;
  accessTokenLifetime: number;
  implicitAccessTokenLifetime: number;
  refreshTokenIdleLifetime: number;
  /** 0 means no absolute limit: a grant can be refreshed for as long as it is kept. */
  refreshTokenAbsoluteLifetime: number;
  sessionLifetime: number;
  purgeInterval: number;
  /** Trust X-Forwarded-* from a load balancer in front (client addresses for throttling). */
  trustProxy: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
/** RFC 9700 §4.2.1 and the checklist (C4): an authorization code lives at most ten minutes. */
const MAX_CODE_LIFETIME = 600;

type Env = Record<string, string | undefined>;

/** Reads and validates the settings; every problem found is reported, one line each. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
      problems.push(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
      return fallback;
    }
    return Number(raw);
  };

  const flag = (name: string): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
    if (raw === 'true' || raw === '1') return true;
    problems.push(`${name} must be true or false, got "${raw}"`);
    return false;
  };

  const production = env.NODE_ENV === 'production';
  const port = integer('PORT', 3000, 0, 65535);
  const host = env.HOST || '127.0.0.1';
  const dataDir = resolve(env.DATA_DIR || 'data');

  let issuer = env.ISSUER || `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  try {
    const url = new URL(issuer);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
    if (url.search || url.hash) throw new Error('query');
    issuer = issuer.replace(/\/+$/, '');
  } catch {
    problems.push(`ISSUER must be an absolute http(s) URL without query or fragment, got "${issuer}"`);
  }
  // RFC 8414 §2 and RFC 9700 §4.13: a production issuer is https.
  if (production && issuer.startsWith('http:') && !isLoopbackUrl(issuer)) {
    problems.push('ISSUER must use https when NODE_ENV=production');
  }

  const databaseUrl = env.DATABASE_URL || `file:${join(dataDir, 'appointman.db')}`;
  let databaseKind: DatabaseKind = 'sqlite';
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) databaseKind = 'postgresql';
  else if (!databaseUrl.startsWith('file:')) {
    problems.push('DATABASE_URL must start with file: (SQLite) or postgresql:// (PostgreSQL)');
  }

  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  let scopes: ScopeCatalogue = DEFAULT_SCOPES;
  if (env.EXTRA_SCOPES) {
    try {
      scopes = { ...DEFAULT_SCOPES, ...parseExtraScopes(env.EXTRA_SCOPES) };
    } catch (error) {
      problems.push(`EXTRA_SCOPES ${(error as Error).message}`);
    }
  }

  const config: Config = {
    port,
    host,
    issuer,
    secure: issuer.startsWith('https:'),
    databaseUrl,
    databaseKind,
    dataDir,
    sessionSecret: '',
    logLevel,
    production,
    scopes,
    authorizationCodeLifetime: integer('AUTHORIZATION_CODE_LIFETIME', 60, 1, MAX_CODE_LIFETIME),
    accessTokenLifetime: integer('ACCESS_TOKEN_LIFETIME', 3600, 60, 315_360_000),
    implicitAccessTokenLifetime: integer('IMPLICIT_ACCESS_TOKEN_LIFETIME', 900, 60, 3600),
    refreshTokenIdleLifetime: integer('REFRESH_TOKEN_IDLE_LIFETIME', 30 * 86400, 60, 315_360_000),
    refreshTokenAbsoluteLifetime: integer('REFRESH_TOKEN_ABSOLUTE_LIFETIME', 0, 0, 315_360_000),
    sessionLifetime: integer('SESSION_LIFETIME', 8 * 3600, 60, 30 * 86400),
    purgeInterval: integer('PURGE_INTERVAL', 3600, 0, 7 * 86400),
    trustProxy: flag('TRUST_PROXY'),
  };

  const secret = env.SESSION_SECRET;
  if (secret !== undefined && secret !== '') {
    if (secret.length < 32) problems.push('SESSION_SECRET must be at least 32 characters');
    config.sessionSecret = secret;
  } else if (production) {
    problems.push('SESSION_SECRET is required when NODE_ENV=production (32 or more random characters)');
  }

  if (problems.length > 0) throw new ConfigError(problems);
  if (!config.sessionSecret) config.sessionSecret = embeddedSessionSecret(dataDir);
  return config;
}

/** Format: JSON object of scope name to the sentence the consent page shows. */
function parseExtraScopes(raw: string): ScopeCatalogue {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new Error('must be a JSON object such as {"reports":"See your reports"}');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error('must be a JSON object such as {"reports":"See your reports"}');
  }
  const result: ScopeCatalogue = {};
  for (const [name, description] of Object.entries(parsed)) {
    // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
    if (!/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(name)) throw new Error(`has an invalid scope name "${name}"`);
    if (typeof description !== 'string' || description.trim() === '') {
      throw new Error(`needs a description sentence for scope "${name}"`);
    }
    result[name] = description;
  }
  return result;
}

/** For the embedded default: one secret generated on first start and kept under the data folder. */
function embeddedSessionSecret(dataDir: string): string {
  const file = join(dataDir, 'session-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret, { mode: 0o600, flag: 'wx' });
  return secret;
}

function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || /^127\./.test(host);
}
