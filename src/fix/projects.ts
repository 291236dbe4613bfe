/**
 * Which files `depwatch fix` treats as one project: files pip (or a locker) installs together, so a
 * release must move in all of them or in none. Not every file above or below a folder: a monorepo's
 * root setup.cfg says nothing about services/api/requirements.txt, and Dependabot, too, updates each
 * manifest folder on its own. Together are:
 * - the files of one folder (a requirements file and its `.in`, a Pipfile and its lock, a pyproject
 *   and its lock, a setup.cfg beside them);
 * - requirements files joined by `-r` / `-c` includes, wherever they are;
 * - a uv, Poetry or PDM lock and the pyproject.toml files below it (a workspace's members).
 * A Dockerfile's `pip install` is a project of its own: it installs into the image, reading none of
 * the files beside it but those its command names, so a pin of it left alone (set through ENV, in a
 * here-document) holds nothing of the folder's files back, nor they its own.
 */
import { posix } from 'node:path';
import type { ManifestFormat } from '../python/types.js';

const WORKSPACE_LOCKS = new Set<ManifestFormat>(['uv-lock', 'poetry-lock', 'pdm-lock']);

/** Whether `dir` is `ancestor` or inside it (`.` is the audited folder). */
export const within = (dir: string, ancestor: string): boolean => ancestor === '.' || dir === ancestor || dir.startsWith(`${ancestor}/`);

/**
 * A file as projectsOf reads it: its `-r` / `-c` includes resolved relative to the audited folder,
 * as the loader resolves them (LoadedManifest.includes, src/python/load.ts resolveInclude), so the
 * audit's advice and `depwatch fix` group the same files. Only a requirements file's includes join projects.
 */
export interface ProjectFile {
  path: string;
  format: ManifestFormat;
  includes: readonly string[];
}

/** A test of whether two files (paths relative to the audited folder) are of one project. */
export function projectsOf(files: readonly ProjectFile[]): (a: string, b: string) => boolean {
  const parent = new Map<string, string>();
  const find = (p: string): string => {
    let root = p;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root)!;
    parent.set(p, root);
    return root;
  };
  const join = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  const known = new Set(files.map((f) => f.path));
  const firstIn = new Map<string, string>();
  for (const f of files) {
    if (f.format === 'dockerfile') continue;
    const dir = posix.dirname(f.path);
    const first = firstIn.get(dir);
    if (first === undefined) firstIn.set(dir, f.path);
    else join(first, f.path);
    if (f.format === 'requirements') {
      for (const included of f.includes) if (known.has(included)) join(f.path, included);
    }
  }
  for (const lock of files.filter((f) => WORKSPACE_LOCKS.has(f.format))) {
    const dir = posix.dirname(lock.path);
    for (const f of files) if (f.format === 'pyproject' && within(posix.dirname(f.path), dir)) join(lock.path, f.path);
  }
  return (a, b) => a === b || find(a) === find(b);
}
