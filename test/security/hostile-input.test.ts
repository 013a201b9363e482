import { connect } from 'node:net';
import fc from 'fast-check';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { type Browser, hiddenFields } from '../helpers/browser.js';
import { basicAuth, makeClient, makeUser, pkcePair, tokenRequest } from '../helpers/fixtures.js';
import {
  consentPage,
  REDIRECT_URI,
  type RowCounts,
  rowCounts,
  signedIn,
  type TestClient,
} from './support.js';

// Hostile input at every endpoint (RFC 6749 §3.1, §3.2, §5.2; RFC 6750 §3.1; checklist T3, T4,
// R1, A1): malformed, oversized, repeated, wrongly encoded and wrongly typed parameters, headers and
// bodies. Never a 5xx, never a hang, always the endpoint's error shape, and a refused request
// leaves every table as it was. fast-check shrinks any failure to a minimal request.

type Format = 'oauth' | 'page' | 'api' | 'admin';

/** FUZZ_SCALE=20 for a deeper run by hand; the default keeps the file well under a minute. */
const RUNS_SCALE = 2 * Number(process.env.FUZZ_SCALE ?? 1);

/** Values that have broken servers: encodings, injections, prototypes, sizes, types. */
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '%00',
  '%',
  '%zz',
  '%ff',
  '\uffff',
  '\ud800',
  '\u202e',
  '\r\nSet-Cookie: x=1',
  '../../etc/passwd',
  '%2e%2e%2f',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' OR '1'='1' --",
  '"; DROP TABLE "Client"; --',
  '{{7*7}}',
  '$' + '{7*7}',
  '__proto__',
  'constructor',
  'toString',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  'true',
  '[]',
  '{}',
  'javascript:alert(1)',
  'https://evil.example/cb',
  'S256',
  'plain',
  'code',
  'token',
  'authorization_code',
  'client_credentials',
  'refresh_token',
  'read',
  'admin',
  'allow',
];

const nastyString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 2_000, maxLength: 20_000 }) },
);

/** A parameter value: a string, repeated, or (in JSON) the wrong type altogether. */
const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: nastyString },
  { weight: 2, arbitrary: fc.array(nastyString, { minLength: 2, maxLength: 3 }) },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null)) },
  {
    weight: 1,
    arbitrary: fc.dictionary(fc.constantFrom('a', '$ne', '__proto__'), nastyString, { maxKeys: 2 }),
  },
);

const printable = (min: number, max: number) =>
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    minLength: min,
    maxLength: max,
  });

const CONTENT_TYPES = [
  'application/x-www-form-urlencoded',
  'application/json',
  'application/json; charset=latin1',
  'text/plain',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/x-www-form-urlencoded; charset=utf-16',
  'application/octet-stream',
  '',
];

interface Target {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** The path, possibly built from a hostile value (path parameters). */
  path: (segment: string) => string;
  format: Format;
  names: string[];
  /** Headers a legitimate caller would send (session cookie, credentials). */
  baseline: () => Record<string, string>;
  /** Fields that make the request valid, for the fuzzer to start from (and spoil). */
  fields?: () => Record<string, string>;
  /** Fixed fields applied last, e.g. a decision that is never "allow". */
  override?: fc.Arbitrary<Record<string, unknown>>;
  /** Tables a refused request may still touch (failed sign-ins are counted). */
  mayChange?: (keyof RowCounts)[];
  numRuns: number;
}

interface HostileRequest {
  params: Record<string, unknown>;
  encoding: 'form' | 'json' | 'query' | 'raw';
  raw: Uint8Array;
  contentType: string;
  segment: string;
  headers: Record<string, string>;
  useBaseline: boolean;
  useFields: boolean;
}

/** Lone surrogates cannot be percent-encoded: they become U+FFFD, as a browser would send them. */
const wellFormed = (value: string) =>
  value.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

function formEncode(params: Record<string, unknown>): string {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      form.append(
        wellFormed(name),
        wellFormed(typeof item === 'string' ? item : (JSON.stringify(item) ?? '')),
      );
    }
  }
  return form.toString();
}

describe('hostile input at every endpoint', () => {
  let t: TestApp;
  let alice: Browser;
  let leaver: Browser;
  let codeOnly: TestClient;
  let publicClient: TestClient;
  let adminToken: string;
  let userToken: string;
  let consentFields: Record<string, string>;
  let aliceCsrf: string;

  beforeAll(async () => {
    t = await createTestApp();
    await makeUser(t, 'alice');
    await makeUser(t, 'leaver');
    codeOnly = await makeClient(t, { name: 'Code Only' });
    publicClient = await makeClient(t, {
      public: true,
      redirectUris: [
        REDIRECT_URI,
        'http://127.0.0.1/cb',
        'http://[::1]:8080/cb',
        'com.example.app:/cb',
        'https://app.example.com/cb?tenant=a',
      ],
    });
    const adminClient = await makeClient(t, {
      admin: true,
      grantTypes: ['client_credentials'],
      scopes: ['admin', 'read'],
    });
    adminToken = (
      await tokenRequest(
        t,
        { grant_type: 'client_credentials', scope: 'admin' },
        {
          authorization: basicAuth(adminClient.clientId, adminClient.secret as string),
        },
      )
    ).json().access_token;
    const machine = await makeClient(t, { grantTypes: ['client_credentials'], scopes: ['read'] });
    userToken = (
      await tokenRequest(
        t,
        { grant_type: 'client_credentials', scope: 'read' },
        {
          authorization: basicAuth(machine.clientId, machine.secret as string),
        },
      )
    ).json().access_token;
    alice = await signedIn(t, 'alice');
    leaver = await signedIn(t, 'leaver');
    const consent = await consentPage(alice, {
      response_type: 'code',
      client_id: publicClient.clientId,
      redirect_uri: REDIRECT_URI,
      scope: 'read',
      state: 's',
      code_challenge: pkcePair().challenge,
      code_challenge_method: 'S256',
    });
    consentFields = consent.fields;
    aliceCsrf = consent.fields.csrf_token as string;
  });
  afterAll(() => t.close());

  const cookieOf = (browser: Browser) => [...browser.cookies].map(([n, v]) => `${n}=${v}`).join('; ');
  const AUTHORIZE = [
    'client_id',
    'redirect_uri',
    'response_type',
    'scope',
    'state',
    'code_challenge',
    'code_challenge_method',
  ];
  const TOKEN = [
    'grant_type',
    'code',
    'redirect_uri',
    'code_verifier',
    'refresh_token',
    'scope',
    'client_id',
    'client_secret',
    'expires_in',
  ];
  const notAllow = fc.record({
    decision: fc.oneof(
      fc.constant('deny'),
      nastyValue.filter((v) => v !== 'allow'),
    ),
  });

  const targets = (): Target[] => [
    {
      name: 'GET /oauth/authorize',
      method: 'GET',
      path: () => '/oauth/authorize',
      format: 'page',
      names: AUTHORIZE,
      baseline: () => ({ cookie: cookieOf(alice) }),
      fields: () => ({ ...consentFields }),
      numRuns: 40,
    },
    {
      name: 'POST /oauth/authorize',
      method: 'POST',
      path: () => '/oauth/authorize',
      format: 'page',
      names: AUTHORIZE,
      baseline: () => ({ cookie: cookieOf(alice) }),
      fields: () => ({ ...consentFields }),
      numRuns: 30,
    },
    {
      name: 'POST /oauth/authorize/decision',
      method: 'POST',
      path: () => '/oauth/authorize/decision',
      format: 'page',
      names: [...AUTHORIZE, 'csrf_token', 'decision'],
      baseline: () => ({ cookie: cookieOf(alice) }),
      fields: () => ({ ...consentFields }),
      override: notAllow,
      numRuns: 40,
    },
    {
      name: 'GET /login',
      method: 'GET',
      path: () => '/login',
      format: 'page',
      names: ['return_to'],
      baseline: () => ({}),
      numRuns: 20,
    },
    {
      name: 'POST /login',
      method: 'POST',
      path: () => '/login',
      format: 'page',
      names: ['username', 'password', 'csrf_token', 'return_to'],
      baseline: () => ({ cookie: cookieOf(alice) }),
      fields: () => ({ csrf_token: aliceCsrf }),
      mayChange: ['throttle', 'session'],
      numRuns: 15,
    },
    {
      name: 'POST /logout',
      method: 'POST',
      path: () => '/logout',
      format: 'page',
      names: ['csrf_token'],
      baseline: () => ({ cookie: cookieOf(leaver) }),
      numRuns: 15,
    },
    {
      name: 'POST /oauth/token',
      method: 'POST',
      path: () => '/oauth/token',
      format: 'oauth',
      names: TOKEN,
      baseline: () => ({ authorization: basicAuth(codeOnly.clientId, codeOnly.secret as string) }),
      numRuns: 60,
    },
    {
      name: 'POST /oauth/revoke',
      method: 'POST',
      path: () => '/oauth/revoke',
      format: 'oauth',
      names: ['token', 'token_type_hint', 'client_id', 'client_secret'],
      baseline: () => ({ authorization: basicAuth(codeOnly.clientId, codeOnly.secret as string) }),
      numRuns: 40,
    },
    {
      name: 'POST /oauth/introspect',
      method: 'POST',
      path: () => '/oauth/introspect',
      format: 'oauth',
      names: ['token', 'token_type_hint', 'client_id', 'client_secret'],
      baseline: () => ({ authorization: basicAuth(codeOnly.clientId, codeOnly.secret as string) }),
      numRuns: 40,
    },
    {
      name: 'GET /api/v1/me',
      method: 'GET',
      path: () => '/api/v1/me',
      format: 'api',
      names: ['access_token'],
      baseline: () => ({ authorization: `Bearer ${userToken}` }),
      numRuns: 20,
    },
    {
      name: 'GET /api/v1/accounts',
      method: 'GET',
      path: () => '/api/v1/accounts',
      format: 'api',
      names: ['access_token'],
      baseline: () => ({ authorization: `Bearer ${userToken}` }),
      numRuns: 20,
    },
    {
      name: 'GET /connected-apps',
      method: 'GET',
      path: () => '/connected-apps',
      format: 'page',
      names: ['revoked'],
      baseline: () => ({ cookie: cookieOf(alice) }),
      numRuns: 15,
    },
    {
      name: 'POST /connected-apps/revoke',
      method: 'POST',
      path: () => '/connected-apps/revoke',
      format: 'page',
      names: ['client_id', 'csrf_token'],
      baseline: () => ({ cookie: cookieOf(alice) }),
      fields: () => ({ csrf_token: aliceCsrf }),
      numRuns: 25,
    },
    {
      name: 'POST /admin/v1/clients',
      method: 'POST',
      path: () => '/admin/v1/clients',
      format: 'admin',
      names: [
        'name',
        'description',
        'redirect_uris',
        'grant_types',
        'scopes',
        'public',
        'admin',
        'owner',
        'accounts',
      ],
      baseline: () => ({ authorization: `Bearer ${adminToken}` }),
      numRuns: 30,
    },
    {
      name: 'GET /admin/v1/clients/:id',
      method: 'GET',
      path: (id) => `/admin/v1/clients/${id}`,
      format: 'admin',
      names: [],
      baseline: () => ({ authorization: `Bearer ${adminToken}` }),
      numRuns: 25,
    },
    {
      name: 'PATCH /admin/v1/clients/:id',
      method: 'PATCH',
      path: (id) => `/admin/v1/clients/${id}`,
      format: 'admin',
      names: ['name', 'redirect_uris', 'grant_types', 'scopes', 'accounts'],
      baseline: () => ({ authorization: `Bearer ${adminToken}` }),
      numRuns: 25,
    },
    {
      name: 'DELETE /admin/v1/clients/:id',
      method: 'DELETE',
      path: (id) => `/admin/v1/clients/${id}`,
      format: 'admin',
      names: [],
      baseline: () => ({ authorization: `Bearer ${adminToken}` }),
      numRuns: 20,
    },
    {
      name: 'POST /admin/v1/users',
      method: 'POST',
      path: () => '/admin/v1/users',
      format: 'admin',
      names: ['username', 'email', 'password'],
      baseline: () => ({ authorization: `Bearer ${adminToken}` }),
      numRuns: 20,
    },
    {
      name: 'POST /admin/v1/users/:username/password',
      method: 'POST',
      path: (name) => `/admin/v1/users/${name}/password`,
      format: 'admin',
      names: ['password'],
      baseline: () => ({ authorization: `Bearer ${adminToken}` }),
      numRuns: 15,
    },
    {
      name: 'POST /admin/v1/accounts/:id/members',
      method: 'POST',
      path: (id) => `/admin/v1/accounts/${id}/members`,
      format: 'admin',
      names: ['username'],
      baseline: () => ({ authorization: `Bearer ${adminToken}` }),
      numRuns: 15,
    },
  ];

  const hostileRequest = (target: Target): fc.Arbitrary<HostileRequest> =>
    fc.record({
      params: fc.dictionary(
        fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom(...(target.names.length > 0 ? target.names : ['x'])) },
          {
            weight: 1,
            arbitrary: fc.constantFrom('__proto__', 'constructor', 'hasOwnProperty', '', 'a[b]', 'a.b'),
          },
          { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 10 }) },
        ),
        nastyValue,
        { maxKeys: 6 },
      ),
      encoding: fc.constantFrom('form', 'json', 'query', 'raw'),
      raw: fc.uint8Array({ maxLength: 300 }),
      contentType: fc.constantFrom(...CONTENT_TYPES),
      segment: fc.oneof(
        fc.constantFrom(
          '%00',
          '..%2f..%2fetc',
          '%2e%2e',
          'x'.repeat(300),
          '%ff',
          '%',
          'a%00b',
          '__proto__',
          'constructor',
        ),
        fc.string({ unit: 'binary', maxLength: 30 }).map((s) => encodeURIComponent(wellFormed(s)) || 'x'),
      ),
      headers: fc.dictionary(
        fc.constantFrom(
          'authorization',
          'cookie',
          'accept-language',
          'x-forwarded-for',
          'accept',
          'origin',
          'content-length',
          'transfer-encoding',
          'host',
        ),
        fc.oneof(
          printable(0, 60),
          fc.constantFrom(
            'Basic',
            'Basic !!!',
            `Basic ${Buffer.from('%00:x').toString('base64')}`,
            `Basic ${Buffer.from('\u0000:\u0000').toString('base64')}`,
            `Basic ${Buffer.from(':').toString('base64')}`,
            'Bearer',
            'Bearer  x',
            'Bearer a\tb',
            'bearer x',
            'Negotiate x',
            'de;q=abc, *;q=2',
            'zz-ZZ-x-private',
            '9'.repeat(30),
            'chunked',
          ),
          printable(2_000, 8_000),
        ),
        { maxKeys: 3 },
      ),
      useBaseline: fc.boolean(),
      useFields: fc.boolean(),
    });

  function build(target: Target, request: HostileRequest, override: Record<string, unknown>): InjectOptions {
    const params = {
      ...(request.useFields && target.fields ? target.fields() : {}),
      ...request.params,
      ...override,
    };
    const headers: Record<string, string> = {
      ...(request.useBaseline ? target.baseline() : {}),
      ...Object.fromEntries(
        Object.entries(request.headers).filter(
          ([name]) => !['content-length', 'transfer-encoding', 'host'].includes(name),
        ),
      ),
    };
    let url = target.path(request.segment);
    let payload: string | Buffer | undefined;
    const encoding = target.method === 'GET' || target.method === 'DELETE' ? 'query' : request.encoding;
    if (encoding === 'query') {
      const query = formEncode(params);
      if (query) url += `?${query}`;
    } else if (encoding === 'form') {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      payload = formEncode(params);
    } else if (encoding === 'json') {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(params);
    } else {
      if (request.contentType) headers['content-type'] = request.contentType;
      payload = Buffer.from(request.raw);
    }
    return { method: target.method, url, headers, payload };
  }

  /** The error shape each kind of endpoint promises. */
  function expectShape(target: Target, response: LightMyRequestResponse, context: string) {
    const type = String(response.headers['content-type'] ?? '');
    if (target.format === 'page') {
      expect(type, context).toMatch(/^text\/html/);
      return;
    }
    expect(type, context).toMatch(/^application\/json/);
    const body = response.json() as Record<string, unknown>;
    expect(typeof body.error, context).toBe('string');
    if (target.format === 'admin') {
      // The admin API's {error, message}; a path no admin route matches gets the server's 404 or
      // body error in the general shape.
      expect(typeof (body.message ?? body.error_description), context).toBe('string');
      return;
    }
    expect(typeof body.error_description, context).toBe('string');
    if (target.format === 'oauth') {
      expect(Object.keys(body).sort(), context).toEqual(['error', 'error_description']);
      expect(response.headers['cache-control'], context).toBe('no-store');
    }
  }

  async function send(options: InjectOptions): Promise<{ response: LightMyRequestResponse; ms: number }> {
    const start = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const response = await Promise.race([
      t.app.inject(options),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new Error(`no answer within 5 s: ${options.method} ${String(options.url).slice(0, 200)}`)),
          5_000,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    return { response, ms: performance.now() - start };
  }

  const without = (counts: RowCounts, tables: (keyof RowCounts)[] = []) =>
    Object.fromEntries(
      Object.entries(counts).filter(([table]) => !tables.includes(table as keyof RowCounts)),
    );

  it(
    'T3 T4 never a 5xx, never a hang, the right error shape, and refused requests change nothing',
    async () => {
      const failures: string[] = [];
      for (const target of targets()) {
        const outcome = await fc.check(
          fc.asyncProperty(
            hostileRequest(target),
            target.override ?? fc.constant({}),
            async (request, override) => {
              const options = build(target, request, override);
              const before = await rowCounts(t);
              const { response, ms } = await send(options);
              const context = `${target.name}: ${options.method} ${String(options.url).slice(0, 300)} → ${response.statusCode} ${response.body.slice(0, 300)}`;
              expect(response.statusCode, context).toBeLessThan(500);
              expect(ms, context).toBeLessThan(5_000);
              const location = String(response.headers.location ?? '');
              const refused = response.statusCode >= 400 || /[?#&]error=/.test(location);
              if (response.statusCode >= 400) expectShape(target, response, context);
              if (refused) {
                expect(without(await rowCounts(t), target.mayChange), context).toEqual(
                  without(before, target.mayChange),
                );
              }
            },
          ),
          { numRuns: Math.round(target.numRuns * RUNS_SCALE), endOnFailure: true },
        );
        if (outcome.failed)
          failures.push(`${target.name}: ${String((outcome.errorInstance as Error)?.message).slice(0, 600)}`);
      }
      expect(failures).toEqual([]);
    },
    120_000 * RUNS_SCALE,
  );

  /** The values most likely to break a layer below: the database, the URL parser, the templates. */
  const WORST: unknown[] = ['\u0000', 'a\u0000b', '\ud800', 'x'.repeat(5_000), ['a', 'b'], 7, { $gt: '' }];
  const WORST_SEGMENTS = [
    '%00',
    'a%00b',
    '%ff',
    '%ED%A0%80',
    encodeURIComponent('<script>'),
    'x'.repeat(250),
  ];
  const WORST_BASIC = ['%00:x', 'a%00b:x', '\u0000:x', 'x:\u0000', '%ff:x', '\u00e9:x'].map(
    (pair) => `Basic ${Buffer.from(pair).toString('base64')}`,
  );

  it('T3 every parameter of every endpoint, one at a time, with each of the worst values', async () => {
    const failures: string[] = [];
    const base = {
      raw: new Uint8Array(),
      contentType: '',
      segment: 'x',
      headers: {},
      useBaseline: true,
      useFields: true,
    };
    for (const target of targets()) {
      const cases: HostileRequest[] = [];
      for (const name of target.names.length > 0 ? target.names : ['x']) {
        for (const value of WORST) {
          cases.push({ ...base, params: { [name]: value }, encoding: 'form' });
          if (typeof value !== 'string' || value.length < 10)
            cases.push({ ...base, params: { [name]: value }, encoding: 'json' });
        }
      }
      for (const segment of WORST_SEGMENTS) cases.push({ ...base, params: {}, encoding: 'json', segment });
      if (target.format === 'oauth' || target.format === 'api') {
        for (const authorization of WORST_BASIC) {
          cases.push({
            ...base,
            params: {},
            encoding: 'form',
            headers: { authorization },
            useBaseline: false,
          });
        }
      }
      const before = await rowCounts(t);
      for (const request of cases) {
        const options = build(target, request, target.override ? { decision: 'deny' } : {});
        const { response } = await send(options);
        const context = `${target.name}: ${String(options.url).slice(0, 100)} ${String(options.payload ?? '').slice(0, 100)} ${JSON.stringify(request.headers)} → ${response.statusCode} ${response.body.slice(0, 150)}`;
        if (response.statusCode >= 500) failures.push(context);
        else if (response.statusCode >= 400) {
          try {
            expectShape(target, response, context);
          } catch (error) {
            failures.push(`${context}: ${(error as Error).message.slice(0, 200)}`);
          }
        }
      }
      const after = await rowCounts(t);
      if (
        JSON.stringify(without(after, target.mayChange)) !== JSON.stringify(without(before, target.mayChange))
      ) {
        failures.push(
          `${target.name}: stored rows changed ${JSON.stringify(before)} → ${JSON.stringify(after)}`,
        );
      }
    }
    expect(failures).toEqual([]);
  }, 120_000);

  it('T4 bodies over 64 KiB are refused: invalid_request on OAuth endpoints, never a 5xx', async () => {
    const big = `grant_type=client_credentials&pad=${'a'.repeat(65 * 1024)}`;
    for (const url of ['/oauth/token', '/oauth/revoke', '/oauth/introspect']) {
      for (const [type, payload] of [
        ['application/x-www-form-urlencoded', big],
        [
          'application/json',
          JSON.stringify({ grant_type: 'client_credentials', pad: 'a'.repeat(65 * 1024) }),
        ],
      ] as const) {
        const { response } = await send({ method: 'POST', url, headers: { 'content-type': type }, payload });
        expect([400, 413], `${url} ${type}`).toContain(response.statusCode);
        expect(response.json().error).toBe('invalid_request');
        expect(response.headers['cache-control']).toBe('no-store');
      }
    }
    for (const url of ['/login', '/oauth/authorize', '/oauth/authorize/decision', '/logout']) {
      const { response } = await send({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieOf(alice) },
        payload: big,
      });
      expect([400, 413], url).toContain(response.statusCode);
      expect(response.headers['content-type']).toMatch(/^text\/html/);
    }
    // Just under the limit is an ordinary request.
    const { response } = await send({
      method: 'POST',
      url: '/oauth/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basicAuth(codeOnly.clientId, codeOnly.secret as string),
      },
      payload: `grant_type=authorization_code&code=x&pad=${'a'.repeat(60 * 1024)}`,
    });
    expect(response.json().error).toBe('invalid_grant');
  });

  it('T4 a huge declared body over a real socket is refused at once, without waiting for it', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const port = (t.app.server.address() as { port: number }).port;
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1');
        let data = '';
        const timer = setTimeout(() => {
          socket.destroy();
          reject(new Error(`no answer within 3 s: ${data}`));
        }, 3_000);
        socket.on('data', (chunk) => {
          data += chunk.toString();
          if (data.includes('\r\n\r\n') && data.includes('}')) {
            clearTimeout(timer);
            socket.destroy();
            resolve(data);
          }
        });
        socket.on('error', reject);
        socket.write(
          'POST /oauth/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000000\r\n\r\ngrant_type=',
        );
      });
      expect(answer).toMatch(/^HTTP\/1\.1 (400|413)/);
      expect(answer).toContain('"error":"invalid_request"');
    } finally {
      await t.app.server.close();
    }
  });

  // R1 (RFC 9700 §4.1.1, RFC 8252 §7.3): [requested redirect_uri, accepted?]. The client registered
  // https://app.example.com/callback, http://127.0.0.1/cb, http://[::1]:8080/cb,
  // com.example.app:/cb and https://app.example.com/cb?tenant=a.
  const REDIRECT_ATTACKS: [string, boolean][] = [
    ['https://app.example.com/callback', true],
    ['https://app.example.com/cb?tenant=a', true],
    ['com.example.app:/cb', true],
    ['http://127.0.0.1/cb', true],
    ['http://127.0.0.1:1/cb', true],
    ['http://127.0.0.1:65535/cb', true],
    ['http://[::1]:8080/cb', true],
    ['http://[::1]/cb', true],
    ['http://[::1]:9/cb', true],
    // Trailing characters, queries, fragments
    ['https://app.example.com/callback/', false],
    ['https://app.example.com/callback?', false],
    ['https://app.example.com/callback#', false],
    ['https://app.example.com/callback#frag', false],
    ['https://app.example.com/callback?x=1', false],
    ['https://app.example.com/callback?redirect=https://evil.example', false],
    ['https://app.example.com/cb?tenant=b', false],
    ['https://app.example.com/cb?tenant=A', false],
    ['https://app.example.com/cb?tenant=a&x=1', false],
    ['https://app.example.com/cb?x=1&tenant=a', false],
    ['https://app.example.com/cb', false],
    ['https://app.example.com/callback%20', false],
    ['https://app.example.com/callback ', false],
    [' https://app.example.com/callback', false],
    ['https://app.example.com/callback\t', false],
    ['https://app.example.com/callback%00', false],
    ['https://app.example.com/callback\u0000', false],
    // Traversal and its encodings
    ['https://app.example.com/callback/..', false],
    ['https://app.example.com/callback/../callback', false],
    ['https://app.example.com/x/../callback', false],
    ['https://app.example.com/callback/%2e%2e/callback', false],
    ['https://app.example.com/callback/%2E%2E/callback', false],
    ['https://app.example.com/%2e%2e/callback', false],
    ['https://app.example.com/callback%2f..%2f..%2fevil', false],
    ['https://app.example.com/callback/%252e%252e/', false],
    ['https://app.example.com/./callback', false],
    ['https://app.example.com//callback', false],
    ['https://app.example.com/%63allback', false],
    ['https://app.example.com/callback/.%2e/', false],
    // Case
    ['HTTPS://app.example.com/callback', false],
    ['https://APP.EXAMPLE.COM/callback', false],
    ['https://app.example.com/CALLBACK', false],
    ['COM.EXAMPLE.APP:/cb', false],
    // Host tricks and user-info
    ['https://app.example.com./callback', false],
    ['https://app.example.com:443/callback', false],
    ['https://app.example.com:8443/callback', false],
    ['https://user@app.example.com/callback', false],
    ['https://user:pass@app.example.com/callback', false],
    ['https://app.example.com@evil.example/callback', false],
    ['https://app.example.com%40evil.example/callback', false],
    ['https://app.example.com\\@evil.example/callback', false],
    ['https://app.example.com.evil.example/callback', false],
    ['https://evil.example/https://app.example.com/callback', false],
    ['https://evil.example#https://app.example.com/callback', false],
    ['https://evil.example?https://app.example.com/callback', false],
    ['https://xn--pp-jia.example.com/callback', false],
    // Other schemes and malformed forms
    ['http://app.example.com/callback', false],
    ['https:app.example.com/callback', false],
    ['https:/app.example.com/callback', false],
    ['https:///app.example.com/callback', false],
    ['//app.example.com/callback', false],
    ['/callback', false],
    ['javascript://app.example.com/callback%0aalert(1)', false],
    ['javascript:alert(1)', false],
    ['data:text/html,<script>alert(1)</script>', false],
    ['file:///callback', false],
    ['vbscript:msgbox', false],
    ['com.example.app:/cb/', false],
    ['com.example.app://cb', false],
    ['com.example.evil:/cb', false],
    // Loopback: only the port may change, and only for the IP literals
    ['http://127.0.0.1:8080/cb/', false],
    ['http://127.0.0.1:8080/cb?x=1', false],
    ['http://127.0.0.1:8080/cb#x', false],
    ['http://127.0.0.1:8080/other', false],
    ['http://127.0.0.1:8080/CB', false],
    ['https://127.0.0.1:8080/cb', false],
    ['http://127.1:8080/cb', false],
    ['http://127.0.0.2/cb', false],
    ['http://2130706433/cb', false],
    ['http://0x7f.0.0.1/cb', false],
    ['http://0177.0.0.1/cb', false],
    ['http://localhost/cb', false],
    ['http://localhost:8080/cb', false],
    ['http://127.0.0.1:99999/cb', false],
    ['http://127.0.0.1:-1/cb', false],
    ['http://127.0.0.1:/cb', false],
    ['http://127.0.0.1:0x50/cb', false],
    ['http://127.0.0.1:8080@evil.example/cb', false],
    ['http://evil.example@127.0.0.1:8080/cb', false],
    ['http://127.0.0.1.evil.example/cb', false],
    ['http://[::1]:8080/cb/', false],
    ['http://[::1]:8080/other', false],
    ['http://[0:0:0:0:0:0:0:1]:8080/cb', false],
    ['http://[::ffff:127.0.0.1]:8080/cb', false],
    ['http://[::1]@evil.example/cb', false],
  ];

  it('R1 redirect URI attacks: only the registered strings (and loopback ports) are accepted', async () => {
    const { challenge } = pkcePair();
    const failures: string[] = [];
    for (const [uri, accepted] of REDIRECT_ATTACKS) {
      const before = await rowCounts(t);
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: publicClient.clientId,
        redirect_uri: uri,
        scope: 'read',
        state: 's',
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      const { response } = await send({
        method: 'GET',
        url: `/oauth/authorize?${query}`,
        headers: { cookie: cookieOf(alice) },
      });
      const ok = accepted
        ? response.statusCode === 200 && hiddenFields(response.body).redirect_uri === uri
        : response.statusCode === 400 && response.headers.location === undefined;
      if (!ok)
        failures.push(`${JSON.stringify(uri)} → ${response.statusCode} ${response.headers.location ?? ''}`);
      expect(await rowCounts(t)).toEqual(before);
    }
    expect(failures).toEqual([]);
  });
});
