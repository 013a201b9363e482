import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AccessGrant, activeAccess } from '../oauth/access.js';
import { hashSecret } from '../security/secrets.js';
import type { Storage } from '../storage/index.js';

// Bearer token checks for the protected API (RFC 6750). The token is read from the Authorization
// header only (RFC 6750 §2.1; checklist V3): tokens in URLs end up in logs and histories.

declare module 'fastify' {
  interface FastifyRequest {
    access?: AccessGrant;
  }
}

const REALM = 'appointman';
/** RFC 6750 §2.1 b64token; the scheme name is case-insensitive (RFC 9110 §11.1). */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

function challenge(error?: string, description?: string, scope?: string): string {
  const parts = [`realm="${REALM}"`];
  if (error) parts.push(`error="${error}"`);
  if (description) parts.push(`error_description="${description}"`);
  if (scope) parts.push(`scope="${scope}"`);
  return `Bearer ${parts.join(', ')}`;
}

/** A preHandler that admits only a currently valid token carrying `scope` (RFC 6750 §3.1). */
export function requireBearer(storage: Storage, scope: string) {
  return async function bearer(request: FastifyRequest, reply: FastifyReply) {
    const header = request.headers.authorization;
    if (header === undefined) {
      // RFC 6750 §3.1: no credentials at all gets a challenge without an error code.
      return reply.code(401).header('www-authenticate', challenge()).send({
        error: 'invalid_request',
        error_description: 'send an access token in the Authorization header: Bearer <token>',
      });
    }
    const match = BEARER.exec(header);
    const access = match?.[1] ? activeAccess(await storage.tokens.findAccess(hashSecret(match[1]))) : null;
    if (!access) {
      const description = 'the access token is invalid, expired or revoked';
      return reply
        .code(401)
        .header('www-authenticate', challenge('invalid_token', description))
        .send({ error: 'invalid_token', error_description: description });
    }
    if (!access.scopes.includes(scope)) {
      const description = `this request needs the ${scope} scope`;
      return reply
        .code(403)
        .header('www-authenticate', challenge('insufficient_scope', description, scope))
        .send({ error: 'insufficient_scope', error_description: description });
    }
    request.access = access;
  };
}
