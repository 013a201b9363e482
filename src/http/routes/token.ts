import type { FastifyInstance, FastifySchema } from 'fastify';
import { OAuthError } from '../../oauth/errors.js';
import { createTokenEndpoint } from '../../oauth/token-endpoint.js';
import { FORM_OR_JSON, oauthErrorSchema, oauthFailureResponses } from '../schemas.js';

const text = (description: string) => ({ type: 'string', description }) as const;

/**
 * The request and responses, for validation and the OpenAPI description. The handler's own checks
 * (src/oauth/token-endpoint.ts) are stricter than this schema and answer in RFC 6749 §5.2 words,
 * so the schema's verdict is attached to the request rather than answered by itself.
 */
export const tokenSchema: FastifySchema = {
  tags: ['OAuth'],
  summary: 'Token endpoint (RFC 6749 §3.2)',
  description:
    'Grants: authorization_code (with PKCE, RFC 7636), refresh_token (rotating), client_credentials. ' +
    'Confidential clients authenticate with HTTP Basic or client_id and client_secret in the body, ' +
    'never in the URL; public clients send client_id. Every answer carries Cache-Control: no-store.',
  consumes: FORM_OR_JSON,
  security: [{ clientBasic: [] }, {}],
  body: {
    type: 'object',
    properties: {
      grant_type: text('authorization_code, refresh_token or client_credentials.'),
      code: text('authorization_code: the code from the authorization response.'),
      redirect_uri: text('authorization_code: the redirect_uri of the authorization request, if it had one.'),
      code_verifier: text('authorization_code: the PKCE verifier (RFC 7636 §4.5).'),
      refresh_token: text('refresh_token: the refresh token; the reply carries its successor.'),
      scope: text(
        'refresh_token, client_credentials: the scopes wanted (space-separated), no wider than granted.',
      ),
      expires_in: {
        anyOf: [{ type: 'string' }, { type: 'integer' }],
        description: 'client_credentials: the token lifetime wanted, 300 to 315360000 seconds.',
      },
      client_id: text('The client id, when not sent with HTTP Basic.'),
      client_secret: text('The client secret (client_secret_post), when not sent with HTTP Basic.'),
    },
  },
  response: {
    200: {
      type: 'object',
      description: 'RFC 6749 §5.1.',
      properties: {
        access_token: text('The access token, for Authorization: Bearer.'),
        token_type: { type: 'string', enum: ['Bearer'] },
        expires_in: { type: 'integer', description: 'Seconds until the access token expires.' },
        refresh_token: text('For the refresh_token grant (authorization_code clients registered for it).'),
        scope: text('The scopes granted, space-separated.'),
      },
      required: ['access_token', 'token_type', 'expires_in', 'scope'],
      additionalProperties: true,
    },
    ...oauthFailureResponses,
    401: {
      ...oauthErrorSchema,
      description:
        'invalid_client: client authentication failed (WWW-Authenticate when HTTP Basic was used).',
    },
  },
};

/** The token endpoint (RFC 6749 §3.2): form or JSON bodies, JSON answers, never cached. */
export default async function tokenRoutes(app: FastifyInstance) {
  const token = createTokenEndpoint(app.storage, app.config);
  const options = { config: { errors: 'oauth' as const }, attachValidation: true, schema: tokenSchema };
  app.post('/oauth/token', options, async (request, reply) => {
    const body = request.body ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) {
      throw new OAuthError('invalid_request', 'the body must be a form or a JSON object');
    }
    const result = await token({
      headers: request.headers,
      query: request.query as Record<string, unknown>,
      body: body as Record<string, unknown>,
    });
    reply
      .code(result.status)
      .headers(result.headers)
      .header('cache-control', 'no-store')
      .header('pragma', 'no-cache');
    return result.body;
  });
}
