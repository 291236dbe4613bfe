/**
 * Why a path someone gave could not be opened, in the words the CLI uses for it ("no such file or
 * directory", "is a directory"), never the system's code and the absolute path Node adds to it
 * (`EISDIR: illegal operation on a directory, read`). One place, so every command says the same.
 */
import { errorLine } from './error-line.js';

const WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'no such file or directory (a part of the path is a file)',
  EISDIR: 'is a directory, not a file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ELOOP: 'a symbolic link in a loop (it leads back to itself)',
  ENAMETOOLONG: 'the name is too long',
};

/** The reason, one line, for the end of "PATH: …". */
export function fileProblem(err: unknown): string {
  const code = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
  if (code !== undefined && WORDS[code] !== undefined) return WORDS[code];
  // Unknown to the table: the system's own reason, without its code-and-path tail.
  return errorLine(err).replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
}
