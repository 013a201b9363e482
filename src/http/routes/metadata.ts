import type { FastifyInstance } from 'fastify';

/** RFC 8414 §2: what clients and tools discover the endpoints from. */
export function authorizationServerMetadata(issuer: string, scopes: string[]) {
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    revocation_endpoint: `${issuer}/oauth/revoke`,
    introspection_endpoint: `${issuer}/oauth/introspect`,
    scopes_supported: scopes,
    response_types_supported: ['code', 'token'],
    response_modes_supported: ['query', 'fragment'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'implicit', 'client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    code_challenge_methods_supported: ['S256'],
    // RFC 9207 §3: every authorization response carries iss.
    authorization_response_iss_parameter_supported: true,
    service_documentation: `${issuer}/`,
  };
}

const url = { type: 'string', format: 'uri' } as const;
const list = { type: 'array', items: { type: 'string' } } as const;

export const metadataSchema = {
  tags: ['Metadata'],
  summary: 'Authorization server metadata (RFC 8414)',
  response: {
    200: {
      type: 'object',
      description: 'RFC 8414 §2.',
      properties: {
        issuer: url,
        authorization_endpoint: url,
        token_endpoint: url,
        revocation_endpoint: url,
        introspection_endpoint: url,
        scopes_supported: list,
        response_types_supported: list,
        response_modes_supported: list,
        grant_types_supported: list,
        token_endpoint_auth_methods_supported: list,
        revocation_endpoint_auth_methods_supported: list,
        introspection_endpoint_auth_methods_supported: list,
        code_challenge_methods_supported: list,
        authorization_response_iss_parameter_supported: { type: 'boolean' },
        service_documentation: url,
      },
      required: ['issuer', 'authorization_endpoint', 'token_endpoint', 'response_types_supported'],
      additionalProperties: true,
    },
  },
};

export default async function metadataRoutes(app: FastifyInstance) {
  const body = authorizationServerMetadata(app.config.issuer, Object.keys(app.config.scopes));
  app.get('/.well-known/oauth-authorization-server', { schema: metadataSchema }, async (_request, reply) =>
    reply
      .header('cache-control', 'public, max-age=300')
      .header('access-control-allow-origin', '*')
      .send(body),
  );
}
