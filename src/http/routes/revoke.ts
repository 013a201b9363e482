import type { FastifyInstance } from 'fastify';
import { OAuthError } from '../../oauth/errors.js';
import { revokeToken } from '../../oauth/revocation.js';
import { clientCredentialProperties, requireClient, tokenParameters } from '../oauth-endpoint.js';
import { FORM_OR_JSON, oauthErrorSchema, oauthFailureResponses } from '../schemas.js';

export const revokeSchema = {
  tags: ['OAuth'],
  summary: 'Revoke an access or refresh token (RFC 7009)',
  description:
    'Revoking a refresh token ends its whole grant: every access and refresh token issued from it. ' +
    'A client revokes only its own tokens; unknown tokens and other clients’ tokens also get 200 and ' +
    'change nothing. Confidential clients authenticate as at the token endpoint (HTTP Basic or ' +
    'client_id and client_secret in the body); public clients send client_id alone.',
  consumes: FORM_OR_JSON,
  security: [{ clientBasic: [] }, {}],
  body: {
    type: 'object',
    properties: {
      token: { type: 'string', description: 'The access or refresh token to revoke.' },
      token_type_hint: {
        type: 'string',
        description:
          'access_token or refresh_token: where to look first. Other values are ignored (RFC 7009 §2.1).',
      },
      ...clientCredentialProperties,
    },
  },
  response: {
    200: { description: 'Revoked, or nothing to revoke (RFC 7009 §2.2). Empty body.', type: 'null' },
    ...oauthFailureResponses,
    401: {
      ...oauthErrorSchema,
      description:
        'invalid_client: client authentication failed (WWW-Authenticate when HTTP Basic was used).',
    },
  },
} as const;

/** The revocation endpoint (RFC 7009 §2). */
export default async function revokeRoutes(app: FastifyInstance) {
  app.post(
    '/oauth/revoke',
    { config: { errors: 'oauth' }, attachValidation: true, schema: revokeSchema },
    async (request, reply) => {
      const parameters = tokenParameters(request);
      // RFC 7009 §2.1: the client authenticates first, then its token is looked for.
      const client = await requireClient(app.storage, request, reply, parameters);
      if (parameters.token === undefined || parameters.token === '') {
        throw new OAuthError('invalid_request', 'token is missing');
      }
      await revokeToken(app.storage, client.id, parameters.token, parameters.token_type_hint);
      return reply.code(200).send();
    },
  );
}
