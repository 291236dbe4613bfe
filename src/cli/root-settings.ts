/**
 * The repository root's settings file, when a subfolder of the work tree is audited or scanned
 * (`depwatch audit services/api` in a monorepo's CI). Settings are read only from the folder given,
 * so that a subfolder job is configured by its own folder and nothing above it decides what is
 * hidden: fail closed (the root's ignores hide nothing here). But its writer believes it applies;
 * one `invalid` note, as for a settings file named nearly so (not partial: nothing is hidden by it),
 * says it was not read, why, and how to apply it. Only the work tree's root is looked at (workTreeOf:
 * the nearest folder up with a `.git` entry), as a project's settings live there.
 */
import { lstat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { CONFIG_FILES } from '../audit/exclude.js';
import type { IgnoreNote } from '../audit/ignores.js';
import { workTreeOf } from '../scan/work-tree.js';

export async function rootSettingsNote(dir: string, command: 'audit' | 'scan'): Promise<IgnoreNote | null> {
  const root = await workTreeOf(dir);
  if (root === null || relative(root, dir) === '') return null;
  for (const name of CONFIG_FILES) {
    // A folder of that name is no settings file; a link is one (never read, even at the root).
    const entry = await lstat(join(root, name)).catch(() => null);
    if (entry === null || entry.isDirectory()) continue;
    const file = relative(dir, join(root, name)).split(sep).join('/');
    // Short enough for a text report's note line (shorten: 200 characters) with a path a few folders deep.
    return {
      kind: 'invalid',
      message: `${file} (the repository root's) not read: a subfolder ${command} reads settings from that folder only; copy it there, or ${command} the root with exclude: for the rest`,
      settingsFile: file,
    };
  }
  return null;
}
