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
    const hsts = options.hsts ? 'max-age=31536000; includeSubDomains' : undefined;
    app.addHook('onSend', (_request, reply, payload, done) => {
      // One call per header: Reply.headers() would walk an object's keys on every response.
      reply
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('x-frame-options', 'DENY');
      if (hsts) reply.header('strict-transport-security', hsts);
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
