/**
 * The git work tree holding a folder: the nearest folder up from it (itself included) with a `.git`
 * entry (a folder, or the file a linked work tree or submodule has), found without running git; null
 * when none holds it. SARIF paths start there, and git applies the `.gitignore` files of the folders
 * between it and a scanned subfolder to the subfolder's files.
 */
import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export async function workTreeOf(dir: string): Promise<string | null> {
  for (let at = dir; ; at = dirname(at)) {
    const entry = await stat(join(at, '.git')).catch(() => null);
    if (entry?.isDirectory() || entry?.isFile()) return at;
    if (dirname(at) === at) return null;
  }
}
