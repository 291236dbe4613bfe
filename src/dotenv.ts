import { existsSync } from 'node:fs';

/**
 * Loads `.env` (when present) into process.env without overriding what is already set, through
 * Node's own loader. Apart from config.ts so the CLI can call it without loading zod at start-up.
 */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}
