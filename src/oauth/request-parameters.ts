import { OAuthError } from './errors.js';

// Parameters of the token, revocation and introspection endpoints, as parsed from a form or JSON body.

/**
 * The named parameters as strings. RFC 6749 §3.2 (and RFC 7009 §2.1, RFC 7662 §2.1, which build on
 * it): a parameter is sent at most once. Parameters we do not read are ignored (RFC 6749 §3.2).
 */
export function readParameters<Name extends string>(
  body: unknown,
  names: readonly Name[],
): Partial<Record<Name, string>> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new OAuthError('invalid_request', 'the body must be a form or a JSON object');
  }
  const values = body as Record<string, unknown>;
  const result: Partial<Record<Name, string>> = {};
  for (const name in values) {
    if (Array.isArray(values[name]))
      throw new OAuthError('invalid_request', `parameter ${name} was sent more than once`);
  }
  for (const name of names) {
    const value = values[name];
    if (typeof value === 'string') result[name] = value;
    else if (value !== undefined && value !== null) {
      throw new OAuthError('invalid_request', `parameter ${name} must be a string`);
    }
  }
  return result;
}

/** Secrets and tokens never travel in a URL, where logs and histories keep them (RFC 6749 §2.3.1; RFC 7009 §2.1). */
export function refuseInQuery(query: unknown, names: readonly string[]): void {
  if (typeof query !== 'object' || query === null) return;
  const found = names.find((name) => (query as Record<string, unknown>)[name] !== undefined);
  if (found)
    throw new OAuthError('invalid_request', `${found} must be sent in the request body, not the URL`);
}
