/** Scope name → the sentence the consent page shows for it. */
export type ScopeCatalogue = Record<string, string>;

export const DEFAULT_SCOPES: ScopeCatalogue = {
  read: 'See your appointments, services and account details',
  write: 'Create, change and cancel appointments',
  admin: 'Use the operator API (only for clients the operator marks as admin)',
};

/** The scope only admin clients may hold. */
export const ADMIN_SCOPE = 'admin';

/** RFC 6749 §3.3: a space-delimited list; order does not matter, duplicates say nothing more. */
export function parseScope(value: string): string[] {
  return [...new Set(value.split(' ').filter((s) => s !== ''))];
}

export function formatScope(scopes: readonly string[]): string {
  return scopes.join(' ');
}

export function isSubset(requested: readonly string[], allowed: readonly string[]): boolean {
  return requested.every((scope) => allowed.includes(scope));
}
