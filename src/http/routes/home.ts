import type { FastifyInstance } from 'fastify';

export default async function homeRoutes(app: FastifyInstance) {
  app.get('/', { config: { errors: 'page' } }, async (request, reply) => {
    const user = await request.currentUser();
    return reply.view('home.hbs', {
      title: 'appointman',
      username: user?.username,
      csrfToken: user ? request.csrfToken(reply) : undefined,
    });
  });
}
