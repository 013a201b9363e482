import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { methodText, milliseconds, statusText } from '../../src/http/request-logger.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { TEST_DATABASE } from '../helpers/database.js';

// The access line is written by hand, as pino would write it (src/http/request-logger.ts), and a
// request's own logger is made only when the request logs something else. Both must keep the log
// what it was: one JSON line per request, pino's fields in pino's order, no query string.

interface Line {
  level: number;
  time: number;
  pid: number;
  hostname: string;
  reqId: string;
  req?: { method: string; url: string; remoteAddress?: string };
  res?: { statusCode: number };
  responseTime?: number;
  msg: string;
}

describe(`the access log on ${TEST_DATABASE}`, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  const linesAfter = async (run: () => Promise<unknown>): Promise<Line[]> => {
    const before = t.logs.length;
    await run();
    return t.logs
      .slice(before)
      .flatMap((chunk) => chunk.split('\n'))
      .filter((text) => text !== '')
      .map((text) => JSON.parse(text) as Line);
  };

  it('O1 one line per request, as pino writes it, with the path and without the query string', async () => {
    const lines = await linesAfter(() =>
      t.app.inject({ method: 'GET', url: '/healthz?token=secret-in-the-url' }),
    );
    expect(lines).toHaveLength(1);
    const [line] = lines as [Line];
    expect(Object.keys(line)).toEqual([
      'level',
      'time',
      'pid',
      'hostname',
      'reqId',
      'req',
      'res',
      'responseTime',
      'msg',
    ]);
    expect(line).toMatchObject({
      level: 30,
      pid: process.pid,
      msg: 'request completed',
      req: { method: 'GET', url: '/healthz', remoteAddress: '127.0.0.1' },
      res: { statusCode: 200 },
    });
    expect(Math.abs(line.time - Date.now())).toBeLessThan(60_000);
    expect(line.reqId).toMatch(/^req-/);
    expect(typeof line.responseTime).toBe('number');
    expect(JSON.stringify(line)).not.toContain('secret-in-the-url');
  });

  it('a path with quotes and a backslash is still one valid JSON line', async () => {
    // Sent raw: inject() would percent-encode the path first.
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const path = '/no/such/"page"\\x';
    const lines = await linesAfter(
      () =>
        new Promise<void>((resolve, reject) => {
          const socket = connect(port, '127.0.0.1', () => {
            socket.end(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
          });
          socket.on('error', reject);
          socket.on('close', () => resolve());
          socket.resume();
        }),
    );
    const access = lines.filter((line) => line.msg === 'request completed');
    expect(access).toHaveLength(1);
    expect(access[0]?.req?.url).toBe(path);
    expect(access[0]?.res?.statusCode).toBe(404);
  });

  it('the response time is written as pino wrote it: milliseconds rounded to hundredths', () => {
    const samples = [0, 0.004, 0.005, 0.29, 1, 1.05, 1.1, 1.234, 1.5, 9.999, 12.3456, 1234.56, 86_400_000.5];
    for (let i = 0; i < 2000; i++) samples.push(Math.random() * 10 ** (i % 6));
    for (const elapsed of samples) {
      expect(milliseconds(elapsed), String(elapsed)).toBe(JSON.stringify(Math.round(elapsed * 100) / 100));
    }
    expect([Number.NaN, -1, Number.POSITIVE_INFINITY].map(milliseconds)).toEqual(['0', '0', '0']);
  });

  it('the method and the status code are written as they came, from strings of our own', () => {
    // request-logger.ts keeps its own copies so that the line stays one byte a character; the text
    // must be the same for every code and method, known or not.
    for (let code = 0; code < 1000; code++) expect(statusText(code)).toBe(String(code));
    for (const method of [
      'GET',
      'HEAD',
      'POST',
      'PUT',
      'PATCH',
      'DELETE',
      'OPTIONS',
      'PROPFIND',
      'M-SEARCH',
    ]) {
      expect(methodText(method)).toBe(method);
    }
  });

  it('an address beyond ASCII (X-Forwarded-For behind a proxy) is escaped: the line is ASCII and reads back the same', async () => {
    // The access line is copied to the log as bytes, one a character (request-logger.ts): whatever a
    // client sends must reach it escaped. Node takes such bytes in a header value, as Latin-1.
    const proxied = await createTestApp({ TRUST_PROXY: 'true' });
    try {
      await proxied.app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = proxied.app.server.address() as AddressInfo;
      const forwarded = Buffer.from([0x66, 0xfc, 0x72, 0x22, 0x5c, 0x31]); // "für", a quote, a backslash, "1"
      const before = proxied.logs.length;
      await new Promise<void>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.end(
            Buffer.concat([
              Buffer.from('GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Forwarded-For: '),
              forwarded,
              Buffer.from('\r\n\r\n'),
            ]),
          );
        });
        socket.on('error', reject);
        socket.on('close', () => resolve());
        socket.resume();
      });
      const texts = proxied.logs
        .slice(before)
        .flatMap((chunk) => chunk.split('\n'))
        .filter((text) => text.includes('request completed'));
      expect(texts).toHaveLength(1);
      const [text] = texts as [string];
      expect(text).toMatch(/^[\x20-\x7f]*$/);
      const line = JSON.parse(text) as Line;
      expect(line.req?.remoteAddress).toBe(forwarded.toString('latin1'));
      expect(line.res?.statusCode).toBe(200);
    } finally {
      await proxied.close();
    }
  });

  it('what a request logs of its own carries its request id, as the access line does', async () => {
    // The database gone: the error handler logs "request failed" through the request's logger.
    const other = await createTestApp();
    try {
      await other.storage.database.close();
      const before = other.logs.length;
      const response = await other.app.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBeGreaterThanOrEqual(500);
      const lines = other.logs
        .slice(before)
        .flatMap((chunk) => chunk.split('\n'))
        .filter((text) => text !== '')
        .map((text) => JSON.parse(text) as Line);
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(new Set(lines.map((line) => line.reqId)).size).toBe(1);
      expect(lines.at(-1)?.res?.statusCode).toBe(response.statusCode);
    } finally {
      await other.app.close();
      await other.database.drop();
    }
  });
});
