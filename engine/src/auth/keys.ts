import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';

/**
 * API key material. Secrets are generated here, never chosen by a user: 32 random bytes, so a
 * plain SHA-256 of the secret is all the store needs to hold. A password hash (scrypt, argon2)
 * exists to slow down guessing of low-entropy human passwords; against 256 random bits guessing
 * is hopeless either way, and a fast hash keeps `POST /api/token` from being a CPU sink.
 */
export function newKeySecret(): string {
  return randomBytes(32).toString('base64url');
}

export function newKeyId(): string {
  return randomUUID();
}

/** Tokens carry it; a new secret gets a new version, so tokens issued for the old one stop working. */
export function newSecretVersion(): string {
  return randomBytes(8).toString('hex');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, secretHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(secretHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Key ids appear in URLs, logs and the audit trail: short, printable, no separators. */
export const KEY_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$';
