import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticateRequest, usedBasic } from '../oauth/client-authentication.js';
import { OAuthError } from '../oauth/errors.js';
import { readParameters, refuseInQuery } from '../oauth/request-parameters.js';
import type { ClientCredentialsRecord } from '../storage/clients.js';
import type { Storage } from '../storage/index.js';

// What the revocation and introspection endpoints share with the token endpoint's rules (answers are
// never cached: security-headers.ts): parameters once each and never in the URL, client authentication.

/** What the revocation and introspection endpoints read (RFC 7009 §2.1, RFC 7662 §2.1, RFC 6749 §2.3.1). */
const TOKEN_PARAMETERS = ['token', 'token_type_hint', 'client_id', 'client_secret'] as const;

/**
 * The body's parameters. The route schema is checked too (attachValidation): these checks are at
 * least as strict and answer in the RFC's words, so the schema's verdict is only the last word.
 */
export function tokenParameters(request: FastifyRequest) {
  refuseInQuery(request.query, TOKEN_PARAMETERS);
  const parameters = readParameters(request.body, TOKEN_PARAMETERS);
  if (request.validationError) {
    throw new OAuthError('invalid_request', `invalid request: ${request.validationError.message}`);
  }
  return parameters;
}

/** The authenticated client, or invalid_client: 401, with a challenge when HTTP Basic was tried (RFC 6749 §5.2). */
export async function requireClient(
  storage: Storage,
  request: FastifyRequest,
  reply: FastifyReply,
  parameters: { client_id?: string; client_secret?: string },
): Promise<ClientCredentialsRecord> {
  try {
    return await authenticateRequest(storage, request.headers, parameters);
  } catch (error) {
    if (error instanceof OAuthError && error.error === 'invalid_client' && usedBasic(request.headers)) {
      reply.header('www-authenticate', 'Basic realm="appointman", charset="UTF-8"');
    }
    throw error;
  }
}

/** Schema properties of client authentication in the body (RFC 6749 §2.3.1). */
export const clientCredentialProperties = {
  client_id: {
    type: 'string',
    description: 'The client id, when not sent with HTTP Basic. A public client sends only this.',
  },
  client_secret: {
    type: 'string',
    description: 'The client secret (client_secret_post), when not sent with HTTP Basic.',
  },
} as const;
