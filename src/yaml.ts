/**
 * The YAML parser, loaded on first use. Only trees with a `.depwatch.yml`, a conda environment, a
 * CI workflow or Kubernetes/Compose files need it, and loading it cost every audit and scan about
 * 60 ms of start-up (see on-first-use.ts).
 */
import { onFirstUse } from './on-first-use.js';

export const yaml = onFirstUse<typeof import('yaml')>('yaml');

/**
 * Given to every parse of YAML Depwatch did not write (a repository's files, templates): at the
 * library's default level its warnings (an unknown tag, a key that is a collection) go to
 * process.emitWarning, and Node prints them on stderr with the file's raw line, terminal escapes
 * and all, in the CLI and in the bot's logs. 'error' keeps the errors, which `parse` still throws
 * ('silent' would drop them); a reader that needs the warnings reads `doc.warnings`.
 */
export const QUIET_YAML = { logLevel: 'error' } as const;
