import { isUtf8 } from 'node:buffer';
import formbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** A body we refuse: the route's error format turns it into invalid_request (checklist T4). */
export class BadBodyError extends Error {
  readonly statusCode = 400;
  readonly code = 'BAD_BODY';
}

/**
 * Bodies whose raw text cannot hold U+0000 (no NUL byte, no "%00", no "\u0000" escape): the check
 * below need not search them again, value by value.
 */
const nulFree = new WeakSet<object>();

/**
 * The parsed form's prototype: it has none itself, so a field named "__proto__" or "constructor" is
 * just a field. Objects made from it stay fast objects for V8 (Object.create(null) makes a slow,
 * dictionary-mode one); Node's querystring does the same.
 */
const FORM_FIELDS: object = Object.create(null);

/**
 * application/x-www-form-urlencoded, strictly: percent-escapes must decode to UTF-8, and a
 * repeated name becomes an array so the routes can refuse it (RFC 6749 §3.1, §3.2).
 */
export function parseForm(body: string): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = Object.create(FORM_FIELDS);
  if (body === '') return result;
  // A form body is ASCII: anything else arrived unencoded (or not as UTF-8) and is refused.
  if (/[\u0080-\uffff]/.test(body)) throw new BadBodyError('the form body must be percent-encoded ASCII');
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const index = pair.indexOf('=');
    const name = decode(index === -1 ? pair : pair.slice(0, index));
    const value = index === -1 ? '' : decode(pair.slice(index + 1));
    const existing = result[name];
    result[name] =
      existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  if (!body.includes('\u0000') && !body.includes('%00')) nulFree.add(result);
  return result;
}

function decode(text: string): string {
  // Most names and values (tokens, ids, grant types) hold nothing to decode.
  if (!text.includes('%') && !text.includes('+')) return text;
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new BadBodyError('the form body is not valid percent-encoded UTF-8');
  }
}

/** Whether a parsed query, body or path holds U+0000 anywhere, names included. */
export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object' || depth > 32) return false;
  return Object.entries(value).some(
    ([name, item]) => name.includes('\u0000') || containsNul(item, depth + 1),
  );
}

export default fp(
  async function bodyParsers(app: FastifyInstance) {
    // U+0000 is part of no name, id or token of ours, and PostgreSQL cannot store or even compare a
    // text holding it (a 500 before): such a request is malformed, on every route (RFC 6749 §5.2).
    // The query and the path can hold U+0000 only as "%00" (HTTP forbids the raw byte), so most
    // requests need no search of their parsed parameters.
    app.addHook('preValidation', (request, _reply, done) => {
      const inUrl =
        request.url.includes('%00') && (containsNul(request.query) || containsNul(request.params));
      const body = request.body;
      const inBody =
        body !== undefined &&
        !(typeof body === 'object' && body !== null && nulFree.has(body)) &&
        containsNul(body);
      if (inUrl || inBody) {
        done(new BadBodyError('parameters must not contain the NUL character (U+0000)'));
      } else {
        done();
      }
    });
    await app.register(formbody, { parser: parseForm });
    const defaultJson = app.getDefaultJsonParser('error', 'error');
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
      const buffer = body as Buffer;
      if (!isUtf8(buffer)) return done(new BadBodyError('the JSON body is not valid UTF-8'), undefined);
      const text = buffer.toString('utf8');
      defaultJson(request, text, (error, value) => {
        if (
          !error &&
          typeof value === 'object' &&
          value !== null &&
          !text.includes('\u0000') &&
          !text.includes('\\u0000')
        ) {
          nulFree.add(value);
        }
        done(error, value);
      });
    });
  },
  { name: 'body-parsers' },
);
