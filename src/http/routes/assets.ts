import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { PROJECT_ROOT } from '../../paths.js';

/** The one stylesheet, served by us: the pages load nothing from anywhere else (checklist A6). */
export default async function assetRoutes(app: FastifyInstance) {
  const stylesheet = readFileSync(join(PROJECT_ROOT, 'views', 'assets', 'style.css'));
  const schema = {
    tags: ['Pages'],
    summary: 'The pages’ stylesheet',
    response: { 200: { description: 'CSS.', content: { 'text/css': { schema: { type: 'string' } } } } },
  };
  app.get('/assets/style.css', { schema }, async (_request, reply) =>
    reply
      .header('content-type', 'text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(stylesheet),
  );
}
