export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'implicit', 'client_credentials'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

export const DEFAULT_GRANT_TYPES: GrantType[] = ['authorization_code', 'refresh_token'];

export function isGrantType(value: string): value is GrantType {
  return (GRANT_TYPES as readonly string[]).includes(value);
}

/** Grants that send the user's browser back to the client, and so need a redirect URI. */
export function needsRedirectUri(grantTypes: readonly string[]): boolean {
  return grantTypes.includes('authorization_code') || grantTypes.includes('implicit');
}
