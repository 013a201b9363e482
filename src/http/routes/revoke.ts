import type { FastifyInstance } from 'fastify';

// Placeholder: routes to be added.
export default async function routes(_app: FastifyInstance) {}
