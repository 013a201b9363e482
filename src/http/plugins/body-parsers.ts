import { isUtf8 } from 'node:buffer';
import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/** A body we refuse: the route's error format turns it into invalid_request (checklist T4). */
export class BadBodyError extends Error {
  readonly statusCode = 400;
  readonly code = 'BAD_BODY';
}

const NUL_MESSAGE = 'parameters must not contain the NUL character (U+0000)';

/**
 * Parsed forms are made by `new FormFields()`: objects whose prototype has no properties at all, so
 * a field named "__proto__" or "constructor" is just a field. V8 keeps them fast objects
 * (Object.create(null) makes a slow, dictionary-mode one); fast-querystring does the same.
 */
type Form = Record<string, string | string[]>;
const FormFields = function FormFields() {} as unknown as { new (): Form; prototype: object };
FormFields.prototype = Object.create(null);

const AMPERSAND = 0x26;
const EQUALS = 0x3d;
const PERCENT = 0x25;
const PLUS = 0x2b;
const ZERO = 0x30;

/**
 * application/x-www-form-urlencoded, strictly, in one pass over the text: a form body is ASCII
 * (anything else arrived unencoded, or not as UTF-8), percent-escapes must decode to UTF-8, no name
 * or value may hold U+0000 (raw or as "%00"; "%2500" is the text "%00"), and a repeated name
 * becomes an array so the routes can refuse it (RFC 6749 §3.1, §3.2).
 */
export function parseForm(body: string): Form {
  const result = new FormFields();
  const length = body.length;
  let start = 0;
  let equals = -1;
  let escaped = false;
  let plus = false;
  for (let i = 0; i <= length; i++) {
    const c = i === length ? AMPERSAND : body.charCodeAt(i);
    if (c === AMPERSAND) {
      if (i > start) {
        let name = body.slice(start, equals === -1 ? i : equals);
        let value = equals === -1 ? '' : body.slice(equals + 1, i);
        // Most names and values (tokens, ids, grant types) hold nothing to decode.
        if (escaped || plus) {
          name = decode(name, plus);
          value = decode(value, plus);
        }
        const existing = result[name];
        result[name] =
          existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
      }
      start = i + 1;
      equals = -1;
      escaped = false;
      plus = false;
    } else if (c === EQUALS) {
      if (equals === -1) equals = i;
    } else if (c === PERCENT) {
      escaped = true;
      if (body.charCodeAt(i + 1) === ZERO && body.charCodeAt(i + 2) === ZERO)
        throw new BadBodyError(NUL_MESSAGE);
    } else if (c === PLUS) {
      plus = true;
    } else if (c === 0) {
      throw new BadBodyError(NUL_MESSAGE);
    } else if (c > 0x7f) {
      throw new BadBodyError('the form body must be percent-encoded ASCII');
    }
  }
  return result;
}

function decode(text: string, plus: boolean): string {
  try {
    return decodeURIComponent(plus ? text.replace(/\+/g, ' ') : text);
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

type ParserDone = (error: Error | null, body?: unknown) => void;

/**
 * A JSON body parser that refuses what Fastify's would take: bytes that are not UTF-8 (they would
 * be replaced silently) and U+0000 anywhere.
 */
export function strictJsonParser(app: FastifyInstance, options: { emptyIsNoBody?: boolean } = {}) {
  const json = app.getDefaultJsonParser('error', 'error');
  return (request: FastifyRequest, body: string | Buffer, done: ParserDone) => {
    const buffer = body as Buffer;
    if (options.emptyIsNoBody && buffer.length === 0) return done(null, undefined);
    if (!isUtf8(buffer)) return done(new BadBodyError('the JSON body is not valid UTF-8'), undefined);
    const text = buffer.toString('utf8');
    json(request, text, (error, value) => {
      // A raw NUL is not valid JSON (RFC 8259 §7), so only a body that holds the escape of one
      // needs its values searched.
      if (!error && text.includes('\\u0000') && containsNul(value))
        done(new BadBodyError(NUL_MESSAGE), undefined);
      else done(error, value);
    });
  };
}

export default fp(
  async function bodyParsers(app: FastifyInstance) {
    // U+0000 is part of no name, id or token of ours, and PostgreSQL cannot store or even compare a
    // text holding it (a 500 before): such a request is malformed, on every route (RFC 6749 §5.2).
    // The form and JSON parsers refuse it in bodies as they parse; the query and the path can hold
    // it only as "%00" (HTTP forbids the raw byte), so most requests need no search here at all.
    app.addHook('preValidation', (request, _reply, done) => {
      const inUrl =
        request.url.includes('%00') && (containsNul(request.query) || containsNul(request.params));
      // A text/plain body (Fastify's own parser) is a string.
      const inText = typeof request.body === 'string' && request.body.includes('\u0000');
      if (inUrl || inText) done(new BadBodyError(NUL_MESSAGE));
      else done();
    });
    await app.register(formbody, { parser: parseForm });
    const json = strictJsonParser(app);
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, json);
  },
  { name: 'body-parsers' },
);
