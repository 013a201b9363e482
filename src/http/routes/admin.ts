import type { FastifyInstance } from 'fastify';
import { ADMIN_SCOPE } from '../../oauth/scopes.js';
import { requireBearer } from '../bearer.js';
import { strictJsonParser } from '../plugins/body-parsers.js';
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
      acceptEmptyJson(admin);
      // Replies can carry a client secret: never cached (security-headers.ts sets no-store).
      // Before the body is even read: an unauthorized caller learns nothing about the input rules.
      admin.addHook('onRequest', requireBearer(app.storage, ADMIN_SCOPE));
      // Defence in depth: operator power belongs to an admin client itself, never to a user's token
      // (the authorization endpoint already refuses the admin scope).
      admin.addHook('onRequest', async (request, reply) => {
        if (request.access?.userId) {
          return reply
            .code(403)
            .header('www-authenticate', 'Bearer realm="appointman", error="insufficient_scope"')
            .send({
              error: 'insufficient_scope',
              message: 'the admin API takes client credentials tokens only',
            });
        }
      });
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

/**
 * API clients often send Content-Type: application/json on every request, bodiless ones too
 * (rotate-secret, DELETE): here an empty JSON body is no body, not an error.
 */
function acceptEmptyJson(admin: FastifyInstance): void {
  const json = strictJsonParser(admin, { emptyIsNoBody: true });
  admin.removeContentTypeParser('application/json');
  admin.addContentTypeParser('application/json', { parseAs: 'buffer' }, json);
}
