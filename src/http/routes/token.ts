import type { FastifyInstance } from 'fastify';
import { OAuthError } from '../../oauth/errors.js';
import { createTokenEndpoint } from '../../oauth/token-endpoint.js';

/** The token endpoint (RFC 6749 §3.2): form or JSON bodies, JSON answers, never cached. */
export default async function tokenRoutes(app: FastifyInstance) {
  const token = createTokenEndpoint(app.storage, app.config);
  app.post('/oauth/token', { config: { errors: 'oauth' } }, async (request, reply) => {
    const body = request.body ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) {
      throw new OAuthError('invalid_request', 'the body must be a form or a JSON object');
    }
    const result = await token({
      headers: request.headers,
      query: request.query as Record<string, unknown>,
      body: body as Record<string, unknown>,
    });
    reply
      .code(result.status)
      .headers(result.headers)
      .header('cache-control', 'no-store')
      .header('pragma', 'no-cache');
    return result.body;
  });
}
