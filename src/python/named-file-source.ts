/**
 * The source of an audit of one named manifest (`depwatch audit requirements/prod.txt`): its folder
 * is the root, so the file and its includes are read exactly as the audit of that folder reads them
 * (inside the folder only: `-r ../x.txt` leaves the root and is not followed), but the folder is not
 * walked. Only what lies at its top and the audit reads before any manifest is listed: the settings
 * file (`.depwatch.yml`, its ignores apply) and the names readTreeSettings notes (the other settings
 * file, one named nearly so). No other manifest, interpreter file or Dockerfile of the folder is
 * read: the audit is of that file's dependencies, as `pip-audit -r FILE` is.
 */
import { readdir } from 'node:fs/promises';
import { CONFIG_FILES, isMisnamedSettings } from '../audit/exclude.js';
import { directorySource, type FileSource } from './files.js';

export async function namedFileSource(folder: string): Promise<FileSource> {
  const { list: _walkedList, listingErrors: _walkedErrors, ...source } = directorySource(folder);
  // Files only, as a walk lists them: a folder named as the settings file is found by isFolder, and noted.
  const entries = await readdir(folder, { withFileTypes: true }).catch(() => []);
  const settingsNames = entries.filter((e) => !e.isDirectory()).map((e) => e.name).filter((name) => CONFIG_FILES.includes(name) || isMisnamedSettings(name));
  return { ...source, list: async () => settingsNames };
}
