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

/**
 * What a form body must not hold: U+0000, and anything beyond ASCII (it arrived unencoded, or not as
 * UTF-8). "%00" is searched for as well ("%2500" is the text "%00"). A character class and a
 * substring search take a few instructions a character, where a loop over `charCodeAt` took forty
 * (callgrind).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: U+0000 is what it looks for.
const NUL_OR_BEYOND_ASCII = /[\u0000\u0080-\uffff]/;

/**
 * application/x-www-form-urlencoded, strictly: a form body is ASCII, percent-escapes must decode to
 * UTF-8, no name or value may hold U+0000, and a repeated name becomes an array so the routes can
 * refuse it (RFC 6749 §3.1, §3.2).
 */
export function parseForm(body: string): Form {
  if (NUL_OR_BEYOND_ASCII.test(body) || body.includes('%00')) throw refusal(body);
  const result = new FormFields();
  let start = 0;
  while (start <= body.length) {
    let end = body.indexOf('&', start);
    if (end === -1) end = body.length;
    if (end > start) {
      // The pair alone is searched for its "=": a search of the whole body from each pair would take
      // time growing with the square of a body of many pairs without one.
      const pair = body.slice(start, end);
      const equals = pair.indexOf('=');
      let name = equals === -1 ? pair : pair.slice(0, equals);
      let value = equals === -1 ? '' : pair.slice(equals + 1);
      // Most pairs (tokens, ids, grant types) hold nothing to decode.
      if (pair.includes('%') || pair.includes('+')) {
        name = formText(name);
        value = formText(value);
      }
      const existing = result[name];
      result[name] =
        existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
    }
    start = end + 1;
  }
  return result;
}

/** Why a body is refused: its first U+0000 (raw or "%00") or character beyond ASCII, in reading order. */
function refusal(body: string): BadBodyError {
  const character = NUL_OR_BEYOND_ASCII.exec(body);
  const escapedNul = body.indexOf('%00');
  if (character && (escapedNul === -1 || character.index < escapedNul) && character[0] !== '\u0000') {
    return new BadBodyError('the form body must be percent-encoded ASCII');
  }
  return new BadBodyError(NUL_MESSAGE);
}

/** A name or value as it reads, its escapes and plus signs decoded. */
function formText(text: string): string {
  const plus = text.includes('+');
  return plus || text.includes('%') ? decode(text, plus) : text;
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
