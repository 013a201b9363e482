/** A refused operator operation: a stable machine-readable code and one plain sentence. */
export class AdminError extends Error {
  constructor(
    readonly code: AdminErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type AdminErrorCode =
  | 'invalid_input'
  | 'invalid_redirect_uri'
  | 'unknown_grant_type'
  | 'unknown_scope'
  | 'unknown_account'
  | 'unknown_user'
  | 'duplicate_username'
  | 'not_found';

/** HTTP status for each code, for the admin API. */
export const ADMIN_ERROR_STATUS: Record<AdminErrorCode, number> = {
  invalid_input: 400,
  invalid_redirect_uri: 400,
  unknown_grant_type: 400,
  unknown_scope: 400,
  unknown_account: 400,
  unknown_user: 400,
  duplicate_username: 409,
  not_found: 404,
};
