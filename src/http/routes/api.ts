import type { FastifyInstance } from 'fastify';
import { reachableAccounts } from '../../oauth/access.js';
import { requireBearer } from '../bearer.js';

/** The protected API, for Bearer tokens (RFC 6750). */
export default async function apiRoutes(app: FastifyInstance) {
  const { storage } = app;
  const read = { config: { errors: 'api' as const }, preHandler: requireBearer(storage, 'read') };

  app.get('/api/v1/me', read, async (request, reply) => {
    const userId = request.access?.userId;
    const user = userId ? await storage.users.find(userId) : null;
    if (!user) {
      return reply
        .code(403)
        .header(
          'www-authenticate',
          'Bearer realm="appointman", error="insufficient_scope", error_description="this token is not for a user"',
        )
        .send({ error: 'insufficient_scope', error_description: 'this token is not for a user' });
    }
    return { id: user.id, username: user.username };
  });

  app.get('/api/v1/accounts', read, async (request) => {
    const accounts = request.access ? await reachableAccounts(storage, request.access) : [];
    return { accounts: accounts.map((account) => ({ id: account.id, name: account.name })) };
  });
}
