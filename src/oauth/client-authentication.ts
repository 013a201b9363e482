import { secretMatchesHash } from '../security/secrets.js';
import type { ClientCredentialsRecord } from '../storage/clients.js';
import type { Storage } from '../storage/index.js';
import type { ThrottlePolicy } from '../storage/throttle.js';
import { OAuthError } from './errors.js';

// Client authentication (RFC 6749 §2.3), one set of rules for the token, revocation and
// introspection endpoints.

/** RFC 6819 §5.2.3.7 and checklist T2: failed client authentication is limited per client. */
export const CLIENT_AUTH_THROTTLE: ThrottlePolicy = {
  limit: 10,
  windowSeconds: 300,
  lockSeconds: 30,
  maxLockSeconds: 900,
};

/**
 * A confidential client only with its secret (compared as hashes, in constant time: RFC 6819
 * §5.1.4.1.3); a public client only without one. Locked clients fail without a comparison.
 */
export async function authenticateClient(
  storage: Storage,
  clientId: string,
  clientSecret: string | undefined,
): Promise<ClientCredentialsRecord | null> {
  const client = await storage.clients.findCredentials(clientId);
  if (!client) return null;
  if (client.isPublic) return clientSecret === undefined ? client : null;
  if (clientSecret === undefined || client.secretHash === null) return null;
  if (client.authLockedUntil && client.authLockedUntil > new Date()) return null;
  if (!secretMatchesHash(clientSecret, client.secretHash)) {
    await storage.clients.recordAuthFailure(client.id, CLIENT_AUTH_THROTTLE);
    return null;
  }
  return client;
}

export interface PresentedCredentials {
  clientId: string;
  clientSecret?: string;
}

export type RequestHeaders = Record<string, string | string[] | undefined>;

/** Whether the client tried HTTP Basic: its failures then answer 401 with a challenge (RFC 6749 §5.2). */
export function usedBasic(headers: RequestHeaders): boolean {
  return /^basic /i.test(String(headers.authorization ?? ''));
}

export function invalidClient(description = 'client authentication failed'): OAuthError {
  return new OAuthError('invalid_client', description, 401);
}

/**
 * The credentials of a request: HTTP Basic (RFC 6749 §2.3.1, values form-encoded before base64)
 * or client_id and client_secret in the body; one method only. The query string is never read.
 */
export function presentedCredentials(
  headers: RequestHeaders,
  body: { client_id?: string; client_secret?: string },
): PresentedCredentials {
  if (usedBasic(headers)) {
    const basic = parseBasic(String(headers.authorization));
    if (!basic) throw invalidClient('the HTTP Basic credentials are malformed');
    // RFC 6749 §2.3: a client uses one authentication method per request.
    if (body.client_secret !== undefined) {
      throw new OAuthError('invalid_request', 'use either HTTP Basic or client_secret in the body, not both');
    }
    if (body.client_id !== undefined && body.client_id !== basic.clientId) {
      throw new OAuthError(
        'invalid_request',
        'client_id in the body differs from the HTTP Basic credentials',
      );
    }
    return basic;
  }
  if (body.client_id === undefined || body.client_id === '') {
    throw invalidClient('client authentication is missing: send HTTP Basic credentials or client_id');
  }
  return { clientId: body.client_id, clientSecret: body.client_secret };
}

/** Credentials presented and checked: the client, or invalid_client. */
export async function authenticateRequest(
  storage: Storage,
  headers: RequestHeaders,
  body: { client_id?: string; client_secret?: string },
): Promise<ClientCredentialsRecord> {
  const credentials = presentedCredentials(headers, body);
  const client = await authenticateClient(storage, credentials.clientId, credentials.clientSecret);
  if (!client) throw invalidClient();
  return client;
}

function parseBasic(header: string): PresentedCredentials | null {
  const encoded = header.slice(6).trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return null;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return null;
  try {
    const clientId = formDecode(decoded.slice(0, colon));
    const clientSecret = formDecode(decoded.slice(colon + 1));
    // RFC 6749 Appendix A.1: client-id = *VSCHAR (%x20-7E); anything else names no client of ours.
    if (!/^[\x20-\x7e]+$/.test(clientId)) return null;
    return { clientId, clientSecret };
  } catch {
    return null;
  }
}

function formDecode(value: string): string {
  if (!value.includes('%') && !value.includes('+')) return value;
  return decodeURIComponent(value.replace(/\+/g, ' '));
}
