import type { FastifyInstance } from 'fastify';
import { requireBearer } from '../bearer.js';
import { bearerFailureResponses } from '../schemas.js';

const api = { tags: ['API'], security: [{ oauth2: ['read'] }] };

export const meSchema = {
  ...api,
  summary: 'The user the access token acts for',
  response: {
    200: {
      type: 'object',
      description: 'The user.',
      properties: { id: { type: 'string' }, username: { type: 'string' } },
      required: ['id', 'username'],
    },
    ...bearerFailureResponses,
  },
};

export const accountsSchema = {
  ...api,
  summary: 'The business accounts the access token reaches',
  description:
    'A user’s token reaches the user’s accounts; a client-credentials token reaches its owner’s, ' +
    'narrowed to the accounts the client was registered for.',
  response: {
    200: {
      type: 'object',
      description: 'The accounts.',
      properties: {
        accounts: {
          type: 'array',
          items: {
            type: 'object',
            properties: { id: { type: 'string' }, name: { type: 'string' } },
            required: ['id', 'name'],
          },
        },
      },
      required: ['accounts'],
    },
    ...bearerFailureResponses,
  },
};

/** The protected API, for Bearer tokens (RFC 6750). */
export default async function apiRoutes(app: FastifyInstance) {
  const { storage } = app;
  const read = { config: { errors: 'api' as const }, preHandler: requireBearer(storage, 'read') };

  app.get('/api/v1/me', { ...read, schema: meSchema }, async (request, reply) => {
    // The user's name was read with the token (one read for the whole request).
    const access = request.access;
    if (!access?.userId || access.username === null) {
      return reply
        .code(403)
        .header(
          'www-authenticate',
          'Bearer realm="appointman", error="insufficient_scope", error_description="this token is not for a user"',
        )
        .send({ error: 'insufficient_scope', error_description: 'this token is not for a user' });
    }
    return { id: access.userId, username: access.username };
  });

  app.get('/api/v1/accounts', { ...read, schema: accountsSchema }, async (request) => {
    const accounts = request.access
      ? await storage.accounts.reachableWith('access_token', request.access.tokenHash)
      : [];
    return { accounts: accounts.map((account) => ({ id: account.id, name: account.name })) };
  });
}
