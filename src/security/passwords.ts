import argon2 from 'argon2';

// argon2id with the library's defaults (m=64 MiB, t=3, p=4), as OWASP recommends for passwords.
export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/** Spends the same time as a real check, so a missing user cannot be told apart by timing (A9). */
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword('appointman-no-such-user');
  await verifyPassword(await dummyHash, password);
  return false;
}
