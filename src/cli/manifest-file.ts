/**
 * A file given to `depwatch audit` or `depwatch fix`: the manifest it is by its name
 * (formatForNamedFile, as pip reads any file given to `-r`), to be read from its own folder (the
 * root of its paths and includes). A name Depwatch reads no manifest from is refused in one line:
 * audited as nothing, it would pass the gate with "no vulnerabilities".
 */
import { basename, dirname } from 'node:path';
import type { NamedManifest } from '../audit/run.js';
import { formatForNamedFile } from '../python/discover.js';
import { CliError } from './io.js';

export function namedManifestAt(full: string, given: string): { dir: string; manifest: NamedManifest } {
  const dir = dirname(full);
  const path = basename(full);
  const format = formatForNamedFile(basename(dir) || undefined, path);
  if (format === null) {
    throw new CliError(
      `${given}: not a manifest Depwatch reads by its name (requirements files: *.txt, *.in, *.pip; pyproject.toml, poetry.lock, uv.lock, pdm.lock, Pipfile, Pipfile.lock, pylock.toml, setup.cfg, setup.py, environment.yml); give its folder to read every manifest in it`,
    );
  }
  return { dir, manifest: { path, format } };
}

/** Whether a path that is not there names a manifest (a mistyped file or folder name, never a repository). */
export const namesManifest = (given: string): boolean => formatForNamedFile(undefined, given) !== null;
