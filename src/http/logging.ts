import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type pino from 'pino';
import { blockedStdout } from './log-destination.js';
import { pathOf, RequestLogger } from './request-logger.js';

// JSON logs (pino) in which no secret can appear (checklist O1), at little cost per request.
//
// - One access line per request, written when the response is done ("request completed": method,
//   path, status, time). Fastify's default writes two lines per request; one is enough.
// - Every object reaches the log through a serializer that copies named, harmless fields only: the
//   URL without its query string (a careless client may put a token there), no headers (they carry
//   credentials and cookies), an error's type, code, message and stack but none of its other
//   properties (a driver error may carry the statement's values). pino's path redaction did the same
//   job by searching every logged object, at about 7 µs per line, more than the rest of the line.
// - In production the lines go to stdout asynchronously and in blocks (log-destination.ts): a slow
//   log reader never stops the event loop, and one write carries many lines. Lines still buffered
//   are written when the process exits.

export interface LogOptions {
  level: string;
  /** Write asynchronously (the server); tests and the command line pass their own destination. */
  asynchronous?: boolean;
}

interface SerializedError {
  type: string;
  code?: string;
  message: string;
  stack?: string;
}

export const serializers = {
  req(request: FastifyRequest | { method?: string; url?: string; ip?: string }) {
    return {
      method: request.method,
      url: typeof request.url === 'string' ? pathOf(request.url) : undefined,
      remoteAddress: request.ip,
    };
  },
  res(reply: FastifyReply | { statusCode?: number }) {
    return { statusCode: reply.statusCode };
  },
  err(error: unknown): SerializedError {
    if (!(error instanceof Error)) return { type: typeof error, message: 'a non-error value was thrown' };
    const code = (error as { code?: unknown }).code;
    return {
      type: error.constructor?.name ?? 'Error',
      ...(typeof code === 'string' ? { code } : {}),
      message: error.message,
      stack: error.stack,
    };
  },
};

export function loggerOptions(options: LogOptions): pino.LoggerOptions & { stream?: pino.DestinationStream } {
  return {
    level: options.level,
    serializers,
    ...(options.asynchronous ? { stream: blockedStdout() } : {}),
  };
}

/**
 * One access line per request, written when the response is done: Fastify's "incoming request"
 * line is left out, and "request completed" carries the request's method and path as well.
 */
export class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (!error && reply.log instanceof RequestLogger) {
      reply.log.accessLine(request, reply);
      return;
    }
    const line = { req: request, res: reply, responseTime: Math.round(reply.elapsedTime * 100) / 100 };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
