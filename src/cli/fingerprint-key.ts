/** DEPWATCH_FINGERPRINT_KEY, for `depwatch scan` and `depwatch audit` alike. */
import { CliError, type CliIO } from './io.js';

/** The installation's key for secret fingerprints (src/scan/secrets/fingerprint.ts), when one is set. */
export function fingerprintOptions(io: CliIO): { fingerprintKey?: string } {
  const key = io.env.DEPWATCH_FINGERPRINT_KEY?.trim();
  if (key === undefined || key === '') return {};
  if (key.length < 32) throw new CliError('DEPWATCH_FINGERPRINT_KEY: use at least 32 random characters (e.g. openssl rand -hex 32)');
  return { fingerprintKey: key };
}
