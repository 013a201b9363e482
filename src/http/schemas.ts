// JSON schemas shared by several routes: validation, serialization and the OpenAPI description
// come from these same objects.

/** RFC 6749 §5.2 error body, also used by RFC 7009, RFC 7662 and RFC 6750 answers. */
export const oauthErrorSchema = {
  type: 'object',
  description: 'An error in the form of RFC 6749 §5.2.',
  properties: {
    error: { type: 'string', description: 'The RFC 6749 §5.2 (or RFC 6750 §3.1) error code.' },
    error_description: { type: 'string', description: 'A human sentence saying what went wrong.' },
  },
  required: ['error'],
} as const;

/** Answers every OAuth endpoint can give besides its own: bad requests, and an unavailable database. */
export const oauthFailureResponses = {
  400: { ...oauthErrorSchema, description: 'invalid_request (or another RFC 6749 §5.2 error code).' },
  500: { ...oauthErrorSchema, description: 'server_error: an unexpected failure.' },
  503: { ...oauthErrorSchema, description: 'temporarily_unavailable: the database cannot be reached.' },
} as const;

/** Resource endpoints (RFC 6750 §3.1): the token is missing, invalid or lacks a scope. */
export const bearerFailureResponses = {
  401: {
    ...oauthErrorSchema,
    description: 'No access token, or an invalid, expired or revoked one (RFC 6750 §3.1).',
  },
  403: { ...oauthErrorSchema, description: 'insufficient_scope: the token lacks the scope needed.' },
  500: { ...oauthErrorSchema, description: 'server_error: an unexpected failure.' },
  503: { ...oauthErrorSchema, description: 'temporarily_unavailable: the database cannot be reached.' },
} as const;

/** Browser pages answer HTML; their errors are HTML pages too. */
export function htmlResponse(description: string) {
  return { description, content: { 'text/html': { schema: { type: 'string' } } } } as const;
}

/** A redirect: no body, a Location header. */
export function redirectResponse(description: string) {
  return {
    description,
    type: 'null',
    headers: { location: { type: 'string', description: 'Where the browser goes next.' } },
  } as const;
}

/** The content types the OAuth endpoints and forms accept (checklist T4). */
export const FORM_OR_JSON = ['application/x-www-form-urlencoded', 'application/json'];
