import type { FastifyInstance } from 'fastify';
import { layoutLocals, pageMessages } from '../../i18n/page.js';
import { homeSchema } from '../page-schemas.js';

/** The server's own home page: who is signed in, and where to go (Connected apps, sign-in). */
export default async function homeRoutes(app: FastifyInstance) {
  app.get(
    '/',
    { config: { errors: 'page' }, schema: homeSchema, attachValidation: true },
    async (request, reply) => {
      const user = await request.currentUser();
      const t = pageMessages(request).home;
      return reply.view('home.hbs', {
        ...layoutLocals(request, reply),
        title: t.title,
        t,
        username: user?.username,
        csrfToken: user ? request.csrfToken(reply) : undefined,
      });
    },
  );
}
