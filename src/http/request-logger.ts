import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import pino from 'pino';

// Each request's logger, and its access line, at the cost of a few string joins.
//
// Fastify gives every request a pino child logger carrying its id, and writes the access line
// through it. A pino child costs a new logger and its bindings per request, and a line through pino
// passes every field through serializers and pino's stringify: together about 4 µs per request,
// measured, on an endpoint that needs 30 µs for everything else. Most requests log nothing but the
// access line. So the child is made only when something is logged, and the access line, whose
// fields are fixed and harmless (checklist O1: method, path without the query string, address,
// status, time), is written as pino would write it, straight to pino's destination. It is made only
// of ASCII (anything else a client sent is escaped), so the destination copies it as bytes instead of
// encoding it as UTF-8: about 4,000 fewer instructions a line (callgrind).

const { chindingsSym, streamSym, timeSym } = pino.symbols;

const INFO = 30;
type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
type AnyLog = (...args: unknown[]) => void;

/** A URL's path: the query string is never logged (a careless client may put a token there). */
export function pathOf(url: string): string {
  const question = url.indexOf('?');
  return question === -1 ? url : url.slice(0, question);
}

export class RequestLogger {
  #child: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger,
    private readonly requestId: string,
  ) {}

  /** The real child logger, made the first time the request logs something of its own. */
  private logger(): FastifyBaseLogger {
    this.#child ??= this.parent.child({ reqId: this.requestId });
    return this.#child;
  }

  private log(level: Level, args: unknown[]): void {
    const logger = this.logger();
    (logger[level] as AnyLog).apply(logger, args);
  }

  fatal(...args: unknown[]) {
    this.log('fatal', args);
  }
  error(...args: unknown[]) {
    this.log('error', args);
  }
  warn(...args: unknown[]) {
    this.log('warn', args);
  }
  info(...args: unknown[]) {
    this.log('info', args);
  }
  debug(...args: unknown[]) {
    this.log('debug', args);
  }
  trace(...args: unknown[]) {
    this.log('trace', args);
  }
  silent(...args: unknown[]) {
    this.log('silent', args);
  }

  get level(): string {
    return this.#child?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.logger().level = level;
  }

  child(bindings: pino.Bindings, options?: pino.ChildLoggerOptions): FastifyBaseLogger {
    return this.logger().child(bindings, options);
  }

  /** Writes the "request completed" line as pino would, without a child logger or serializers. */
  accessLine(request: FastifyRequest, reply: FastifyReply): void {
    // pino's own pieces of a line: the level test, the time field, the root's bindings, the destination.
    const logger = this.parent as unknown as { levelVal: number } & Record<symbol, unknown>;
    const destination = logger[streamSym] as AccessLineDestination | undefined;
    if (logger.levelVal > INFO || !destination) return;
    const time = (logger[timeSym] as () => string)();
    const bindings = logger[chindingsSym] as string;
    // Read once: Fastify works the address out again on every read.
    const ip = request.ip;
    const address = ip === undefined ? '' : `,"remoteAddress":${asciiJson(ip)}`;
    // Quoted as they are, with nothing to escape: the request id is Fastify's counter ("req-" and base
    // 36; app.ts reads no id from a header), the method a token Node's HTTP parser accepted. The path
    // and the address can carry anything a client sends (X-Forwarded-For behind a proxy).
    const line =
      `{"level":${INFO}${time}${bindings},"reqId":"${this.requestId}"` +
      `,"req":{"method":"${methodText(request.method)}","url":${asciiJson(pathOf(request.url))}${address}}` +
      `,"res":{"statusCode":${statusText(reply.statusCode)}},"responseTime":${milliseconds(reply.elapsedTime)}` +
      ',"msg":"request completed"}\n';
    if (destination.writeAscii && isAscii(bindings)) destination.writeAscii(line);
    else destination.write(line);
  }
}

/** pino's destination; the production one (log-destination.ts) also takes lines known to be ASCII. */
interface AccessLineDestination {
  write(line: string): void;
  writeAscii?(line: string): void;
}

// The method and the status code go into the line as strings of ours. Node hands over the method,
// and V8's number-to-text cache the status code ("200" is also used as a property name, in response
// schemas for one), as V8 "thin" strings, which V8's optimized code counts as two bytes a character:
// a line joined with one was two-byte throughout, and was flattened and narrowed again to be written
// (about 2,000 instructions a line, callgrind). Literals, and strings made here and never used as
// property names, keep the line one byte a character.

const METHODS: ReadonlyMap<string, string> = new Map(
  (['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const).map((method) => [method, method]),
);
/** Made by joining characters: new strings, not the ones V8 keeps for the numbers. */
const STATUS_TEXTS: readonly string[] = Array.from({ length: 600 }, (_, code) => [...String(code)].join(''));

/** The request's method as one of our literals (any other method as it came). */
export function methodText(method: string): string {
  return METHODS.get(method) ?? method;
}

/** A status code as text, from strings of ours for 0–599. */
export function statusText(code: number): string {
  return STATUS_TEXTS[code] ?? String(code);
}

/** Text that JSON takes between quotes as it is: printable ASCII but for the quote and the backslash. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const BEYOND_ASCII = /[\u0080-\uffff]/g;

/**
 * A string as JSON text made only of ASCII: JSON.stringify's, with every character beyond ASCII
 * escaped as well (\uXXXX, which JSON reads back as the same character). Most paths and addresses
 * need no escaping at all, and are quoted without JSON.stringify.
 */
export function asciiJson(text: string): string {
  if (PLAIN.test(text)) return `"${text}"`;
  return JSON.stringify(text).replace(
    BEYOND_ASCII,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Whether the logger's bindings (pid, hostname: the same text on every line) are ASCII; checked once. */
let checkedBindings: string | undefined;
let bindingsAreAscii = false;
function isAscii(bindings: string): boolean {
  if (bindings !== checkedBindings) {
    checkedBindings = bindings;
    bindingsAreAscii = !/[\u0080-\uffff]/.test(bindings);
  }
  return bindingsAreAscii;
}

/**
 * A duration in milliseconds rounded to hundredths, as JSON (pino's "responseTime": 1.25): from
 * integers, which V8 turns into text from a cache, where a fraction would need its full conversion.
 */
export function milliseconds(elapsed: number): string {
  if (!Number.isFinite(elapsed) || elapsed < 0) return '0';
  const hundredths = Math.round(elapsed * 100);
  const fraction = hundredths % 100;
  const whole = (hundredths - fraction) / 100;
  if (fraction === 0) return `${whole}`;
  return `${whole}.${fraction < 10 ? '0' : ''}${fraction % 10 === 0 ? fraction / 10 : fraction}`;
}

/** Fastify's childLoggerFactory: a RequestLogger, unless a route sets its own level or serializers. */
export function requestLoggerFactory(
  this: FastifyInstance,
  logger: FastifyBaseLogger,
  bindings: pino.Bindings,
  options: pino.ChildLoggerOptions,
): FastifyBaseLogger {
  if (options.level !== undefined || options.serializers !== undefined)
    return logger.child(bindings, options);
  return new RequestLogger(logger, String(bindings.reqId)) as unknown as FastifyBaseLogger;
}
