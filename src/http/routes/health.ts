import type { FastifyInstance } from 'fastify';

const readiness = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['ready', 'unavailable'] },
    database: { type: 'string', enum: ['up', 'down'] },
  },
  required: ['status', 'database'],
} as const;

export const livenessSchema = {
  tags: ['Health'],
  summary: 'Liveness: the process answers',
  response: {
    200: {
      type: 'object',
      description: 'The process is up.',
      properties: { status: { type: 'string', enum: ['ok'] } },
      required: ['status'],
    },
  },
};

export const readinessSchema = {
  tags: ['Health'],
  summary: 'Readiness: the database answers too',
  response: {
    200: { ...readiness, description: 'Ready.' },
    503: { ...readiness, description: 'The database cannot be reached.' },
  },
};

export default async function healthRoutes(app: FastifyInstance) {
  app.get('/healthz', { schema: livenessSchema }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: readinessSchema }, async (_request, reply) => {
    try {
      await app.storage.database.ping();
      // Ready means writable too (checklist O3): on SQLite another process can hold the write lock
      // while reads go on. This statement takes the write lock and changes nothing; it goes through
      // the storage's own connection, which waits for a lock without blocking the event loop.
      await app.storage.database.sql.run('UPDATE "Throttle" SET "failures" = 0 WHERE 1 = 0');
      return { status: 'ready', database: 'up' };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: 'down' });
    }
  });
}
