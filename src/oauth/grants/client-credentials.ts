import type OAuth2Server from '@node-oauth/oauth2-server';
import { InvalidRequestError, LibraryClientCredentialsGrant } from '../library.js';

/** The range the appointman docs allow for a client-credentials token's `expires_in`, in seconds. */
export const EXPIRES_IN_MIN = 300;
export const EXPIRES_IN_MAX = 315_360_000;

/**
 * The library's client credentials grant (RFC 6749 §4.4), honouring an `expires_in` in the request
 * between 300 seconds and ten years, as the appointman docs promise.
 */
export class ClientCredentialsGrant extends LibraryClientCredentialsGrant {
  override async handle(
    request: OAuth2Server.Request,
    client: OAuth2Server.Client,
  ): Promise<OAuth2Server.Token> {
    const requested = requestedLifetime(request.body.expires_in);
    if (requested !== undefined) this.accessTokenLifetime = requested;
    return super.handle(request, client);
  }
}

/** Accepts a JSON number or a decimal string; anything else outside the range is refused. */
export function requestedLifetime(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const number =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\d+$/.test(value)
        ? Number(value)
        : NaN;
  if (!Number.isInteger(number) || number < EXPIRES_IN_MIN || number > EXPIRES_IN_MAX) {
    throw new InvalidRequestError(
      `Invalid parameter: expires_in must be a whole number of seconds from ${EXPIRES_IN_MIN} to ${EXPIRES_IN_MAX}`,
    );
  }
  return number;
}
