/**
 * Which files are Python manifests, by path alone. Shared by local directory scans (`depwatch deps`)
 * and GitHub repository snapshots, so both see the same files.
 */
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

/** True when some directory on the path is one we never search. */
export function isInSkippedDir(path: string): boolean {
  const parts = path.split('/');
  parts.pop();
  return parts.some(isSkippedDir);
}

const NOT_REQUIREMENTS_IN = new Set(['manifest', 'makefile', 'config', 'configure', 'version']);

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** The format a file's name implies, or null when it is not a Python manifest. */
export function formatForPath(path: string): ManifestFormat | null {
  const base = baseName(path);
  const lower = base.toLowerCase();
  switch (base) {
    case 'pyproject.toml':
      return 'pyproject';
    case 'poetry.lock':
      return 'poetry-lock';
    case 'Pipfile':
      return 'pipfile';
    case 'Pipfile.lock':
      return 'pipfile-lock';
    case 'uv.lock':
      return 'uv-lock';
    case 'pdm.lock':
      return 'pdm-lock';
    case 'setup.cfg':
      return 'setup-cfg';
  }
  if (lower.endsWith('.txt')) {
    const stem = lower.slice(0, -4);
    if (stem.startsWith('requirements') || stem.endsWith('requirements') || stem.startsWith('constraints')) return 'requirements';
    const parent = path.split('/').at(-2)?.toLowerCase();
    if (parent === 'requirements' || parent === 'requirements.d') return 'requirements';
    return null;
  }
  // pip-tools inputs (requirements.in, dev.in). Build templates share the suffix (MANIFEST.in,
  // Makefile.in, config.h.in, setup.py.in): a stem with a dot or a known build name is not ours.
  if (lower.endsWith('.in')) {
    const stem = lower.slice(0, -3);
    if (stem && !stem.includes('.') && !NOT_REQUIREMENTS_IN.has(stem)) return 'requirements';
  }
  return null;
}

/** Whether a repository path is a manifest that discovery reads. */
export function isManifestPath(path: string): boolean {
  return !isInSkippedDir(path) && formatForPath(path) !== null;
}

/** Files that say which Python runs the project (for end-of-life checks) and the audit's own settings. */
export function isProjectContextPath(path: string): boolean {
  if (isInSkippedDir(path)) return false;
  const base = baseName(path);
  if (base === '.python-version' || base === 'runtime.txt' || base === '.depwatch.yml' || base === '.depwatch.yaml') return true;
  if (/^Dockerfile(\..+)?$/.test(base) || base.endsWith('.Dockerfile')) return true;
  return /^\.github\/workflows\/[^/]+\.ya?ml$/.test(path);
}
