import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

// The OpenAPI 3.1 description, generated from the route schemas (the same objects the routes
// validate and serialize with), so it cannot drift from the running API. Wrapped with fastify-plugin
// and registered before the other routes: its onRoute hook then sees every route of every plugin.

const documentSchema = {
  tags: ['OpenAPI'],
  response: {
    200: {
      description: 'The OpenAPI 3.1 document.',
      type: 'object',
      additionalProperties: true,
    },
  },
} as const;

async function openapiRoutes(app: FastifyInstance) {
  const { issuer, scopes } = app.config;
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'appointman authorization server',
        version: '1',
        description:
          'OAuth 2.0 authorization server for appointman: authorization code (with PKCE), implicit, ' +
          'client credentials and refresh grants; revocation (RFC 7009); introspection (RFC 7662); ' +
          'the protected API; and the admin API for operators (a Bearer token with the admin scope).',
      },
      servers: [{ url: issuer }],
      tags: [
        { name: 'OAuth', description: 'OAuth 2.0 endpoints (RFC 6749, 7009, 7662).' },
        { name: 'API', description: 'The protected API, for Bearer access tokens (RFC 6750).' },
        { name: 'Admin', description: 'Operator API: clients, users and accounts. Needs the admin scope.' },
        { name: 'Metadata', description: 'Discovery (RFC 8414).' },
        { name: 'Health', description: 'Liveness and readiness for load balancers.' },
        { name: 'Pages', description: 'HTML pages for people: sign-in, consent, home.' },
        { name: 'OpenAPI', description: 'This description.' },
      ],
      components: {
        securitySchemes: {
          oauth2: {
            type: 'oauth2',
            description: 'Access tokens from this server, sent as Authorization: Bearer <token>.',
            flows: {
              authorizationCode: {
                authorizationUrl: `${issuer}/oauth/authorize`,
                tokenUrl: `${issuer}/oauth/token`,
                refreshUrl: `${issuer}/oauth/token`,
                scopes,
              },
              clientCredentials: { tokenUrl: `${issuer}/oauth/token`, scopes },
            },
          },
          clientBasic: {
            type: 'http',
            scheme: 'basic',
            description:
              'Client authentication with client_id and client_secret (RFC 6749 §2.3.1). They may also ' +
              'be sent in the form or JSON body instead.',
          },
        },
      },
    },
  });

  app.get(
    '/openapi.json',
    { schema: { ...documentSchema, summary: 'The OpenAPI description as JSON' } },
    async () => app.swagger(),
  );

  app.get(
    '/openapi.yaml',
    {
      schema: {
        ...documentSchema,
        summary: 'The OpenAPI description as YAML',
        produces: ['application/yaml'],
        response: {
          200: {
            description: 'The OpenAPI 3.1 document.',
            content: { 'application/yaml': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (_request, reply) =>
      reply.type('application/yaml; charset=utf-8').send(app.swagger({ yaml: true })),
  );
}

export default fp(openapiRoutes, { name: 'openapi' });
