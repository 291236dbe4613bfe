/**
 * A secret's fingerprint: the first 16 hex digits of HMAC-SHA256(key, value). It lets two scans
 * (or a scan and an ignore) recognise the same secret without storing it.
 *
 * Why it cannot be turned back into the value, even for a short password: a plain hash of
 * `hunter2` is found by hashing a dictionary; an HMAC needs the key too, and the key is 256 random
 * bits that stay with the installation (DEPWATCH_FINGERPRINT_KEY for the bot, or a fresh random
 * key per run in the CLI). Without it no guess can be checked. Truncating to 64 bits adds that
 * each fingerprint matches countless other strings, so even with the key a match is a hint, not
 * proof. Keep the key secret like any other credential: whoever holds it can test guesses.
 */
import { createHmac, randomBytes } from 'node:crypto';

export function fingerprint(key: string | Uint8Array, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('hex').slice(0, 16);
}

/** A fresh key for one run: fingerprints then compare only within that run. */
export function randomFingerprintKey(): string {
  return randomBytes(32).toString('hex');
}
