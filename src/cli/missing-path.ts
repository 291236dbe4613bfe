/** A path given to a command that is missing, or there but unusable: told apart (see missingOr). */
import { fileProblem } from '../file-error.js';
import { CliError } from './io.js';

/**
 * For `stat(path).catch(…)` where a missing path has its own words at the caller ("no such
 * directory"): null when the path is not there, else one line saying why it cannot be used (a
 * symbolic link in a loop, permission denied), so neither is called missing.
 */
export function missingOr(given: string): (err: unknown) => null {
  return (err) => {
    const code = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw new CliError(`${given}: ${fileProblem(err)}`);
  };
}
