import type {} from '@fastify/view';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { layoutLocals, pageMessages } from '../i18n/page.js';
import { OAuthError } from '../oauth/errors.js';
import { isDatabaseUnavailable } from './database-unavailable.js';

// The one place where failures become responses. Routes declare their audience in
// `config.errors`: OAuth endpoints answer in the RFC 6749 §5.2 format, pages with an error page,
// the API with JSON. Nothing internal (messages, stacks, SQL, hosts) reaches the client.

export type ErrorFormat = 'oauth' | 'page' | 'api';

declare module 'fastify' {
  interface FastifyContextConfig {
    errors?: ErrorFormat;
  }
}

export interface PageError {
  status: number;
  heading: string;
  message: string;
  advice: string;
  /** A technical detail for the app's developer, shown below the message. */
  detail?: string;
}

/** An error page in the request's language: callers take their words from the catalogue (src/i18n). */
export function sendPageError(reply: FastifyReply, error: PageError) {
  return reply.code(error.status).view('error.hbs', {
    ...layoutLocals(reply.request, reply, '/'),
    t: pageMessages(reply.request).error,
    title: error.heading,
    ...error,
  });
}

export function installErrorHandler(app: FastifyInstance, isDatabaseUp: () => Promise<boolean>) {
  app.setErrorHandler(async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const format = request.routeOptions.config.errors ?? 'api';
    const clientError =
      error instanceof OAuthError || (error.statusCode !== undefined && error.statusCode < 500);

    if (clientError) {
      const description = error instanceof OAuthError ? error.description : describeClientError(error);
      const code = error instanceof OAuthError ? error.error : 'invalid_request';
      const status = error instanceof OAuthError ? error.status : 400;
      if (format === 'page') {
        return sendPageError(reply, {
          status,
          ...pageMessages(request).errors.badRequest,
          detail: description,
        });
      }
      return reply.code(status).send({ error: code, error_description: description });
    }

    // RFC 6749 §4.1.2.1 temporarily_unavailable: the database is down; the request may be retried (O3).
    // A lost connection or a lock held elsewhere says so itself; anything else is checked with a ping.
    const databaseUp = !isDatabaseUnavailable(error) && (await isDatabaseUp());
    request.log.error({ err: error, databaseUp }, 'request failed');
    const status = databaseUp ? 500 : 503;
    if (!databaseUp) reply.header('retry-after', '5');
    if (format === 'page') {
      const errors = pageMessages(request).errors;
      return sendPageError(reply, { status, ...(databaseUp ? errors.serverError : errors.unavailable) });
    }
    return reply.code(status).send({
      error: databaseUp ? 'server_error' : 'temporarily_unavailable',
      error_description: databaseUp ? 'unexpected server error' : 'the service is temporarily unavailable',
    });
  });
}

/** Fastify's own 4xx errors (content type, body size, JSON syntax), in words of our own. */
function describeClientError(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'the body must be application/x-www-form-urlencoded or application/json';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'the request body is too large';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return 'the JSON body is malformed';
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'the Content-Length does not match the body';
    case 'FST_ERR_VALIDATION':
      return `invalid request: ${error.message}`;
    case 'BAD_BODY':
      return error.message;
    default:
      return 'the request is malformed';
  }
}
