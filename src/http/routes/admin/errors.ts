import type { FastifyError, FastifyInstance } from 'fastify';
import { ADMIN_ERROR_STATUS, AdminError } from '../../../admin/errors.js';

// Admin API errors: {"error": "<stable code>", "message": "<human sentence>"}. The codes are the
// AdminError codes of src/admin (shared with the command line), plus those of RFC 6750 for the
// access token and of the error handler for failures of the server.

export const adminErrorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'string',
      description:
        'A stable code: invalid_input, invalid_redirect_uri, unknown_grant_type, unknown_scope, ' +
        'unknown_account, unknown_user, duplicate_username, not_found; invalid_request, invalid_token, ' +
        'insufficient_scope (RFC 6750); server_error, temporarily_unavailable.',
    },
    message: { type: 'string', description: 'A sentence for people.' },
  },
  required: ['error', 'message'],
} as const;

function adminError(description: string) {
  return { ...adminErrorSchema, description };
}

/** Answers every admin route can give besides its own. */
export const adminFailureResponses = {
  400: adminError('The request is invalid: its code says which rule it broke.'),
  401: adminError('No access token, or an invalid, expired or revoked one (RFC 6750 §3.1).'),
  403: adminError('insufficient_scope: the access token lacks the admin scope.'),
  500: adminError('server_error: an unexpected failure.'),
  503: adminError('temporarily_unavailable: the database cannot be reached.'),
} as const;

export const notFoundResponse = { 404: adminError('not_found: no such client, user or account.') } as const;

export function installAdminErrors(admin: FastifyInstance): void {
  admin.setErrorHandler(async (error: FastifyError, _request, reply) => {
    if (error instanceof AdminError) {
      return reply.code(ADMIN_ERROR_STATUS[error.code]).send({ error: error.code, message: error.message });
    }
    if (error.validation) {
      return reply.code(400).send({ error: 'invalid_input', message: validationMessage(error) });
    }
    if (error.statusCode !== undefined && error.statusCode < 500) {
      return reply.code(400).send({ error: 'invalid_input', message: clientErrorMessage(error) });
    }
    // Anything else is the server's failure: the application's error handler answers 500 or 503.
    throw error;
  });

  // Bodies from elsewhere (the Bearer check, the application's error handler) in the same shape.
  admin.addHook('preSerialization', async (_request, _reply, payload: unknown) => {
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return payload;
    const body = payload as Record<string, unknown>;
    if (typeof body.error === 'string' && body.message === undefined) {
      return { error: body.error, message: String(body.error_description ?? body.error) };
    }
    return payload;
  });
}

function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0];
  const where = error.validationContext ?? 'request';
  if (first?.keyword === 'additionalProperties') {
    return `${where} has an unknown property "${String(first.params.additionalProperty)}"`;
  }
  if (first) {
    const path = first.instancePath ? `${where}${first.instancePath.replaceAll('/', '.')}` : where;
    return `${path} ${first.message ?? 'is invalid'}`;
  }
  return error.message;
}

function clientErrorMessage(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return 'the body must be application/json';
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return 'the request body is too large';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return 'the JSON body is empty: send {} or leave out the Content-Type';
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'BAD_BODY':
      return 'the JSON body is malformed';
    default:
      return 'the request is malformed';
  }
}
