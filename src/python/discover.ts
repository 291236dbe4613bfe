/**
 * Which files are Python manifests, by path alone. Shared by local directory scans (`depwatch deps`)
 * and GitHub repository snapshots, so both see the same files.
 */
import { isDockerfilePath, isJupyterCheckpointPath } from '../scan/paths.js';
import { compiledBy } from './formats/created-by.js';
import { FORMAT_PATHS, isCondaEnvPath, isNeverRequirementsInput, pipToolsTwinOf } from './formats/paths.js';
import type { ManifestFormat } from './types.js';

/** Directories never searched: VCS metadata, JavaScript dependencies, virtual environments, caches. */
const SKIPPED_DIRS = new Set([
  '.git',
  '.hg',
  '.svn',
  'node_modules',
  'site-packages',
  'dist-packages',
  '__pycache__',
  '.venv',
  'venv',
  '.virtualenv',
  '.virtualenvs',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.eggs',
]);

export function isSkippedDir(name: string): boolean {
  return SKIPPED_DIRS.has(name);
}

/**
 * The folder on the path that is never searched, the outermost (`node_modules/a/.npmrc` →
 * `node_modules`, `app/.venv/lib/x.py` → `app/.venv`), or null: what a scan says it passed over.
 */
export function skippedFolderOf(path: string): string | null {
  const parts = path.split('/');
  for (let i = 0; i < parts.length - 1; i++) if (isSkippedDir(parts[i]!)) return parts.slice(0, i + 1).join('/');
  return null;
}

/** Version control data (the repository's history, not its files): a checkout always has one, so saying it was skipped says nothing. */
export function isVcsDir(name: string): boolean {
  return name === '.git' || name === '.hg' || name === '.svn';
}

/** True when some directory on the path is one we never search. */
export function isInSkippedDir(path: string): boolean {
  const parts = path.split('/');
  parts.pop();
  return parts.some(isSkippedDir);
}

/**
 * Files that are never the project's manifests or context, though a scan reads them: those in
 * skipped folders, and Jupyter's checkpoints (`.ipynb_checkpoints/requirements-checkpoint.txt` is
 * JupyterLab's autosave of `requirements.txt`, `Dockerfile-checkpoint` of a Dockerfile). Nothing
 * installs from a checkpoint, and auditing one repeated every finding of the file it copies; the
 * code scan still reads checkpoints for secrets (scan/jupyter-checkpoints.ts).
 */
function notTheProjects(path: string): boolean {
  return isInSkippedDir(path) || isJupyterCheckpointPath(path);
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/**
 * The format a file's name implies, or null when it is not a Python manifest. Each format says
 * which paths it reads (formats/paths.ts, its module's `matches`); this asks them, so there is one
 * answer for local scans, GitHub snapshots and explicit files alike, and no parser loads to give it.
 */
export function formatForPath(path: string): ManifestFormat | null {
  return FORMAT_PATHS.find((m) => m.matches(path))?.format ?? null;
}

/**
 * formatForPath for a path relative to a folder the user gave, named `folder` (its FileSource's
 * `folder`; undefined for a repository): the path is matched as if written under that name, so a
 * folder's files are the same manifests whether the audit was given it or its parent (`depwatch deps
 * requirements` reads `prod.txt` as `depwatch deps .` reads `requirements/prod.txt`).
 */
export function formatForPathIn(folder: string | undefined, path: string): ManifestFormat | null {
  return formatForPath(folder ? `${folder}/${path}` : path);
}

/**
 * The format a file named on the command line is read as (`depwatch audit FILE`, `depwatch deps
 * FILE`), or null when its name says it is no manifest: the name's own format (formatForPathIn,
 * under its folder's name), else a requirements file by its extension, as pip reads any file given
 * to `-r` (`dev.txt`, `prod.pip`, `test.in`), except the `.in` files that are never requirements
 * (`MANIFEST.in`, `config.h.in`: isNeverRequirementsInput).
 */
export function formatForNamedFile(folder: string | undefined, name: string): ManifestFormat | null {
  const named = formatForPathIn(folder, name);
  if (named !== null) return named;
  const base = baseName(name);
  const lower = base.toLowerCase();
  if (lower.endsWith('.txt') || lower.endsWith('.pip')) return 'requirements';
  if (lower.endsWith('.in') && !isNeverRequirementsInput(base)) return 'requirements';
  return null;
}

/** Whether a repository path is a manifest that discovery reads. */
export function isManifestPath(path: string): boolean {
  return isManifestPathIn(undefined, path);
}

/** isManifestPath for a path relative to a folder named `folder` (as formatForPathIn). */
export function isManifestPathIn(folder: string | undefined, path: string): boolean {
  return !notTheProjects(path) && formatForPathIn(folder, path) !== null;
}

/**
 * A `.in` file that discovery does not read by its name alone and that may still be requirements
 * (`dev.in`, `deps/test.in`, `template.in`): not in a skipped folder, not a manifest by name, not one
 * of the well-known templates (isNeverRequirementsInput). The loader reads it only when a compiled
 * `.txt` beside it or an include says so, and names the others in a notice (fail closed: a pip-tools
 * input compiled only in CI is said, not silently left out); a GitHub snapshot lists these without
 * downloading them so that its audit says the same.
 */
export function isUndecidedInput(path: string, folder?: string): boolean {
  const base = baseName(path);
  return base.length > 3 && base.toLowerCase().endsWith('.in') && !isNeverRequirementsInput(base) && !notTheProjects(path) && formatForPathIn(folder, path) === null;
}

/**
 * `.in` files whose name does not say whether they are pip-tools inputs (`dev.in`, `template.in`),
 * each with the `.txt` beside it that pip-compile would write from it, when the listing has both:
 * the candidates a reader then decides by that `.txt`'s text (isCompiledFrom). A GitHub snapshot
 * downloads both; the loader reads both when the `.txt` says it was compiled from the `.in`.
 */
export function pipToolsPairs(paths: Iterable<string>, folder?: string): Map<string, string> {
  const listed = new Set(paths);
  const pairs = new Map<string, string>();
  for (const path of listed) {
    if (notTheProjects(path)) continue;
    // Asked as formatForPathIn asks (under the audited folder's name), then said of the listed path.
    const twin = folder ? pipToolsTwinOf(`${folder}/${path}`)?.slice(folder.length + 1) ?? null : pipToolsTwinOf(path);
    if (twin !== null && listed.has(twin)) pairs.set(path, twin);
  }
  return pairs;
}

/** How far into a compiled file its header and first `# via -r dev.in` are looked for. */
const COMPILED_HEAD_CHARS = 8192;

/**
 * Whether a requirements file's text says pip-compile (or `uv pip compile`) wrote it from `input`:
 * the tool's header at its top, and the input's file name as a whole path word in the header's
 * command line or in a `# via -r` note. A path word is the name at the end of a word (after the
 * start, a space, a `/` (or `\`) or a `=`, before the end or a space): `dev.in`,
 * `requirements/dev.in` and `--src=dev.in`, but not `mydev.in`. Only what both tools write is taken; a hand-written
 * `.txt` beside a template decides nothing. Linear: each line of the head is split into words once.
 */
export function isCompiledFrom(text: string, input: string): boolean {
  const head = text.slice(0, COMPILED_HEAD_CHARS);
  if (compiledBy(head) === null) return false;
  const name = baseName(input);
  const namesInput = (word: string) => word.endsWith(name) && (word.length === name.length || '/\\='.includes(word[word.length - name.length - 1]!));
  for (const line of head.split(/\r?\n/)) {
    const words = line.split(/[ \t]+/);
    // `#    pip-compile dev.in`, `#    uv pip compile dev.in -o dev.txt`: the header's command line.
    const command = words[0] === '#' && (words[1] === 'pip-compile' || (words[1] === 'uv' && words[2] === 'pip' && words[3] === 'compile'));
    // `    # via -r dev.in` (or `#   -r dev.in` under a multi-line `# via`).
    const via = words.includes('-r') && words.includes('#');
    if ((command || via) && words.some(namesInput)) return true;
  }
  return false;
}

/** Files that say which Python runs the project (for end-of-life checks) and the audit's own settings. */
export function isProjectContextPath(path: string): boolean {
  if (notTheProjects(path)) return false;
  const base = baseName(path);
  if (base === '.python-version' || base === 'runtime.txt' || base === '.depwatch.yml' || base === '.depwatch.yaml') return true;
  // The Dockerfiles the code scan reads (Dockerfile-prod, dockerfile, Containerfile…): one rule for both.
  if (isDockerfilePath(path)) return true;
  // A conda environment file says which Python it installs (`python=3.7`), as well as being a manifest.
  if (isCondaEnvPath(path)) return true;
  return /^\.github\/workflows\/[^/]+\.ya?ml$/.test(path);
}
