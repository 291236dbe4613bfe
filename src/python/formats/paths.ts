/**
 * Which files each format reads, by path alone: what discovery asks of every file in a tree, kept
 * apart from the parsers (as Renovate keeps a manager's file patterns apart from its extractor), so
 * that finding the manifests loads none of them and an audit loads only the parsers its files need
 * (./lazy.ts). Each format module's `matches` is the function given here.
 */
import type { ManifestFormat } from '../types.js';

/** `.in` files that are certainly not pip-tools inputs (autotools and setuptools templates). */
const NOT_PIP_TOOLS_INPUT = /^(?:manifest|makefile|configure|config|setup|pyproject|tox|dockerfile|version)(?:\..*)?\.in$/i;

export function isRequirementsPath(path: string): boolean {
  const segments = path.replace(/\\/g, '/').split('/');
  const base = (segments.pop() ?? '').toLowerCase();
  // `requirements/` at any depth, and pip-tools' `requirements.d/` convention.
  const inRequirementsDir = segments.some((segment) => ['requirements', 'requirements.d'].includes(segment.toLowerCase()));
  if (base.endsWith('.txt')) {
    return (
      base.startsWith('requirements') ||
      base.endsWith('requirements.txt') ||
      base.startsWith('constraints') ||
      inRequirementsDir
    );
  }
  if (base.endsWith('.in') && base.length > 3) {
    // pip-tools inputs: `requirements.in`, `dev.in`, `requirements/base.in`. A second dot in the
    // stem (`config.h.in`, `setup.cfg.in`) marks a template unless the name says requirements.
    if (NOT_PIP_TOOLS_INPUT.test(base)) return false;
    if (/requirements|constraints/.test(base) || inRequirementsDir) return true;
    return !base.slice(0, -3).includes('.');
  }
  return false;
}

export const isPyprojectPath = (path: string): boolean => path === 'pyproject.toml' || path.endsWith('/pyproject.toml');
export const isPoetryLockPath = (path: string): boolean => /(^|\/)poetry\.lock$/.test(path);
export const isPipfilePath = (path: string): boolean => path === 'Pipfile' || path.endsWith('/Pipfile');
export const isPipfileLockPath = (path: string): boolean => /(^|\/)Pipfile\.lock$/.test(path);
export const isUvLockPath = (path: string): boolean => /(^|\/)uv\.lock$/.test(path);
export const isPdmLockPath = (path: string): boolean => /(^|\/)pdm\.lock$/.test(path);
/**
 * PEP 751: `pylock.toml`, or `pylock.<name>.toml` where the name has no dot (pip's
 * `^pylock\.([^.]+)\.toml$`). Compared on the base name, so `mypylock.toml` and `pylock.a.b.toml`
 * are not lock files. No pattern runs over the name (a linear check of one path segment).
 */
export function isPylockPath(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (base === 'pylock.toml') return true;
  if (!base.startsWith('pylock.') || !base.endsWith('.toml')) return false;
  const name = base.slice('pylock.'.length, -'.toml'.length);
  return name.length > 0 && !name.includes('.');
}
export const isSetupCfgPath = (path: string): boolean => path === 'setup.cfg' || path.endsWith('/setup.cfg');
export const isSetupPyPath = (path: string): boolean => path === 'setup.py' || path.endsWith('/setup.py');

/**
 * Every format with the paths it reads, in the order discovery asks them (a Record over
 * ManifestFormat: a format added to the type and left out here does not compile).
 */
const MATCHERS = {
  requirements: isRequirementsPath,
  pyproject: isPyprojectPath,
  'poetry-lock': isPoetryLockPath,
  pipfile: isPipfilePath,
  'pipfile-lock': isPipfileLockPath,
  'uv-lock': isUvLockPath,
  'pdm-lock': isPdmLockPath,
  pylock: isPylockPath,
  'setup-cfg': isSetupCfgPath,
  'setup-py': isSetupPyPath,
} satisfies Record<ManifestFormat, (path: string) => boolean>;

/**
 * Whether a format's files can name other files the loader then reads (ExtractResult.includes):
 * `-r` / `-c` lines, a pyproject.toml's or setup.cfg's dynamic dependencies file, a setup.py that
 * reads a requirements file. A GitHub snapshot downloads such files whatever their names, and reads
 * only these formats to find them (lockfiles name none). A Record: a new format must say.
 */
const NAMES_OTHER_FILES = {
  requirements: true,
  pyproject: true,
  'poetry-lock': false,
  pipfile: false,
  'pipfile-lock': false,
  'uv-lock': false,
  'pdm-lock': false,
  pylock: false,
  'setup-cfg': true,
  'setup-py': true,
} satisfies Record<ManifestFormat, boolean>;

export const namesOtherFiles = (format: ManifestFormat): boolean => NAMES_OTHER_FILES[format];

export const FORMAT_PATHS: readonly { format: ManifestFormat; matches: (path: string) => boolean }[] = Object.entries(MATCHERS).map(([format, matches]) => ({
  format: format as ManifestFormat,
  matches,
}));
