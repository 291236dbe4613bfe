/** What a path is, by name alone: test or example code, Python, Dockerfile, compose file, YAML. */

const TEST_DIR = /(?:^|\/)(?:tests?|testing|__tests__|spec|specs|fixtures?|testdata|test_data|mocks?)\//i;
const TEST_FILE = /(?:^|\/)(?:test_[^/]*\.py|[^/]*_tests?\.py|conftest\.py|[^/]*\.(?:test|spec)\.[a-z]+)$/i;
const EXAMPLE = /(?:^|\/)(?:examples?|samples?|docs?|demo|tutorials?)\/|\.(?:example|sample|template|tmpl|dist)$|(?:^|\/)(?:example|sample|template)[._-][^/]*$/i;

/** Test code and fixtures: asserts are expected there, and fake credentials are common. */
export function isTestPath(path: string): boolean {
  return TEST_DIR.test(path) || TEST_FILE.test(path);
}

/**
 * Where code and configuration findings are rated low at most (scan.ts, ratedLow): test code, and
 * vendored copies of other projects. Narrower than isTestPath, which only relaxes secrets: `spec/`,
 * `testing/`, `mocks/` or `ab_test.py` name application code as often as tests, and a `vendor/`
 * below the root is as often a marketplace's vendors app as a copy of a library.
 */
export type LoweredPlace = 'test code' | 'vendored code';

const TEST_CODE = /(?:^|\/)(?:tests?|__tests__|testdata|test_data|fixtures?)\/|(?:^|\/)(?:test_[^/]*\.py|conftest\.py)$/i;
const VENDORED = /^vendor\/|(?:^|\/)(?:_vendor|vendored|third[_-]?party)\//i;

export function loweredPlace(path: string): LoweredPlace | null {
  if (TEST_CODE.test(path)) return 'test code';
  return VENDORED.test(path) ? 'vendored code' : null;
}

/** Examples, documentation and templates: placeholders for credentials are expected there. */
export function isExamplePath(path: string): boolean {
  return EXAMPLE.test(path);
}

export const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

export function isPythonPath(path: string): boolean {
  return /\.pyw?$/i.test(path);
}

/** A Jupyter notebook: its code cells are read as Python (python/notebook.ts), the file as text for secrets. */
export function isNotebookPath(path: string): boolean {
  return /\.ipynb$/i.test(path);
}

/**
 * A file in a `.ipynb_checkpoints/` folder: Jupyter's autosave of a file it edited in the folder
 * above (notebooks, and any text file opened in JupyterLab). Nothing runs or imports it (the
 * folder's name is no Python package name), so the scan reads it for secrets only
 * (scan/jupyter-checkpoints.ts says why and what else).
 */
export function isJupyterCheckpointPath(path: string): boolean {
  return CHECKPOINT_DIR.test(path);
}

const CHECKPOINT_DIR = /(?:^|\/)\.ipynb_checkpoints\//;

/**
 * The file a checkpoint is the autosave of, or null when the path is not one Jupyter writes.
 * Jupyter's FileCheckpoints names the copy of `dir/name.ext` `dir/.ipynb_checkpoints/name-checkpoint.ext`
 * (os.path.splitext: the last extension only, none for `Dockerfile` or `.env`), so
 * `nb/.ipynb_checkpoints/train-checkpoint.ipynb` is the copy of `nb/train.ipynb`.
 */
export function checkpointOriginal(path: string): string | null {
  const m = CHECKPOINT_FILE.exec(path);
  if (m === null) return null;
  const [, dir = '', stem, ext = ''] = m;
  return `${dir}${stem}${ext}`;
}

/** `dir/`, then the name before `-checkpoint`, then the extension after it (no dot inside; a name that is all extension, `.env`, has none). */
const CHECKPOINT_FILE = /^((?:[^/]*\/)*?)\.ipynb_checkpoints\/([^/]+?)-checkpoint(\.[^./]*)?$/;

/**
 * Source and configuration files by name: text by nature, so one that is binary by its content
 * (NULs in its first 8 KB and not UTF-8, or many NULs) is worth a word rather than a quiet pass
 * (scan.ts; a file of any name with a stray NUL and UTF-8 bytes is read as text). Python, `.env` files (`.env`,
 * `.env.prod`, `prod.env`), YAML, TOML, INI-like settings, JSON, shell scripts, requirements files,
 * notebooks, PostgreSQL's `.pgpass` (`pgpass.conf` is a `.conf`), Dockerfiles and Containerfiles.
 */
const TEXT_LIKE = /\.(?:pyw?|pyi|ipynb|env|ya?ml|toml|cfg|ini|conf|json|properties|sh|bash|txt)$|(?:^|\/)\.env(?:\.[^/]*)?$|(?:^|\/)\.pgpass$|(?:^|\/)(?:[^/]*\.)?(?:dockerfile|containerfile)(?:[._-][^/]*)?$/i;

export function isTextLikePath(path: string): boolean {
  return TEXT_LIKE.test(path);
}

/**
 * The names hadolint and trivy take for a Dockerfile, in any case: `Dockerfile`, `Dockerfile.prod`,
 * `Dockerfile-prod`, `Dockerfile_prod`, `api.Dockerfile`, and the same with Containerfile (podman's name).
 */
const DOCKERFILE = /^(?:docker|container)file(?:[._-][^/]*)?$|\.(?:docker|container)file$/i;
/**
 * What a file named after a Dockerfile is when its last extension says so: documentation, data,
 * scripts, BuildKit's per-Dockerfile `.dockerignore`, backups and patches. Templates
 * (`Dockerfile.template`, `.tmpl`, `.in`) stay Dockerfiles: they are one with placeholders.
 */
const NOT_DOCKERFILE = /\.(?:md|markdown|rst|adoc|txt|html?|pdf|json|jsonc|ya?ml|toml|ini|cfg|conf|xml|csv|lock|sh|bash|zsh|ps1|bat|cmd|py|pyi|js|mjs|cjs|ts|tsx|jsx|go|rb|java|kt|rs|c|cc|cpp|h|hpp|cs|php|dockerignore|gitignore|ignore|orig|bak|swp|old|rej|patch|diff|png|jpe?g|gif|svg)$/i;

export function isDockerfilePath(path: string): boolean {
  const base = baseName(path);
  return DOCKERFILE.test(base) && !NOT_DOCKERFILE.test(base);
}

/** `docker-compose.yml`, `docker-compose-prod.yml`, `docker-compose.prod.yaml`, `compose.yaml`, `compose-dev.yml`. */
export function isComposePath(path: string): boolean {
  return /^(?:docker-)?compose(?:[._-][^/]*)?\.ya?ml$/i.test(baseName(path));
}

/**
 * A GitHub Actions workflow: `.github/workflows/*.yml` or `.yaml` at the root of what is scanned, the
 * only place GitHub runs workflows from (one in a subfolder, a vendored copy's, never runs).
 */
export function isWorkflowPath(path: string): boolean {
  return /^\.github\/workflows\/[^/]+\.ya?ml$/i.test(path);
}

/**
 * A GitHub Action the repository defines for its own workflows (or publishes): `action.yml` or
 * `action.yaml` at the root of what is scanned, or in a folder under `.github/actions/`, where
 * workflows find local actions by convention (`uses: ./.github/actions/setup`). Its composite steps
 * run in the calling workflow's job, with its token and secrets.
 */
export function isActionPath(path: string): boolean {
  return /^(?:\.github\/actions\/(?:[^/]+\/)+)?action\.ya?ml$/i.test(path);
}

export function isYamlPath(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

/** Source code, where an unquoted `password = x` is an expression, not a value. */
export function isCodePath(path: string): boolean {
  return /\.(?:pyw?|pyi|js|mjs|cjs|ts|tsx|jsx|go|rb|java|kt|scala|cs|php|rs|swift|c|cc|cpp|h|hpp|sh|bash|zsh|ps1|ipynb)$/i.test(path);
}

/**
 * Whether this file is one the runtime rules read (a cheap test before reading YAML). Kept here,
 * apart from the rules, so a tree with no container or workflow files never loads them.
 */
export function isRuntimeFile(path: string, text: string | null): boolean {
  if (isDockerfilePath(path) || isComposePath(path) || isWorkflowPath(path) || isActionPath(path)) return true;
  return isYamlPath(path) && text !== null && text.includes('apiVersion') && /^kind:/m.test(text);
}
