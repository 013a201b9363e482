import { hash, randomFillSync } from 'node:crypto';

/**
 * CSPRNG output fetched 4 KiB at a time, as Node's own randomUUID() does: one call into OpenSSL per
 * 128 tokens instead of one per token. A call costs several µs on these machines (measured: a
 * refresh, which makes two tokens, spent 10 µs of its CPU in randomFillSync). Bytes are handed out
 * once and zeroed as they go, so the pool only ever holds randomness no value has used yet.
 */
const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafeSlow(POOL_BYTES);
let used = POOL_BYTES;

/** `bytes` bytes from the CSPRNG, as base64url. */
function randomText(bytes: number): string {
  if (used + bytes > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const text = pool.toString('base64url', used, used + bytes);
  pool.fill(0, used, used + bytes);
  used += bytes;
  return text;
}

/** 256 bits from the CSPRNG, base64url: codes, tokens, client secrets, session ids (RFC 6749 §10.10). */
export function randomSecret(): string {
  return randomText(32);
}

/** A short public identifier (client ids, user ids, account ids): 128 random bits. */
export function randomId(): string {
  // Never a leading '-' or '_': ids are passed as command-line arguments (`clients show <id>`), where
  // a leading dash reads as an option.
  for (;;) {
    const id = randomText(16);
    if (/^[A-Za-z0-9]/.test(id)) return id;
  }
}

/**
 * An internal identifier that sorts by creation time (grant ids): the time in milliseconds, then
 * 96 random bits, as UUIDv7 and ULID do. Rows stored soon after their grant (its code, its tokens)
 * then add to the right-hand end of the grantId indexes, a few pages that stay in the cache, instead
 * of one random page each: measured, a code exchange costs the SQLite thread about a third less.
 * Never shown outside the server, so the time it carries tells no one anything.
 */
export function timeOrderedId(now = Date.now()): string {
  return `${now.toString(36).padStart(10, '0')}${randomText(12)}`;
}

/**
 * What we store instead of a code, token, session id or client secret (RFC 6819 §5.1.4.1.3).
 * These values carry 256 random bits, so a fast hash protects them as well as a slow one would:
 * nothing can be guessed. Slow hashing (argon2id) is kept for human-chosen passwords.
 */
export function hashSecret(value: string): string {
  // crypto.hash: one call instead of a Hash object's three (half the time, measured).
  return hash('sha256', value, 'base64url');
}

/**
 * Whether a presented secret is the one whose hashSecret() is stored, compared in constant time
 * (RFC 6819 §5.1.4.1.3): the two digests as their base64url text, with no Buffer made for either.
 */
export function secretMatchesHash(secret: string, storedHash: string): boolean {
  return safeEqual(hashSecret(secret), storedHash);
}

/**
 * Constant-time comparison of two strings (RFC 6819 §5.1.4.1.2 against timing attacks): every
 * character is compared, with no early exit; only the lengths may tell. No Buffer is made for either
 * (half the time of Buffers and timingSafeEqual, measured).
 */
export function safeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}
