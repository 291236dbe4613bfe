/**
 * Which files each format reads, by path alone: what discovery asks of every file in a tree, kept
 * apart from the parsers (as Renovate keeps a manager's file patterns apart from its extractor), so
 * that finding the manifests loads none of them and an audit loads only the parsers its files need
 * (./lazy.ts). Each format module's `matches` is the function given here.
 */
import { isDockerfilePath } from '../../scan/paths.js';
import type { ManifestFormat } from '../types.js';

/**
 * `.in` files that are never requirements, whatever sits beside them, and that discovery passes over
 * without a word (every other `.in` it does not read is named in a notice, see
 * passedOverInputsNotice in src/python/load.ts). The one list of them: autotools, setuptools and
 * build templates by name (`MANIFEST.in`, `Makefile.in`, `GNUmakefile.in`, `configure.in`,
 * `config*.in`, `setup.cfg.in`, `setup.py.in`, `pyproject.toml.in`, `tox.ini.in`, `Dockerfile.in`,
 * `version.in`), and any `.in` whose stem ends in the extension of what it fills in (`config.h.in`,
 * `app.pc.in`, `app.spec.in`, `app.service.in`, `app.desktop.in`, `nginx.conf.in`, `Foo.cmake.in`,
 * `*.xml.in`, `*.json.in`, `*.yml.in`, `*.yaml.in`, `*.html.in`, `*.sh.in`, `*.py.in`).
 */
const NON_REQUIREMENTS_IN_NAMES = new Set(['manifest', 'makefile', 'gnumakefile', 'configure', 'setup', 'pyproject', 'tox', 'dockerfile', 'version']);
const NON_REQUIREMENTS_IN_KINDS = new Set(['h', 'pc', 'spec', 'service', 'desktop', 'conf', 'cmake', 'xml', 'json', 'yml', 'yaml', 'html', 'sh', 'py']);

/**
 * A name that says it holds requirements: `requirements`, `constraints` or `reqs` as a word of it
 * (`dev-requirements.in`, `reqs.in`, `test_reqs.in`), words parted by `-`, `_` or `.`: `prereqs.in`
 * says nothing. Compared word by word (a split and a set lookup), no pattern over the name.
 */
const REQUIREMENTS_WORDS = new Set(['requirements', 'constraints', 'reqs']);
const saysRequirements = (base: string) => base.split(/[-_.]/).some((word) => REQUIREMENTS_WORDS.has(word));

/** Whether a file's base name is one of the well-known `.in` files that are never requirements (above). Word by word, no pattern. */
export function isNeverRequirementsInput(base: string): boolean {
  const lower = base.toLowerCase();
  if (!lower.endsWith('.in')) return false;
  const stem = lower.slice(0, -3);
  // A name that says requirements is one, whatever it starts with (`config-requirements.in`).
  if (saysRequirements(stem) || stem.startsWith('requirements') || stem.endsWith('requirements') || stem.startsWith('constraints')) return false;
  const words = stem.split('.');
  const first = words[0]!;
  if (NON_REQUIREMENTS_IN_NAMES.has(first) || first.startsWith('config')) return true;
  return words.length > 1 && NON_REQUIREMENTS_IN_KINDS.has(words[words.length - 1]!);
}


/** `requirements/` at any depth, and pip-tools' `requirements.d/` convention. */
const inRequirementsDir = (folders: readonly string[]) => folders.some((segment) => ['requirements', 'requirements.d'].includes(segment.toLowerCase()));

/**
 * Requirements files by name. A `.txt` or `.pip` is one when named `requirements*`,
 * `*requirements.txt` / `*requirements.pip`, `constraints*` or inside a `requirements/` folder
 * (Renovate's pip_requirements manager takes `.pip` as `.txt`: `requirements.pip`,
 * `dev-requirements.pip`, `requirements/base.pip`). A `.lock` is one when
 * named `requirements*` (`requirements.lock`, `requirements-dev.lock`: what `rye lock` writes, in
 * requirements format, and what `uv pip compile -o requirements.lock` names); the other `.lock`
 * names (poetry.lock, uv.lock, pdm.lock, Pipfile.lock) never start so and stay their formats'. A
 * `.in` (pip-tools' input) only when its name says so (`requirements`, `constraints` or `reqs` as a
 * word of it) or it is inside a `requirements/` folder: by name alone, `dev.in` could as well be a
 * Jinja or autoconf template (`template.in`), so such a file is read only when a pip-compile output
 * beside it says it was compiled from it (pipToolsTwinOf, src/python/load.ts) or a manifest
 * includes it (`-r dev.in`).
 */
export function isRequirementsPath(path: string): boolean {
  const segments = path.replace(/\\/g, '/').split('/');
  const base = (segments.pop() ?? '').toLowerCase();
  const inDir = inRequirementsDir(segments);
  if (base.endsWith('.txt') || base.endsWith('.pip')) {
    return base.startsWith('requirements') || base.endsWith('requirements.txt') || base.endsWith('requirements.pip') || base.startsWith('constraints') || inDir;
  }
  if (base.endsWith('.lock')) return base.startsWith('requirements');
  if (base.endsWith('.in') && base.length > 3) {
    if (isNeverRequirementsInput(base)) return false;
    const name = base.slice(0, -3);
    return name.startsWith('requirements') || name.endsWith('requirements') || name.startsWith('constraints') || saysRequirements(name) || inDir;
  }
  return false;
}

/**
 * For a `.in` whose name does not tell (`dev.in`, `template.in`): the `.txt` beside it that
 * pip-compile (or `uv pip compile`) would write from it, which decides (its header says it was
 * compiled). Null for any other path, and for templates that are never inputs (`MANIFEST.in`).
 */
export function pipToolsTwinOf(path: string): string | null {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (!base.toLowerCase().endsWith('.in') || base.length <= 3 || isNeverRequirementsInput(base) || isRequirementsPath(path)) return null;
  return `${path.slice(0, -3)}.txt`;
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
/** A conda environment file by the names `conda env create` looks for (`environment.yml`, `environment.yaml`). */
export function isCondaEnvPath(path: string): boolean {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base === 'environment.yml' || base === 'environment.yaml';
}

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
  'conda-env': isCondaEnvPath,
  // Last: a Dockerfile's `pip install` lines (the names hadolint and Trivy take, as the code scan does).
  dockerfile: isDockerfilePath,
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
  // Its pip: list is a requirements file (`-r other.txt` included).
  'conda-env': true,
  // Its `-r` files are paths in the image: discovery reads those the tree has by their names.
  dockerfile: false,
} satisfies Record<ManifestFormat, boolean>;

export const namesOtherFiles = (format: ManifestFormat): boolean => NAMES_OTHER_FILES[format];

export const FORMAT_PATHS: readonly { format: ManifestFormat; matches: (path: string) => boolean }[] = Object.entries(MATCHERS).map(([format, matches]) => ({
  format: format as ManifestFormat,
  matches,
}));
