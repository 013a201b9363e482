import type { FastifyRequest } from 'fastify';

// Cookies matter only to the browser pages (the session, the language). @fastify/cookie is
// registered without its parsing hook, and a page parses them the first time it asks: the OAuth and
// API endpoints, which never look at a cookie, no longer pay for a parse and a Map on every request
// (about 0.4 µs each, measured with perf on introspection).

type Cookies = Record<string, string | undefined>;

/** The request's cookies, parsed from its Cookie header the first time they are asked for. */
export function cookiesOf(request: FastifyRequest): Cookies {
  const parsed = request.cookies as Cookies | null;
  if (parsed) return parsed;
  const header = request.headers.cookie;
  const cookies: Cookies = header ? request.server.parseCookie(header) : {};
  request.cookies = cookies;
  return cookies;
}
