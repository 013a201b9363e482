import { hash } from 'node:crypto';

/** RFC 7636 §4.1 and §4.2: 43 to 128 characters from the unreserved set. */
const VERIFIER_OR_CHALLENGE = /^[A-Za-z0-9\-._~]{43,128}$/;

export function isWellFormedPkceValue(value: string): boolean {
  return VERIFIER_OR_CHALLENGE.test(value);
}

/** RFC 7636 §4.2: S256, the only method we accept (the verifier is ASCII: isWellFormedPkceValue). */
export function s256Challenge(verifier: string): string {
  return hash('sha256', verifier, 'base64url');
}
