import type { FastifyInstance } from 'fastify';
import { invalidClient } from '../../oauth/client-authentication.js';
import { OAuthError } from '../../oauth/errors.js';
import { createIntrospection } from '../../oauth/introspection.js';
import { clientCredentialProperties, requireClient, tokenParameters } from '../oauth-endpoint.js';
import { FORM_OR_JSON, oauthErrorSchema, oauthFailureResponses } from '../schemas.js';

export const introspectionResponseSchema = {
  type: 'object',
  description:
    'RFC 7662 §2.2. For a token that is not currently valid (unknown, expired, revoked, malformed) ' +
    'only {"active": false}.',
  properties: {
    active: { type: 'boolean', description: 'Whether the token is currently valid.' },
    scope: { type: 'string', description: 'Space-separated scopes of the token.' },
    client_id: { type: 'string', description: 'The client the token was issued to.' },
    username: { type: 'string', description: 'The user the token acts for (absent for client credentials).' },
    sub: { type: 'string', description: 'The user id (absent for client credentials).' },
    token_type: {
      type: 'string',
      enum: ['Bearer', 'refresh_token'],
      description: 'Bearer for access tokens, refresh_token for refresh tokens.',
    },
    exp: { type: 'integer', description: 'Expiry, seconds since 1970-01-01T00:00:00Z.' },
    iat: { type: 'integer', description: 'Issue time, seconds since 1970-01-01T00:00:00Z.' },
    iss: { type: 'string', description: 'This authorization server’s issuer identifier.' },
    accounts: {
      type: 'array',
      description: 'The business accounts the token reaches.',
      items: {
        type: 'object',
        properties: { id: { type: 'string' }, name: { type: 'string' } },
        required: ['id', 'name'],
      },
    },
  },
  required: ['active'],
} as const;

export const introspectSchema = {
  tags: ['OAuth'],
  summary: 'Introspect a token (RFC 7662)',
  description:
    'For resource servers and confidential clients: they authenticate as at the token endpoint ' +
    '(HTTP Basic or client_id and client_secret in the body). Public clients cannot introspect.',
  consumes: FORM_OR_JSON,
  security: [{ clientBasic: [] }, {}],
  body: {
    type: 'object',
    properties: {
      token: { type: 'string', description: 'The access or refresh token.' },
      token_type_hint: {
        type: 'string',
        description: 'access_token or refresh_token: where to look first. Other values are ignored.',
      },
      ...clientCredentialProperties,
    },
  },
  response: {
    200: introspectionResponseSchema,
    ...oauthFailureResponses,
    401: {
      ...oauthErrorSchema,
      description: 'invalid_client: no valid confidential client authentication (RFC 7662 §2.3).',
    },
  },
} as const;

/** The introspection endpoint (RFC 7662 §2). */
export default async function introspectRoutes(app: FastifyInstance) {
  const introspectToken = createIntrospection(app.storage, app.config.issuer);
  app.post(
    '/oauth/introspect',
    { config: { errors: 'oauth' }, attachValidation: true, schema: introspectSchema },
    async (request, reply) => {
      const parameters = tokenParameters(request);
      const { token, token_type_hint: hint } = parameters;
      // The token is looked up while the caller authenticates (one wait for the database instead of
      // two); its description goes only to an authenticated caller.
      const answer = token === undefined ? undefined : introspectToken(token, hint);
      answer?.catch(() => {});
      const client = await requireClient(app.storage, request, reply, parameters);
      // RFC 7662 §2.1 and checklist V2: only authenticated callers; a public client has no credentials.
      if (client.isPublic) throw invalidClient('public clients cannot use the introspection endpoint');
      if (answer === undefined) throw new OAuthError('invalid_request', 'token is missing');
      const json = await answer;
      // JSON text already (introspection.ts): sent as it is, not serialized again.
      return reply.type('application/json; charset=utf-8').send(json);
    },
  );
}
