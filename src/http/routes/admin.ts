import type { FastifyInstance } from 'fastify';
import { ADMIN_SCOPE } from '../../oauth/scopes.js';
import { requireBearer } from '../bearer.js';
import { noStore } from '../oauth-endpoint.js';
import adminAccountRoutes from './admin/accounts.js';
import adminClientRoutes from './admin/clients.js';
import { installAdminErrors } from './admin/errors.js';
import adminUserRoutes from './admin/users.js';

/**
 * The admin API (/admin/v1): clients, users and accounts for operators, through the same src/admin
 * code as the command line. Every route needs an access token with the admin scope, which only
 * clients registered as admin can hold (src/admin/clients.ts, src/oauth/model.ts validateScope).
 */
export default async function adminRoutes(app: FastifyInstance) {
  await app.register(
    async (admin) => {
      installAdminErrors(admin);
      // Replies can carry a client secret: never cached.
      admin.addHook('onRequest', noStore);
      // Before the body is even read: an unauthorized caller learns nothing about the input rules.
      admin.addHook('onRequest', requireBearer(app.storage, ADMIN_SCOPE));
      await admin.register(adminClientRoutes);
      await admin.register(adminUserRoutes);
      await admin.register(adminAccountRoutes);
      admin.setNotFoundHandler(async (_request, reply) =>
        reply.code(404).send({
          error: 'not_found',
          message: 'there is no such admin endpoint (the API is described at /openapi.json)',
        }),
      );
    },
    { prefix: '/admin/v1' },
  );
}
