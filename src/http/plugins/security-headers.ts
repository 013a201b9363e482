import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/** The page policy: nothing from elsewhere, no framing (checklist A4, A6). */
export function contentSecurityPolicy(formAction: string[] = ["'self'"]): string {
  return [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self'",
    `form-action ${formAction.join(' ')}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

const DEFAULT_POLICY = contentSecurityPolicy();

export default fp(
  async function securityHeaders(app: FastifyInstance, options: { hsts: boolean }) {
    app.addHook('onSend', async (_request, reply, payload) => {
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      reply.header('x-frame-options', 'DENY');
      if (!reply.hasHeader('content-security-policy'))
        reply.header('content-security-policy', DEFAULT_POLICY);
      // RFC 6749 §5.1, RFC 6750 §5.3: nothing here is for a cache, unless a route says otherwise.
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
      if (options.hsts) reply.header('strict-transport-security', 'max-age=31536000; includeSubDomains');
      return payload;
    });
  },
  { name: 'security-headers' },
);
