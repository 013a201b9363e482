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
    const always: Record<string, string> = {
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'x-frame-options': 'DENY',
      ...(options.hsts ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
    };
    app.addHook('onSend', (_request, reply, payload, done) => {
      reply.headers(always);
      if (!reply.hasHeader('content-security-policy'))
        reply.header('content-security-policy', DEFAULT_POLICY);
      // RFC 6749 §5.1, RFC 7662 §2.2, RFC 6750 §5.3: nothing here is for a cache (HTTP/1.0 caches
      // included), unless a route says otherwise. One hook for every route, errors too.
      if (!reply.hasHeader('cache-control'))
        reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      done(null, payload);
    });
  },
  { name: 'security-headers' },
);
