/**
 * Which Python interpreters a repository runs on, and whether those branches are past end of life.
 *
 * Detection is pure: it reads file texts the caller already fetched (see INTERPRETER_FILES) and
 * reports every version it can pin to a CPython branch, with the file and line it came from.
 * Anything it cannot read with confidence (PyPy, `system`, ARG-substituted images, `3.x`,
 * expressions it cannot resolve) is skipped rather than guessed.
 */
import type { Node as YamlNode } from 'yaml';
import { isDockerfilePath } from '../scan/paths.js';
import { MAX_TOML_DEPTH, smolToml } from './toml.js';
import { readCondaEnv } from './formats/conda-env.js';
import { isCondaEnvPath } from './formats/paths.js';
import { QUIET_YAML, withoutErrorStacks, yaml, yamlMayNestDeeperThan } from '../yaml.js';

/** CPython branches: first release and end of life, from the Python devguide / endoflife.date. */
export interface PythonBranch {
  branch: string;
  released: string;
  eol: string;
}

export const PYTHON_BRANCHES: readonly PythonBranch[] = [
  { branch: '2.6', released: '2008-10-01', eol: '2013-10-29' },
  { branch: '2.7', released: '2010-07-03', eol: '2020-01-01' },
  { branch: '3.0', released: '2008-12-03', eol: '2009-06-27' },
  { branch: '3.1', released: '2009-06-27', eol: '2012-04-09' },
  { branch: '3.2', released: '2011-02-20', eol: '2016-02-20' },
  { branch: '3.3', released: '2012-09-29', eol: '2017-09-29' },
  { branch: '3.4', released: '2014-03-16', eol: '2019-03-18' },
  { branch: '3.5', released: '2015-09-13', eol: '2020-09-30' },
  { branch: '3.6', released: '2016-12-23', eol: '2021-12-23' },
  { branch: '3.7', released: '2018-06-27', eol: '2023-06-27' },
  { branch: '3.8', released: '2019-10-14', eol: '2024-10-07' },
  { branch: '3.9', released: '2020-10-05', eol: '2025-10-31' },
  { branch: '3.10', released: '2021-10-04', eol: '2026-10-31' },
  { branch: '3.11', released: '2022-10-24', eol: '2027-10-31' },
  { branch: '3.12', released: '2023-10-02', eol: '2028-10-31' },
  { branch: '3.13', released: '2024-10-07', eol: '2029-10-31' },
  { branch: '3.14', released: '2025-10-07', eol: '2030-10-31' },
  // Scheduled (PEP 790); the table is the place to update when the devguide moves a date.
  { branch: '3.15', released: '2026-10-01', eol: '2031-10-31' },
];

const DAY_MS = 86_400_000;

/** `3.11.4`, `3.11`, `3.12.0rc1`, `3.13t` → `3.11` etc.; anything without a minor → null. */
export function pythonBranch(version: string): string | null {
  const m = /^\s*v?(\d+)\.(\d+)(?!\d)/.exec(version);
  if (!m) return null;
  return `${Number(m[1])}.${Number(m[2])}`;
}

export interface EolStatus {
  branch: string;
  released: string;
  eol: string;
  /** True from the end-of-life date itself onwards. */
  isEol: boolean;
  /** Whole days from `today` (UTC) to the end-of-life date; zero on the day, negative after it. */
  daysLeft: number;
}

export function eolStatus(version: string, today: Date): EolStatus | null {
  const branch = pythonBranch(version);
  const entry = branch === null ? undefined : PYTHON_BRANCHES.find((b) => b.branch === branch);
  if (!entry) return null;
  const todayUtc = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  const daysLeft = Math.round((Date.parse(`${entry.eol}T00:00:00Z`) - todayUtc) / DAY_MS);
  return { branch: entry.branch, released: entry.released, eol: entry.eol, isEol: daysLeft <= 0, daysLeft };
}

// ---------------------------------------------------------------------------------------------
// Which files to read

export interface InterpreterFilePattern {
  glob: string;
  test: (path: string) => boolean;
}

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

export const INTERPRETER_FILES: readonly InterpreterFilePattern[] = [
  { glob: '**/.python-version', test: (p) => baseName(p) === '.python-version' },
  { glob: '**/.tool-versions', test: (p) => baseName(p) === '.tool-versions' },
  { glob: '**/runtime.txt', test: (p) => baseName(p) === 'runtime.txt' },
  // The code scan's own rule (Dockerfile-prod, Dockerfile_ci, dockerfile, Containerfile, api.Dockerfile).
  { glob: '**/{Dockerfile,dockerfile,Containerfile,containerfile}*', test: isDockerfilePath },
  { glob: '**/*.{Dockerfile,dockerfile,Containerfile,containerfile}', test: isDockerfilePath },
  { glob: '.github/workflows/*.{yml,yaml}', test: (p) => /(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(p) },
  { glob: '**/pyproject.toml', test: (p) => baseName(p) === 'pyproject.toml' },
  { glob: '**/setup.cfg', test: (p) => baseName(p) === 'setup.cfg' },
  { glob: '**/Pipfile', test: (p) => baseName(p) === 'Pipfile' },
  { glob: '**/environment.{yml,yaml}', test: isCondaEnvPath },
];

export function isInterpreterFile(path: string): boolean {
  const normalized = path.replace(/\\/g, '/');
  return INTERPRETER_FILES.some((f) => f.test(normalized));
}

// ---------------------------------------------------------------------------------------------
// Detection

export interface DetectedPython {
  /** As written (`3.11.4`, `3.8`), or the lowest branch a specifier allows. */
  version: string;
  file: string;
  line: number | null;
  /** How it was found: `.python-version`, `.tool-versions`, `runtime.txt`, `dockerfile`, `setup-python`, `conda`, `requires-python`, `poetry`, `pipfile`, `python_requires`. */
  via: string;
  /**
   * The requirement as written (`>=3.8`, `^3.8`, `3.8` in a Pipfile), for declared requirements:
   * what tells one constraint repeated in another file (its lockfile) from a different one.
   */
  constraint?: string;
}

export interface SourceFile {
  path: string;
  text: string;
}

export function detectPythonVersions(files: SourceFile[]): DetectedPython[] {
  const found: DetectedPython[] = [];
  for (const file of files) {
    const path = file.path.replace(/\\/g, '/');
    const name = baseName(path);
    const detect = detectorFor(path, name);
    if (!detect) continue;
    try {
      for (const d of detect(file.text)) found.push({ ...d, file: file.path });
    } catch {
      // An unreadable file says nothing about the interpreter; the manifest parsers report syntax errors.
    }
  }
  return found;
}

type Hit = Omit<DetectedPython, 'file'>;
type Detector = (text: string) => Hit[];

function detectorFor(path: string, name: string): Detector | null {
  if (name === '.python-version') return fromPythonVersionFile;
  if (name === '.tool-versions') return fromToolVersions;
  if (name === 'runtime.txt') return fromRuntimeTxt;
  if (isDockerfilePath(path)) return fromDockerfile;
  if (/(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(path)) return fromWorkflow;
  if (name === 'pyproject.toml') return fromPyproject;
  if (name === 'setup.cfg') return fromSetupCfg;
  if (name === 'Pipfile') return fromPipfile;
  if (isCondaEnvPath(path)) return fromCondaEnv;
  return null;
}

/** A concrete CPython version as tools write it: `3.11`, `3.11.4`, `3.12.0rc1`, `3.13t`, `3.12-dev`. */
const CPYTHON_VERSION = /^(?:cpython-|python-?)?(\d+\.\d+(?:\.\d+)?(?:(?:a|b|rc)\d+)?t?(?:-dev)?)$/i;

function cpythonVersion(raw: string): string | null {
  const m = CPYTHON_VERSION.exec(raw.trim());
  return m ? m[1]! : null;
}

function lines(text: string): string[] {
  return text.split(/\r?\n/);
}

function fromPythonVersionFile(text: string): Hit[] {
  // pyenv allows several versions, one per line; `system`, PyPy and virtualenv names are skipped.
  const hits: Hit[] = [];
  lines(text).forEach((raw, i) => {
    const entry = raw.replace(/#.*/, '').trim();
    const version = entry ? cpythonVersion(entry) : null;
    if (version) hits.push({ version, line: i + 1, via: '.python-version' });
  });
  return hits;
}

function fromToolVersions(text: string): Hit[] {
  const hits: Hit[] = [];
  lines(text).forEach((raw, i) => {
    const [tool, ...versions] = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (tool !== 'python') return;
    for (const v of versions) {
      const version = cpythonVersion(v);
      if (version) hits.push({ version, line: i + 1, via: '.tool-versions' });
    }
  });
  return hits;
}

function fromRuntimeTxt(text: string): Hit[] {
  const hits: Hit[] = [];
  lines(text).forEach((raw, i) => {
    const m = /^\s*python-(\d+\.\d+(?:\.\d+)?)\s*$/.exec(raw);
    if (m) hits.push({ version: m[1]!, line: i + 1, via: 'runtime.txt' });
  });
  return hits;
}

/**
 * `FROM [--platform=…] [registry/][namespace/]python:<tag>[@digest] [AS name]`. Any image whose last
 * path segment is `python` counts (docker.io/library/python, cimg/python, bitnami/python); images
 * built from ARG values cannot be known without the build arguments, so they are skipped.
 */
function fromDockerfile(text: string): Hit[] {
  const hits: Hit[] = [];
  lines(text).forEach((raw, i) => {
    const m = /^\s*FROM\s+(?:--\S+\s+)*(\S+)/i.exec(raw);
    if (!m) return;
    const image = m[1]!;
    if (image.includes('$')) return;
    const withoutDigest = image.split('@')[0]!;
    const colon = withoutDigest.lastIndexOf(':');
    if (colon <= withoutDigest.lastIndexOf('/')) return; // no tag: `python` means latest, unknowable
    const repo = withoutDigest.slice(0, colon);
    const tag = withoutDigest.slice(colon + 1);
    if (repo.slice(repo.lastIndexOf('/') + 1).toLowerCase() !== 'python') return;
    const t = /^(\d+\.\d+(?:\.\d+)?(?:(?:a|b|rc)\d+)?)(?:$|-)/.exec(tag);
    if (t) hits.push({ version: t[1]!, line: i + 1, via: 'dockerfile' });
  });
  return hits;
}

// --- GitHub workflows ------------------------------------------------------------------------

interface YamlScalarHit {
  text: string;
  offset: number;
}

/** The source text of a scalar, so `3.10` stays `3.10` instead of becoming the number 3.1. */
function scalarTexts(node: unknown): YamlScalarHit[] {
  if (yaml().isScalar(node)) {
    const text = typeof node.source === 'string' ? node.source : String(node.value);
    return [{ text, offset: node.range?.[0] ?? 0 }];
  }
  if (yaml().isSeq(node)) return node.items.flatMap((item) => scalarTexts(item));
  return [];
}

function mapGet(node: unknown, key: string): YamlNode | undefined {
  if (!yaml().isMap(node)) return undefined;
  const value = node.get(key, true);
  return (value ?? undefined) as YamlNode | undefined;
}

function mapEntries(node: unknown): [string, unknown][] {
  if (!yaml().isMap(node)) return [];
  return node.items.flatMap((pair) => (yaml().isScalar(pair.key) ? [[String(pair.key.value), pair.value] as [string, unknown]] : []));
}

/**
 * Workflows are a few kilobytes; the YAML library reads hostile text at a few microseconds a
 * character, so anything past this is skipped (it says nothing about the interpreter we can trust).
 */
export const MAX_WORKFLOW_CHARS = 256 * 1024;

/**
 * The YAML library recurses once per nesting level and overflows the stack near 800 levels (10 KB
 * of `- - - …` or `[[[…`); an overflow that lands while V8 compiles a regular expression aborts the
 * whole process instead of throwing. Real workflows nest a dozen levels, so a file that may nest
 * deeper than this is not handed to the library at all.
 */
export const MAX_WORKFLOW_NESTING = 200;

function fromWorkflow(text: string): Hit[] {
  if (text.length > MAX_WORKFLOW_CHARS || yamlMayNestDeeperThan(text, MAX_WORKFLOW_NESTING)) return [];
  const counter = new (yaml().LineCounter)();
  const doc = withoutErrorStacks(() => yaml().parseDocument(text, { ...QUIET_YAML, lineCounter: counter, uniqueKeys: false }));
  if (doc.errors.length > 0) return [];
  const hits: Hit[] = [];
  const seen = new Set<string>();
  const add = (scalar: YamlScalarHit, version: string): void => {
    // One matrix entry used by several steps is one finding.
    const key = `${scalar.offset}:${version}`;
    if (seen.has(key)) return;
    seen.add(key);
    hits.push({ version, line: counter.linePos(scalar.offset).line || null, via: 'setup-python' });
  };

  for (const [, job] of mapEntries(mapGet(doc.contents, 'jobs'))) {
    const matrix = mapGet(mapGet(job, 'strategy'), 'matrix');
    const steps = mapGet(job, 'steps');
    if (!yaml().isSeq(steps)) continue;
    for (const step of steps.items) {
      const uses = mapGet(step, 'uses');
      if (!yaml().isScalar(uses) || !String(uses.value).trim().startsWith('actions/setup-python')) continue;
      const pythonVersion = mapGet(mapGet(step, 'with'), 'python-version');
      for (const scalar of scalarTexts(pythonVersion)) {
        for (const { value, source } of expandWorkflowValue(scalar, matrix)) {
          const version = cpythonVersion(value);
          if (version) add(source, version);
        }
      }
    }
  }
  return hits;
}

/**
 * One `python-version:` value → the concrete values it stands for. setup-python accepts several
 * versions on separate lines; `${{ matrix.key }}` takes every value of that matrix key, including
 * the `include:` entries that set it.
 */
function expandWorkflowValue(scalar: YamlScalarHit, matrix: YamlNode | undefined): { value: string; source: YamlScalarHit }[] {
  const text = scalar.text.trim().replace(/^(['"])(.*)\1$/s, '$2');
  const expr = /^\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}$/.exec(text);
  if (expr) {
    const key = expr[1]!;
    const values = scalarTexts(mapGet(matrix, key));
    const include = mapGet(matrix, 'include');
    if (yaml().isSeq(include)) for (const entry of include.items) for (const v of scalarTexts(mapGet(entry, key))) values.push(v);
    return values.map((v) => ({ value: v.text.trim().replace(/^(['"])(.*)\1$/s, '$2'), source: v }));
  }
  if (text.includes('${{')) return [];
  return text
    .split(/\r?\n/)
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map((value) => ({ value, source: scalar }));
}

// --- Conda environments -----------------------------------------------------------------------

/**
 * The `python` package of a conda environment file's `dependencies` (`python=3.7`): the interpreter
 * `conda env create` installs, so a pin of which Python runs, like a `.python-version`. Read by
 * the environment file's own reader, with its limits on hostile YAML.
 */
function fromCondaEnv(text: string): Hit[] {
  const env = readCondaEnv(text, 'environment.yml');
  if ('read' in env) return [];
  const hits: Hit[] = [];
  for (const { spec, line } of env.condaPackages ?? []) {
    const version = condaPythonVersion(spec);
    if (version !== null) hits.push({ version, line, via: 'conda', constraint: spec });
  }
  return hits;
}

/** Conda's package names are lowercase letters, digits and `_.-`; `channel::` or `channel/subdir::` may come first. */
const CONDA_SPEC = /^(?:[^\s:]+::)?([A-Za-z0-9_.-]+)\s*(.*)$/s;

/**
 * The Python a conda match spec for `python` gets, or null when it is not one, when the spec lets
 * conda take the newest Python (`python`, `python>=3.6`), or when it cannot be read with confidence.
 * Conda installs the newest version a spec allows, so a spec bounded above (`python=3.7`,
 * `python 3.7.*`, `python==3.7.3`, `python>=3.6,<3.8`, `python[version='<3.8']`) gets its highest
 * allowed branch: the version as written for a single version (`3.7.3`), else the branch (`3.7`).
 */
export function condaPythonVersion(spec: string): string | null {
  const m = CONDA_SPEC.exec(spec.trim());
  if (m === null || m[1]!.toLowerCase() !== 'python') return null;
  let rest = m[2]!.trim();
  let version: string;
  if (rest.startsWith('[')) {
    // `python[version='>=3.6,<3.8', build=…]`
    const inside = /\bversion\s*=\s*(?:'([^']*)'|"([^"]*)"|([^,\]\s]+))/.exec(rest);
    if (inside === null) return null;
    version = (inside[1] ?? inside[2] ?? inside[3]!).trim();
  } else {
    rest = rest.replace(/\[.*$/s, '').trim();
    if (rest === '') return null;
    // `python=3.7` is conda's fuzzy `3.7.*`; `python=3.7=h12345_0` adds a build string after a second `=`.
    if (/^=[^=]/.test(rest)) rest = `${rest.slice(1).split('=', 1)[0]!}*`;
    // `python 3.7 h12345_0`: the version, then the build.
    version = rest.split(/\s+/, 1)[0]!;
  }
  return highestCondaBranch(version);
}

/** A version's numeric parts (`3.7.2` → [3, 7, 2]), or null when it is not plain numbers. */
function versionParts(text: string): number[] | null {
  return /^\d+(?:\.\d+)*$/.test(text) ? text.split('.').map(Number) : null;
}

function compareParts(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Which branches (`[3, 7]`) one clause of a conda version spec allows, and whether it bounds them above. */
type Clause = { allows: (branch: readonly [number, number]) => boolean; bounded: boolean };

function condaClause(clause: string): Clause | null {
  const m = /^(==|!=|>=|<=|~=|=|>|<)?\s*v?([0-9][0-9.]*?)(\.?\*)?$/.exec(clause.trim());
  if (m === null) return null;
  const op = m[1] ?? '';
  const parts = versionParts(m[2]!.replace(/\.$/, ''));
  if (parts === null) return null;
  const sameBranch = (b: readonly [number, number]) => b[0] === parts[0] && (parts.length < 2 || b[1] === parts[1]);
  switch (op) {
    case '':
    case '=':
    case '==':
      // `3.7`, `3.7.*`, `==3.7.3`: one branch (`3` or `3.*` alone: any Python 3, the newest).
      return parts.length >= 2 ? { allows: sameBranch, bounded: true } : { allows: sameBranch, bounded: false };
    case '!=':
      // Only a whole excluded branch (`!=3.7.*`) changes which branch is taken.
      return { allows: (b) => !(m[3] !== undefined && parts.length === 2 && sameBranch(b)), bounded: false };
    case '<':
      return { allows: (b) => compareParts(b, parts) < 0, bounded: true };
    case '<=':
      return { allows: (b) => compareParts(b, parts) <= 0, bounded: true };
    case '>':
    case '>=':
      return { allows: (b) => compareParts(b, parts.slice(0, 2)) >= 0, bounded: false };
    case '~=':
      // `~=3.7.2` is `>=3.7.2,<3.8` (one branch); `~=3.7` is `>=3.7,<4` (the newest Python 3).
      return parts.length >= 3 ? { allows: sameBranch, bounded: true } : { allows: (b) => b[0] === parts[0] && compareParts(b, parts) >= 0, bounded: false };
    default:
      return null;
  }
}

/**
 * The highest CPython branch a conda version spec allows (`|` alternatives of `,` clauses), or
 * the single version it names (`3.7.3`), or null when some alternative lets conda take the newest
 * Python or a clause is not one read here.
 */
function highestCondaBranch(spec: string): string | null {
  const exact = /^(?:==)?\s*(\d+\.\d+\.\d+)$/.exec(spec.trim());
  if (exact !== null) return exact[1]!;
  const branches = PYTHON_BRANCHES.map((b) => b.branch.split('.').map(Number) as [number, number]);
  let best: [number, number] | null = null;
  for (const alternative of spec.split('|')) {
    const clauses = alternative.split(',').map(condaClause);
    if (clauses.some((c) => c === null) || !clauses.some((c) => c!.bounded)) return null;
    for (const branch of branches) {
      if (clauses.every((c) => c!.allows(branch)) && (best === null || compareParts(branch, best) > 0)) best = branch;
    }
  }
  return best === null ? null : `${best[0]}.${best[1]}`;
}

// --- Declared requirements (requires-python and friends) --------------------------------------

function lineOf(text: string, pattern: RegExp): number | null {
  const index = lines(text).findIndex((l) => pattern.test(l));
  return index === -1 ? null : index + 1;
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function fromPyproject(text: string): Hit[] {
  const toml = smolToml().parse(text, { maxDepth: MAX_TOML_DEPTH }) as Record<string, unknown>;
  const hits: Hit[] = [];
  const requires = asRecord(toml.project)?.['requires-python'];
  if (typeof requires === 'string') {
    const lowest = lowestAllowedPython(requires);
    if (lowest) hits.push({ version: lowest, line: lineOf(text, /^\s*["']?requires-python["']?\s*=/), via: 'requires-python', constraint: requires });
  }
  const poetryPython = asRecord(asRecord(asRecord(toml.tool)?.poetry)?.dependencies)?.python;
  if (typeof poetryPython === 'string') {
    const lowest = lowestAllowedPython(poetryPython);
    if (lowest) hits.push({ version: lowest, line: lineOf(text, /^\s*["']?python["']?\s*=/), via: 'poetry', constraint: poetryPython });
  }
  return hits;
}

function fromSetupCfg(text: string): Hit[] {
  const all = lines(text);
  for (let i = 0; i < all.length; i++) {
    const value = pythonRequiresValue(all[i]!);
    if (value === null) continue;
    const lowest = lowestAllowedPython(value);
    return lowest ? [{ version: lowest, line: i + 1, via: 'python_requires', constraint: value }] : [];
  }
  return [];
}

const PYTHON_REQUIRES_KEY = /^\s*python_requires\s*[=:]\s*/;

/**
 * The value of a `python_requires = …` line, as `^\s*python_requires\s*[=:]\s*(.*?)\s*$` reads it
 * (`.` stops at line terminators, so only blanks may follow one). That pattern's lazy value
 * re-scanned the trailing blanks at every step: quadratic on a long run of them.
 */
export function pythonRequiresValue(line: string): string | null {
  const key = PYTHON_REQUIRES_KEY.exec(line);
  if (key === null) return null;
  const rest = line.slice(key[0].length);
  const terminator = rest.search(/[\n\r\u2028\u2029]/);
  if (terminator === -1) return rest.trimEnd();
  return rest.slice(terminator).trim() === '' ? rest.slice(0, terminator).trimEnd() : null;
}

function fromPipfile(text: string): Hit[] {
  const toml = smolToml().parse(text, { maxDepth: MAX_TOML_DEPTH }) as Record<string, unknown>;
  const requires = asRecord(toml.requires);
  const full = requires?.python_full_version;
  const short = requires?.python_version;
  if (typeof full === 'string' && cpythonVersion(full)) {
    return [{ version: full, line: lineOf(text, /^\s*python_full_version\s*=/), via: 'pipfile', constraint: full }];
  }
  if (typeof short === 'string' && cpythonVersion(short)) {
    return [{ version: short, line: lineOf(text, /^\s*python_version\s*=/), via: 'pipfile', constraint: short }];
  }
  return [];
}

/**
 * The lowest CPython branch a Python requirement allows: `>=3.8,<4` → `3.8`, `~=3.9` → `3.9`,
 * `>=3.7,!=3.7.*` → `3.8`, Poetry `^3.10` → `3.10`, `^2.7 || ^3.6` → `2.7`. Without any lower bound
 * there is nothing to report (null). Branches are taken from the table, so the answer is one
 * that end-of-life lookups understand.
 */
export function lowestAllowedPython(requirement: string): string | null {
  const alternatives = requirement.split('||').map((alt) => lowestForConjunction(alt));
  const found = alternatives.filter((b): b is string => b !== null);
  if (found.length === 0) return null;
  return found.sort(compareBranches)[0]!;
}

function compareBranches(a: string, b: string): number {
  const [amaj, amin] = a.split('.').map(Number) as [number, number];
  const [bmaj, bmin] = b.split('.').map(Number) as [number, number];
  return amaj - bmaj || amin - bmin;
}

function lowestForConjunction(spec: string): string | null {
  const clauses = spec
    // Blanks before an operator separate clauses too; the look-behind starts a match only where a
    // run of blanks starts (from inside a long run the look-ahead failed at every position).
    .split(/,|(?<!\s)\s+(?=[<>=!~^])/)
    .map((c) => c.trim())
    .filter((c) => c !== '');
  let lower: string | null = null;
  const excluded = new Set<string>();
  for (const clause of clauses) {
    const m = /^(===|==|~=|>=|<=|!=|>|<|\^|~)?\s*v?(\d+(?:\.\d+)*)(\.\*)?/.exec(clause);
    if (!m) continue;
    const op = m[1] ?? '==';
    const parts = m[2]!.split('.');
    if (op === '!=') {
      // Only a whole excluded branch (`!=3.7.*`) moves the lowest branch.
      if (m[3] && parts.length === 2) excluded.add(`${Number(parts[0])}.${Number(parts[1])}`);
      continue;
    }
    if (op === '<' || op === '<=') continue;
    const branch = `${Number(parts[0])}.${Number(parts[1] ?? 0)}`;
    if (lower === null || compareBranches(branch, lower) > 0) lower = branch;
  }
  if (lower === null) return null;
  let candidate: string = lower;
  while (excluded.has(candidate)) {
    const next = PYTHON_BRANCHES.map((b) => b.branch)
      .sort(compareBranches)
      .find((b) => compareBranches(b, candidate) > 0);
    if (!next) return null;
    candidate = next;
  }
  return candidate;
}
