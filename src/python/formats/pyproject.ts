/**
 * `pyproject.toml`: every place a Python project declares what it installs.
 *
 * - PEP 621 `[project]`: `dependencies` (group `main`), `optional-dependencies` (group = extra),
 *   `requires-python`.
 * - PEP 735 `[dependency-groups]`: `{include-group = "x"}` is expanded, so each requirement is
 *   reported once per group that (directly or through includes) contains it, with the including
 *   group's name and the line of the original string. Cycles and unknown groups are errors.
 * - Poetry `[tool.poetry.dependencies]` (`python` sets requiresPython), `dev-dependencies` (group
 *   `dev`), `[tool.poetry.group.<g>.dependencies]`; constraints go through `poetryToPep440`.
 *   Optional dependencies take the group of each `[tool.poetry.extras]` entry that lists them.
 *   When `[project] dependencies` also exists (Poetry 2), a `tool.poetry.dependencies` entry of
 *   the same name only enriches it (its git/path/url source); other entries are still reported.
 * - uv `[tool.uv] dev-dependencies` (group `dev`), `constraint-dependencies` and
 *   `override-dependencies` (`kind: constraint`, group `main`), and `[tool.uv.sources]`
 *   (git/path/url/workspace overrides the source of every dependency of that name); PDM
 *   `[tool.pdm.dev-dependencies]`.
 * - `[project] dynamic` listing `dependencies` / `optional-dependencies`: the build backend fills
 *   them in when it builds. Requirements files it is told to read become `includes`, which the
 *   loader reads as requirements files (relative to this file's folder; missing, outside the root
 *   or cyclic files said as for `-r`); an extra's files give their entries the extra as group:
 *   setuptools' `[tool.setuptools.dynamic] dependencies = {file = "a.txt" | [...]}` and
 *   `[tool.setuptools.dynamic.optional-dependencies] <extra> = {file = [...]}`, and the
 *   hatch-requirements-txt plugin's `[tool.hatch.metadata.hooks.requirements_txt] files = [...]`
 *   (`filename`, or `requirements.txt` when neither is set) and `optional-dependencies = {<extra> =
 *   [...]}`. Both backends accept only a subset of a requirements file (setuptools: PEP 508 lines
 *   and `#` comments, any pip option fails the build; the plugin: skips option lines, so never
 *   follows `-r`). We read the file as pip does (`-r` followed, options applied): the same file is
 *   what `pip install -r` installs, and reading more than the backend never hides a dependency.
 *   Poetry 2 takes dynamic dependencies from `[tool.poetry]` (read below). Anything else (setup.py,
 *   `{attr = ...}`, another backend's plugin) is one error: computed at build time, not read. A
 *   field both listed in `dynamic` and declared is an error (PEP 621 forbids it); both are read.
 * - `[build-system] requires` is skipped: build requirements are installed into an isolated build
 *   environment when a wheel is built and never reach the environment the application runs in,
 *   so reporting them as runtime dependencies would flag what the deployed code cannot import.
 *
 * Options (for the index rules): `[[tool.poetry.source]]` becomes `poetry-source` (priority
 * primary, or legacy `default = true`: replaces PyPI like pip's `--index-url`),
 * `poetry-source-supplemental` (also legacy `secondary = true`: searched alongside PyPI like
 * `--extra-index-url`, the dependency-confusion risk) or `poetry-source-explicit` (used only by
 * dependencies that name it); the value is the URL (credentials removed). `[tool.uv] index-url` /
 * `extra-index-url` keep pip's names; `[[tool.uv.index]]` becomes `uv-index` (`uv-index-default`,
 * `uv-index-explicit`); `[[tool.pdm.source]]` becomes `pdm-source`.
 */
import { clipInput, quoteInput } from '../../quoted-input.js';
import { normalizeExtra, normalizeName, isValidName, writtenNameOf } from '../names.js';
import { combineMarkers, exactPin, normalizeMarker, normalizeSpecifier, parsePep508, type Pep508Requirement } from '../pep508.js';
import { isUnion, poetryToPep440 } from '../poetry-constraint.js';
import { poetryPythonMarker } from '../poetry-python-marker.js';
import { getOwn, getPath, isTable, parseToml, tomlTypeName } from '../toml.js';
import { stripUrlCredentials } from '../urls.js';
import { archiveVersionAt } from '../archive-name.js';
import { isJsSpace } from '../text.js';
import type { TomlPositions, TomlTable } from '../toml.js';
import type {
  Dependency,
  DependencySource,
  ExtractContext,
  ExtractError,
  ExtractResult,
  ManifestFormatModule,
  UvWorkspace,
} from '../types.js';
import { ManifestCollector, MAX_ENTRIES_PER_FILE, repeatableName } from './collector.js';
import { isPyprojectPath } from './paths.js';

export const pyprojectFormat: ManifestFormatModule = {
  format: 'pyproject',
  matches: isPyprojectPath,
  extract: extractPyproject,
};

// ---------------------------------------------------------------------------------------------
// Shared by the TOML and INI formats (pyproject, Pipfile, setup.cfg)
// ---------------------------------------------------------------------------------------------

export interface EntryPlace {
  file: string;
  group: string;
  line: number | null;
  /** The TOML table or array the entry is declared in, dotted (see Dependency.section). */
  section?: string;
  /** `constraint` for uv's constraint and override lists; a `requirement` otherwise. */
  kind?: 'requirement' | 'constraint';
}

export type DependencyResult = { ok: true; dependency: Dependency } | { ok: false; message: string };


/** What kind of place a direct reference (`name @ url`, a Poetry/Pipfile/uv source) points at. */
export function sourceOfUrl(url: string): DependencySource {
  const lower = url.toLowerCase();
  if (/^(git|hg|svn|bzr)\+/.test(lower) || lower.startsWith('git://')) return 'vcs';
  if (lower.startsWith('file:') || !/^[a-z][a-z0-9+.-]*:\/\//.test(lower)) return 'path';
  return 'url';
}

export function makeDependency(
  place: EntryPlace,
  fields: Partial<Dependency> & Pick<Dependency, 'name'>,
): Dependency {
  const specifier = fields.specifier ?? '';
  const source = fields.source ?? 'registry';
  const dependency: Dependency = {
    name: fields.name,
    version: source === 'registry' ? (isUnion(specifier) ? null : exactPin(specifier)) : directReferenceVersion(fields.name, source, fields.url, fields.editable ?? false),
    specifier,
    extras: fields.extras ?? [],
    marker: fields.marker ?? null,
    source,
    editable: fields.editable ?? false,
    kind: place.kind ?? 'requirement',
    group: place.group,
    direct: true,
    file: place.file,
    line: place.line,
  };
  // `fields.writtenName` is the name as written: kept only when it differs from the normalised one.
  const written = fields.writtenName === undefined ? undefined : writtenNameOf(fields.writtenName, fields.name);
  if (written !== undefined) dependency.writtenName = written;
  if (fields.url !== undefined) dependency.url = stripUrlCredentials(fields.url);
  if (place.section !== undefined) dependency.section = place.section;
  return dependency;
}

/**
 * The release a direct reference installs: a distribution file (`name @ https://…/name-1.0-py3-none-any.whl`,
 * Poetry's `{ url = … }` or `{ path = "….whl" }`) installs the version its file name states, as the same
 * line in a requirements file does (archive-name.ts). A folder, a VCS checkout or an editable install
 * is the project's own code built from source: no version, so it is never rated.
 */
function directReferenceVersion(name: string, source: DependencySource, url: string | undefined, editable: boolean): string | null {
  if (source === 'vcs' || editable || url === undefined) return null;
  return archiveVersionAt(name, url);
}

/** One PEP 508 string (`requests[socks]>=2; python_version < "3.8"`) as a dependency. */
export function dependencyFromPep508(text: string, place: EntryPlace): DependencyResult {
  const parsed = parsePep508(text);
  if (!parsed.ok) return { ok: false, message: `Invalid requirement ${quoteInput(text)}: ${parsed.message}` };
  return { ok: true, dependency: dependencyFromRequirement(parsed.requirement, place, false) };
}

/** A parsed PEP 508 requirement at its place; `name @ url` sets the source from the URL. */
function dependencyFromRequirement(r: Pep508Requirement, place: EntryPlace, editable: boolean): Dependency {
  return makeDependency(place, {
    name: r.normalizedName,
    writtenName: r.name,
    specifier: r.specifier,
    extras: r.extras,
    marker: r.marker,
    editable,
    ...(r.url === null ? {} : { source: sourceOfUrl(r.url), url: r.url }),
  });
}

/** Sorted, unique, PEP 685 extras from a TOML value; null when it is not a list of strings. */
export function extrasFrom(value: unknown): string[] | null {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((e): e is string => typeof e === 'string')) return null;
  return [...new Set(value.map((e) => normalizeExtra(e)))].sort();
}


// ---------------------------------------------------------------------------------------------
// pyproject.toml
// ---------------------------------------------------------------------------------------------

interface Context {
  doc: TomlTable;
  positions: TomlPositions;
  out: ManifestCollector;
  /** Names in `[project] dependencies`, when that array exists (Poetry 2 enrichment, see above). */
  projectDependencyNames: Set<string> | null;
  /** The dependencies read so far by name, and how many of them are indexed (see dependenciesNamed). */
  byName: Map<string, Dependency[]>;
  indexed: number;
  /** Errors saying dynamic dependencies come from setup.py and were not read (ExtractResult.leftToSetupPy). */
  leftToSetupPy: ExtractError[];
}

/**
 * The dependencies read so far with this name. The index grows with the list, so overriding the
 * source of every name in a long `[tool.uv.sources]` stays linear (a scan per source was not).
 */
function dependenciesNamed(ctx: Context, name: string): Dependency[] {
  const all = ctx.out.dependencies;
  for (; ctx.indexed < all.length; ctx.indexed++) {
    const dependency = all[ctx.indexed]!;
    const same = ctx.byName.get(dependency.name);
    if (same === undefined) ctx.byName.set(dependency.name, [dependency]);
    else same.push(dependency);
  }
  return ctx.byName.get(name) ?? [];
}

function extractPyproject(text: string, context: ExtractContext): ExtractResult {
  const out = new ManifestCollector(context.file);
  const parsed = parseToml(text);
  if (!parsed.ok) {
    out.error(parsed.line, parsed.message);
    return { dependencies: [], errors: out.errors, options: [], requiresPython: null };
  }
  const ctx: Context = { doc: parsed.value, positions: parsed.positions, out, projectDependencyNames: null, byName: new Map(), indexed: 0, leftToSetupPy: [] };

  const requiresPython = readProject(ctx);
  readDynamicDependencies(ctx);
  readDependencyGroups(ctx);
  const poetryPython = readPoetry(ctx);
  readUv(ctx);
  readPdm(ctx);
  applyUvSources(ctx);

  const uvWorkspace = readUvWorkspace(ctx);
  return {
    dependencies: out.dependencies,
    errors: out.errors,
    ...(out.includes.length > 0 ? { includes: out.includes } : {}),
    ...(ctx.leftToSetupPy.length > 0 ? { leftToSetupPy: ctx.leftToSetupPy } : {}),
    options: out.options,
    requiresPython: requiresPython ?? poetryPython,
    ...(uvWorkspace === null ? {} : { uvWorkspace }),
  };
}

/** `[tool.uv.workspace]` `members` and `exclude` (their strings), or null when the file has no such table. */
function readUvWorkspace(ctx: Context): UvWorkspace | null {
  const workspace = getPath(ctx.doc, ['tool', 'uv', 'workspace']);
  if (!isTable(workspace)) return null;
  const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
  return { members: strings(getOwn(workspace, 'members')), exclude: strings(getOwn(workspace, 'exclude')) };
}

/**
 * Lines of the elements of the array at `path`, each falling back to the array's key and then to
 * its table. The path is looked up once: looking it up for each element cost the length of its
 * keys every time, quadratic for a long key over many elements.
 */
function elementLines(ctx: Context, path: readonly string[]): (index: number) => number | null {
  const array = ctx.positions.at(path);
  const fallback = lineOf(ctx, path);
  return (index) => array.element(index).line ?? fallback;
}

function lineOf(ctx: Context, path: readonly string[]): number | null {
  for (let n = path.length; n > 0; n--) {
    const line = ctx.positions.lineOf(path.slice(0, n));
    if (line !== null) return line;
  }
  return null;
}

/** Reads an array of PEP 508 strings into one group. */
function readRequirementArray(ctx: Context, path: readonly string[], group: string, kind: 'requirement' | 'constraint' = 'requirement'): void {
  const value = getPath(ctx.doc, path);
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    ctx.out.error(lineOf(ctx, path), `${path.join('.')} must be an array of requirement strings, not ${tomlTypeName(value)}`);
    return;
  }
  const lineOfElement = elementLines(ctx, path);
  // One string for every entry: a copy each would cost the key's length per entry.
  const section = path.join('.');
  value.forEach((entry: unknown, index) => {
    readRequirementString(ctx, entry, { file: ctx.out.file, group, line: lineOfElement(index), section, kind }, section);
  });
}

function readRequirementString(ctx: Context, entry: unknown, place: EntryPlace, where: string): void {
  if (typeof entry !== 'string') {
    ctx.out.error(place.line, `${where}: expected a requirement string, found ${tomlTypeName(entry)}`);
    return;
  }
  const result = requirementOrEditable(entry, place);
  if (result.ok) ctx.out.dependency(result.dependency);
  else ctx.out.error(place.line, result.message);
}

/**
 * PDM's dev-dependencies may hold `-e <path or url>#egg=name` (an editable install) besides
 * PEP 508 strings; everything else is PEP 508.
 */
function requirementOrEditable(entry: string, place: EntryPlace): DependencyResult {
  const target = editableTarget(entry);
  if (target === null) return dependencyFromPep508(entry, place);
  const asRequirement = parsePep508(target);
  if (asRequirement.ok) return { ok: true, dependency: dependencyFromRequirement(asRequirement.requirement, place, true) };
  const egg = eggName(target);
  if (egg === null) return { ok: false, message: `Editable requirement ${quoteInput(entry)} names no project (add #egg=name)` };
  const fragment = target.indexOf('#');
  return {
    ok: true,
    dependency: makeDependency(place, {
      name: normalizeName(egg),
      writtenName: egg,
      editable: true,
      source: sourceOfUrl(target),
      url: fragment === -1 ? target : target.slice(0, fragment),
    }),
  };
}

const isLineTerminator = (code: number): boolean => code === 0x0a || code === 0x0d || code === 0x2028 || code === 0x2029;

/**
 * What follows `-e` / `--editable` and blanks, trimmed; null when the entry is not an editable.
 * The same answer as `/^\s*(-e|--editable)\s+(.+)$/` (`.` stops at line terminators), without its
 * backtracking: a long run of blanks before a line terminator made that pattern quadratic.
 */
export function editableTarget(entry: string): string | null {
  let i = 0;
  while (i < entry.length && isJsSpace(entry.charCodeAt(i))) i++;
  const flag = entry.startsWith('-e', i) ? 2 : entry.startsWith('--editable', i) ? 10 : 0;
  if (flag === 0) return null;
  const blanksStart = i + flag;
  let rest = blanksStart;
  while (rest < entry.length && isJsSpace(entry.charCodeAt(rest))) rest++;
  if (rest === blanksStart) return null; // `\s+` needs one blank
  for (let j = rest; j < entry.length; j++) if (isLineTerminator(entry.charCodeAt(j))) return null;
  if (rest < entry.length) return entry.slice(rest).trim();
  // Only blanks follow: `(.+)` takes the last one unless it is a line terminator or the only blank.
  return rest - blanksStart >= 2 && !isLineTerminator(entry.charCodeAt(entry.length - 1)) ? '' : null;
}

/** After the first `#`, the last `&egg=name` (greedy `.*&`), as `#(?:.*&)?egg=(name)` finds it first. */
const EGG_AFTER_AMPERSAND = /^[^#]*#.*&egg=([A-Za-z0-9][A-Za-z0-9._-]*)/;
const EGG_RIGHT_AFTER_HASH = /#egg=([A-Za-z0-9][A-Za-z0-9._-]*)/;

/**
 * The project named by `#egg=` or `#…&egg=` in an editable target. The same answer as
 * `/#(?:.*&)?egg=(name)/`, whose greedy `.*` rescanned the rest of the text from every `#`.
 */
export function eggName(target: string): string | null {
  return (EGG_AFTER_AMPERSAND.exec(target) ?? EGG_RIGHT_AFTER_HASH.exec(target))?.[1] ?? null;
}

/** PEP 621. Returns `requires-python`, normalised, when declared. */
function readProject(ctx: Context): string | null {
  const project = getOwn(ctx.doc, 'project');
  if (project === undefined) return null;
  if (!isTable(project)) {
    ctx.out.error(lineOf(ctx, ['project']), `[project] must be a table, not ${tomlTypeName(project)}`);
    return null;
  }
  const before = ctx.out.dependencies.length;
  readRequirementArray(ctx, ['project', 'dependencies'], 'main');
  if (Array.isArray(getOwn(project, 'dependencies'))) {
    ctx.projectDependencyNames = new Set(ctx.out.dependencies.slice(before).map((d) => d.name));
  }

  const optional = getOwn(project, 'optional-dependencies');
  if (isTable(optional)) {
    for (const extra of Object.keys(optional)) {
      const path = ['project', 'optional-dependencies', extra];
      if (repeatableName(ctx.out, lineOf(ctx, path), 'extra name', extra)) readRequirementArray(ctx, path, extra);
    }
  } else if (optional !== undefined) {
    ctx.out.error(lineOf(ctx, ['project', 'optional-dependencies']), `project.optional-dependencies must be a table`);
  }

  const requiresPython = getOwn(project, 'requires-python');
  if (requiresPython === undefined) return null;
  if (typeof requiresPython !== 'string') {
    ctx.out.error(lineOf(ctx, ['project', 'requires-python']), `project.requires-python must be a string`);
    return null;
  }
  return normalizeSpecifier(requiresPython);
}

// ---------------------------------------------------------------------------------------------
// [project] dynamic: dependencies the build backend fills in
// ---------------------------------------------------------------------------------------------

const DYNAMIC_FIELDS = ['dependencies', 'optional-dependencies'] as const;
type DynamicField = (typeof DYNAMIC_FIELDS)[number];

/**
 * `dynamic = ["dependencies", "optional-dependencies"]`: the backend computes them when it builds.
 * Requirements files it is told to read (setuptools' `file`, hatch-requirements-txt's `files`)
 * become includes, read by the loader as requirements files; anything else is said not read.
 */
function readDynamicDependencies(ctx: Context): void {
  const project = getOwn(ctx.doc, 'project');
  if (!isTable(project)) return;
  const dynamic = getOwn(project, 'dynamic');
  if (dynamic === undefined) return;
  if (!Array.isArray(dynamic) || !dynamic.every((field): field is string => typeof field === 'string')) {
    const not = Array.isArray(dynamic) ? '' : `, not ${tomlTypeName(dynamic)}`;
    ctx.out.error(lineOf(ctx, ['project', 'dynamic']), `project.dynamic must be an array of field names${not}; dynamic dependencies, if any, were not read`);
    return;
  }
  for (const field of DYNAMIC_FIELDS) {
    if (!dynamic.includes(field)) continue;
    if (getOwn(project, field) !== undefined) {
      ctx.out.error(
        lineOf(ctx, ['project', field]),
        `project.${field} is also listed in project.dynamic, which PEP 621 forbids (build backends refuse to build it); both are read`,
      );
    }
    // Both tables are read when both are there: a file only one backend reads is read, not missed.
    const bySetuptools = field === 'dependencies' ? setuptoolsDependencyFiles(ctx) : setuptoolsExtraFiles(ctx);
    const byHatch = field === 'dependencies' ? hatchDependencyFiles(ctx) : hatchExtraFiles(ctx);
    if (bySetuptools || byHatch || readByPoetry(ctx, field)) continue;
    const error = { file: ctx.out.file, line: lineOf(ctx, ['project', 'dynamic']), message: notReadDynamic(ctx, field) };
    ctx.out.error(error.line, error.message);
    if (buildsWithSetuptools(ctx)) ctx.leftToSetupPy.push(error);
  }
}

/** Whether setuptools builds the project: it is named, or none is (PEP 517's fallback, what pip and build use). */
function buildsWithSetuptools(ctx: Context): boolean {
  const backend = getPath(ctx.doc, ['build-system', 'build-backend']);
  return typeof backend !== 'string' || backend.startsWith('setuptools');
}

/** The one line for dynamic dependencies nothing here names a file for: what happens to them and how to make them readable. */
function notReadDynamic(ctx: Context, field: DynamicField): string {
  const backend = getPath(ctx.doc, ['build-system', 'build-backend']);
  const setuptools = buildsWithSetuptools(ctx);
  const by = typeof backend === 'string' ? `the build backend (${backend})` : 'the build backend (setuptools, the default)';
  const from = setuptools ? (field === 'dependencies' ? ", from setup.py's install_requires" : ", from setup.py's extras_require") : '';
  const hatch = typeof backend === 'string' && backend.startsWith('hatchling');
  const where = field === 'dependencies' ? '[project] dependencies' : '[project.optional-dependencies]';
  const file = hatch
    ? field === 'dependencies'
      ? 'files = ["requirements.txt"] in [tool.hatch.metadata.hooks.requirements_txt] (hatch-requirements-txt)'
      : 'a list of files per extra in [tool.hatch.metadata.hooks.requirements_txt.optional-dependencies] (hatch-requirements-txt)'
    : field === 'dependencies'
      ? '[tool.setuptools.dynamic] dependencies = {file = ["requirements.txt"]}'
      : '{file = [...]} per extra in [tool.setuptools.dynamic.optional-dependencies]';
  const fix = `list them in ${where}, or name a requirements file with ${file}`;
  return `project.dynamic lists "${field}": ${by} computes them when it builds${from}; they were not read (to have them read, ${fix})`;
}

/**
 * Poetry 2 (its backend, poetry-core) takes dynamic dependencies from `[tool.poetry.dependencies]`
 * and extras from `[tool.poetry.extras]`, both read below. Another backend ignores those tables.
 */
function readByPoetry(ctx: Context, field: DynamicField): boolean {
  const backend = getPath(ctx.doc, ['build-system', 'build-backend']);
  if (typeof backend !== 'string' || !backend.startsWith('poetry')) return false;
  if (field === 'optional-dependencies') return isTable(getPath(ctx.doc, ['tool', 'poetry', 'extras']));
  const dependencies = getPath(ctx.doc, ['tool', 'poetry', 'dependencies']);
  return isTable(dependencies) && Object.keys(dependencies).some((name) => name.toLowerCase() !== 'python');
}

/** `[tool.setuptools.dynamic] dependencies = {file = [...]}`; false when there is no such entry. */
function setuptoolsDependencyFiles(ctx: Context): boolean {
  const path = ['tool', 'setuptools', 'dynamic', 'dependencies'];
  const directive = getPath(ctx.doc, path);
  if (directive === undefined) return false;
  includeSetuptoolsFiles(ctx, path, directive, undefined);
  return true;
}

/** `[tool.setuptools.dynamic.optional-dependencies] <extra> = {file = [...]}`, each extra its group. */
function setuptoolsExtraFiles(ctx: Context): boolean {
  return eachExtra(ctx, ['tool', 'setuptools', 'dynamic', 'optional-dependencies'], (path, value, extra) => includeSetuptoolsFiles(ctx, path, value, extra));
}

/**
 * A table of extras whose entries name files (setuptools' and hatch-requirements-txt's
 * `optional-dependencies`): each extra a valid name, read by `include` with the extra as its group.
 * False when the table is not there.
 */
function eachExtra(ctx: Context, path: readonly string[], include: (extraPath: string[], value: unknown, extra: string) => void): boolean {
  const extras = getPath(ctx.doc, path);
  if (extras === undefined) return false;
  if (!isTable(extras)) {
    ctx.out.error(lineOf(ctx, path), `${path.join('.')} must be a table of extras, not ${tomlTypeName(extras)}; not read`);
    return true;
  }
  for (const extra of Object.keys(extras)) {
    const extraPath = [...path, extra];
    if (repeatableName(ctx.out, lineOf(ctx, extraPath), 'extra name', extra)) include(extraPath, getOwn(extras, extra), extra);
  }
  return true;
}

/**
 * setuptools' `{file = "a.txt"}` or `{file = ["a.txt", "b.txt"]}` (relative to the pyproject's
 * folder). `{attr = ...}` and anything else is computed when building, so it is said not read.
 */
function includeSetuptoolsFiles(ctx: Context, path: readonly string[], directive: unknown, group: string | undefined): void {
  const where = path.join('.');
  const file = isTable(directive) ? getOwn(directive, 'file') : undefined;
  if (file === undefined) {
    const what = isTable(directive) ? `uses {${Object.keys(directive).map((key) => `${key} = …`).join(', ')}}` : `is ${tomlTypeName(directive)}`;
    ctx.out.error(lineOf(ctx, path), `${where} ${what}, not {file = [...]}: computed when the project is built; not read`);
    return;
  }
  includeFiles(ctx, [...path, 'file'], file, group);
}

/** A path or an array of paths, each an include read as a requirements file. */
function includeFiles(ctx: Context, path: readonly string[], files: unknown, group: string | undefined): void {
  const where = path.join('.');
  if (typeof files !== 'string' && !Array.isArray(files)) {
    ctx.out.error(lineOf(ctx, path), `${where} must be a path or an array of paths, not ${tomlTypeName(files)}; not read`);
    return;
  }
  const list: unknown[] = typeof files === 'string' ? [files] : files;
  const lineOfElement = typeof files === 'string' ? () => lineOf(ctx, path) : elementLines(ctx, path);
  list.forEach((entry, index) => {
    const line = lineOfElement(index);
    if (typeof entry !== 'string') {
      ctx.out.error(line, `${where}: expected a path, found ${tomlTypeName(entry)}; not read`);
      return;
    }
    // An empty path names no file: setuptools skips it too.
    if (entry.trim() === '') return;
    ctx.out.include({ path: entry, kind: 'requirement', line, ...(group === undefined ? {} : { group }) });
  });
}

const HATCH_HOOK = ['tool', 'hatch', 'metadata', 'hooks', 'requirements_txt'];

/**
 * hatch-requirements-txt: `files = [...]` (or the older `filename = "..."`; with neither, the
 * plugin reads `requirements.txt`). False when the hook is not configured.
 */
function hatchDependencyFiles(ctx: Context): boolean {
  const hook = getPath(ctx.doc, HATCH_HOOK);
  if (!isTable(hook)) return false;
  const files = getOwn(hook, 'files');
  const filename = getOwn(hook, 'filename');
  if (files !== undefined) includeFiles(ctx, [...HATCH_HOOK, 'files'], files, undefined);
  else if (filename !== undefined) includeFiles(ctx, [...HATCH_HOOK, 'filename'], filename, undefined);
  else ctx.out.include({ path: 'requirements.txt', kind: 'requirement', line: lineOf(ctx, HATCH_HOOK) });
  return true;
}

/** hatch-requirements-txt: `[...requirements_txt.optional-dependencies] <extra> = [files]`. */
function hatchExtraFiles(ctx: Context): boolean {
  return eachExtra(ctx, [...HATCH_HOOK, 'optional-dependencies'], (path, value, extra) => includeFiles(ctx, path, value, extra));
}

/** PEP 735, with `include-group` expanded into the including group. */
function readDependencyGroups(ctx: Context): void {
  const groups = getOwn(ctx.doc, 'dependency-groups');
  if (groups === undefined) return;
  if (!isTable(groups)) {
    ctx.out.error(lineOf(ctx, ['dependency-groups']), `[dependency-groups] must be a table`);
    return;
  }
  // PEP 735 compares group names after PEP 503 normalisation.
  const byNormalName = new Map<string, string>();
  for (const name of Object.keys(groups)) byNormalName.set(normalizeName(name), name);

  // A cycle is said once (each group reaching it would find it again), as a note: the group it
  // goes back to is being expanded already, so every group still gets all its requirements, as
  // an include cycle of requirements files reads each file once (load.ts). PEP 735 tools refuse it.
  const cyclesSaid = new Set<string>();
  // Including a group twice lists its entries twice, so nested includes can multiply: every
  // entry looked at counts, and reading stops (with an error) once expansion has looked at as
  // many entries as a whole file may give.
  let visits = 0;
  const overBudget = (line: number | null): boolean => {
    if (visits++ < MAX_ENTRIES_PER_FILE) return false;
    ctx.out.error(line, `dependency-groups expand to more than ${MAX_ENTRIES_PER_FILE} entries (groups included many times over): the rest is not read`);
    return true;
  };

  const expand = (reportAs: string, name: string, stack: string[]): boolean => {
    const entries = getOwn(groups, name);
    const path = ['dependency-groups', name];
    if (!repeatableName(ctx.out, lineOf(ctx, path), 'dependency group name', name)) return true;
    const section = `dependency-groups.${name}`;
    if (!Array.isArray(entries)) {
      ctx.out.error(lineOf(ctx, path), `${section} must be an array`);
      return true;
    }
    const lineOfElement = elementLines(ctx, path);
    for (let index = 0; index < entries.length; index++) {
      const entry: unknown = entries[index];
      const line = lineOfElement(index);
      if (overBudget(line)) return false;
      if (!isTable(entry)) {
        readRequirementString(ctx, entry, { file: ctx.out.file, group: reportAs, line, section }, section);
        continue;
      }
      const include = getOwn(entry, 'include-group');
      if (typeof include !== 'string' || Object.keys(entry).length !== 1) {
        ctx.out.error(line, `dependency-groups.${name}: a table entry must be {include-group = "name"} only`);
        continue;
      }
      const target = byNormalName.get(normalizeName(include));
      if (target === undefined) {
        ctx.out.error(line, `dependency-groups.${name} includes unknown group ${quoteInput(include)}`);
        continue;
      }
      if (stack.includes(target)) {
        const cycle = stack.slice(stack.indexOf(target));
        const key = [...cycle].sort().join('\u0000');
        if (!cyclesSaid.has(key)) {
          cyclesSaid.add(key);
          ctx.out.error(line, `dependency-groups include cycle: ${[...cycle, target].join(' → ')} (each group is read once; uv and pip refuse such a file, PEP 735: remove the include that closes it)`, { note: true });
        }
        continue;
      }
      if (stack.length >= MAX_GROUP_NESTING) {
        ctx.out.error(line, `dependency-groups.${name}: include-group nests more than ${MAX_GROUP_NESTING} groups deep; ${quoteInput(include)} is not read`);
        continue;
      }
      if (!expand(reportAs, target, [...stack, target])) return false;
    }
    return true;
  };

  for (const name of Object.keys(groups)) if (!expand(name, name, [name])) break;
}

/** Real projects nest dependency groups two or three deep; this keeps recursion far from the stack's end. */
const MAX_GROUP_NESTING = 64;

// ---------------------------------------------------------------------------------------------
// Poetry
// ---------------------------------------------------------------------------------------------

/** Returns the `python` constraint of `[tool.poetry.dependencies]` as PEP 440, when present. */
function readPoetry(ctx: Context): string | null {
  const poetry = getPath(ctx.doc, ['tool', 'poetry']);
  if (!isTable(poetry)) return null;

  readPoetrySources(ctx, poetry);
  const extrasOf = poetryExtrasByDependency(ctx, poetry);

  let python: string | null = null;
  const main = getOwn(poetry, 'dependencies');
  if (main !== undefined) {
    python = readPoetryTable(ctx, ['tool', 'poetry', 'dependencies'], 'main', {
      extrasOf,
      enrichOnly: ctx.projectDependencyNames,
    });
  }
  readPoetryTable(ctx, ['tool', 'poetry', 'dev-dependencies'], 'dev', { extrasOf: null, enrichOnly: null });

  const groups = getOwn(poetry, 'group');
  if (isTable(groups)) {
    for (const group of Object.keys(groups)) {
      const path = ['tool', 'poetry', 'group', group, 'dependencies'];
      if (!repeatableName(ctx.out, lineOf(ctx, path), 'Poetry group name', group)) continue;
      readPoetryTable(ctx, path, group, { extrasOf: null, enrichOnly: null });
    }
  }
  return python;
}

/** `[tool.poetry.extras]`: dependency name → the extras that list it. */
function poetryExtrasByDependency(ctx: Context, poetry: TomlTable): Map<string, string[]> {
  const map = new Map<string, string[]>();
  const extras = getOwn(poetry, 'extras');
  if (!isTable(extras)) return map;
  for (const extra of Object.keys(extras)) {
    const names = getOwn(extras, extra);
    if (!Array.isArray(names)) continue;
    if (!repeatableName(ctx.out, lineOf(ctx, ['tool', 'poetry', 'extras', extra]), 'extra name', extra)) continue;
    for (const entry of names) {
      if (typeof entry !== 'string') continue;
      // Entries are names, occasionally with a constraint or extras after them.
      const name = normalizeName(entry.split(/[\s[<>=!~;(]/)[0] ?? '');
      const listed = map.get(name);
      if (listed === undefined) map.set(name, [extra]);
      else listed.push(extra);
    }
  }
  return map;
}

interface PoetryTableOptions {
  /** For the main table: which extras list an optional dependency. */
  extrasOf: Map<string, string[]> | null;
  /** Poetry 2: names already declared in `[project]`, whose entries here only add a source. */
  enrichOnly: Set<string> | null;
}

/** Reads one Poetry dependency table; returns the `python` entry translated, if any. */
function readPoetryTable(ctx: Context, path: string[], group: string, options: PoetryTableOptions): string | null {
  const table = getPath(ctx.doc, path);
  if (table === undefined) return null;
  if (!isTable(table)) {
    ctx.out.error(lineOf(ctx, path), `${path.join('.')} must be a table, not ${tomlTypeName(table)}`);
    return null;
  }
  let python: string | null = null;
  // The table's path is looked up and joined once, not for each of its keys: that cost the length
  // of the path for every dependency, quadratic for a long group name over many dependencies.
  const place = ctx.positions.at(path);
  const tableLine = lineOf(ctx, path);
  const section = path.join('.');
  for (const rawName of Object.keys(table)) {
    const value = getOwn(table, rawName);
    const keyPlace = place.child(rawName);
    const line = keyPlace.line ?? tableLine;
    if (rawName.toLowerCase() === 'python') {
      if (group !== 'main') continue;
      const constraint = typeof value === 'string' ? value : isTable(value) ? getOwn(value, 'version') : undefined;
      if (typeof constraint !== 'string') {
        ctx.out.error(line, `${section}.python must be a version constraint string`);
        continue;
      }
      const translated = poetryToPep440(constraint);
      if (translated.ok) python = translated.specifier;
      else ctx.out.error(line, `python: ${translated.message}`);
      continue;
    }
    if (!isValidName(rawName)) {
      ctx.out.error(line, `${quoteInput(rawName)} is not a valid project name`);
      continue;
    }
    if (Array.isArray(value) && !repeatableName(ctx.out, line, 'name over a list of constraints', rawName)) continue;
    const name = normalizeName(rawName);
    const entries: Array<{ value: unknown; line: number | null }> = Array.isArray(value)
      ? value.map((element: unknown, index) => ({ value: element, line: keyPlace.element(index).line ?? line }))
      : [{ value, line }];
    for (const entry of entries) {
      const result = poetryEntry(name, rawName, entry.value, { file: ctx.out.file, group, line: entry.line, section });
      if (!result.ok) {
        ctx.out.error(entry.line, `${clipInput(rawName)}: ${result.message}`);
        continue;
      }
      const { dependency, optional } = result;
      if (options.enrichOnly?.has(name)) {
        if (dependency.source !== 'registry') overrideSource(ctx, name, dependency);
        continue;
      }
      const extras = optional ? options.extrasOf?.get(name) : undefined;
      if (extras && extras.length > 0) {
        for (const extra of extras) ctx.out.dependency({ ...dependency, group: extra });
      } else {
        ctx.out.dependency(dependency);
      }
    }
  }
  return python;
}

type PoetryEntryResult = { ok: true; dependency: Dependency; optional: boolean } | { ok: false; message: string };

/** One Poetry dependency value: a constraint string or a table (one element of a multi-constraint list). */
function poetryEntry(name: string, writtenName: string, value: unknown, place: EntryPlace): PoetryEntryResult {
  if (typeof value === 'string') {
    const translated = poetryToPep440(value);
    if (!translated.ok) return translated;
    return { ok: true, optional: false, dependency: makeDependency(place, { name, writtenName, specifier: translated.specifier }) };
  }
  if (!isTable(value)) return { ok: false, message: `expected a version string or a table, found ${tomlTypeName(value)}` };

  const version = getOwn(value, 'version');
  let specifier = '';
  if (version !== undefined) {
    if (typeof version !== 'string') return { ok: false, message: 'version must be a string' };
    const translated = poetryToPep440(version);
    if (!translated.ok) return translated;
    specifier = translated.specifier;
  }
  const extras = extrasFrom(getOwn(value, 'extras'));
  if (extras === null) return { ok: false, message: 'extras must be an array of strings' };

  const markerParts: string[] = [];
  const markers = getOwn(value, 'markers');
  if (markers !== undefined) {
    if (typeof markers !== 'string') return { ok: false, message: 'markers must be a string' };
    markerParts.push(markers);
  }
  const python = getOwn(value, 'python');
  if (python !== undefined) {
    if (typeof python !== 'string') return { ok: false, message: 'python must be a string' };
    const translated = poetryPythonMarker(python);
    if (!translated.ok) return { ok: false, message: `python: ${translated.message}` };
    if (translated.marker !== null) markerParts.push(translated.marker);
  }
  const platform = getOwn(value, 'platform');
  if (platform !== undefined) {
    if (typeof platform !== 'string') return { ok: false, message: 'platform must be a string' };
    markerParts.push(`sys_platform == ${JSON.stringify(platform)}`);
  }
  const combined = combineMarkers(markerParts);
  const marker = combined === null ? null : normalizeMarker(combined);
  if (combined !== null && marker === null) return { ok: false, message: `invalid marker ${quoteInput(combined)}` };

  const fields: Partial<Dependency> & Pick<Dependency, 'name'> = { name, writtenName, specifier, extras, marker };
  const git = getOwn(value, 'git');
  const path = getOwn(value, 'path');
  const url = getOwn(value, 'url');
  if (typeof git === 'string') {
    const ref = [getOwn(value, 'rev'), getOwn(value, 'tag'), getOwn(value, 'branch')].find((r) => typeof r === 'string');
    fields.source = 'vcs';
    fields.url = `git+${git.replace(/^git\+/, '')}${typeof ref === 'string' ? `@${ref}` : ''}`;
  } else if (typeof path === 'string') {
    fields.source = 'path';
    fields.url = path;
    fields.editable = getOwn(value, 'develop') === true;
  } else if (typeof url === 'string') {
    fields.source = sourceOfUrl(url);
    fields.url = url;
  }
  return { ok: true, optional: getOwn(value, 'optional') === true, dependency: makeDependency(place, fields) };
}

function readPoetrySources(ctx: Context, poetry: TomlTable): void {
  const sources = getOwn(poetry, 'source');
  if (sources === undefined) return;
  if (!Array.isArray(sources)) {
    ctx.out.error(lineOf(ctx, ['tool', 'poetry', 'source']), 'tool.poetry.source must be an array of tables ([[tool.poetry.source]])');
    return;
  }
  sources.forEach((source: unknown, index) => {
    const line = ctx.positions.elementLine(['tool', 'poetry', 'source'], index);
    if (!isTable(source)) return;
    const url = getOwn(source, 'url');
    // A source named PyPI without a URL only changes PyPI's priority.
    if (typeof url !== 'string') return;
    const priority = getOwn(source, 'priority');
    let name = 'poetry-source';
    if (priority === 'supplemental' || priority === 'secondary' || getOwn(source, 'secondary') === true) {
      name = 'poetry-source-supplemental';
    } else if (priority === 'explicit') {
      name = 'poetry-source-explicit';
    }
    ctx.out.urlOption(name, url, ctx.positions.lineOf(['tool', 'poetry', 'source', String(index), 'url']) ?? line);
  });
}

// ---------------------------------------------------------------------------------------------
// uv and PDM
// ---------------------------------------------------------------------------------------------

function readUv(ctx: Context): void {
  const uv = getPath(ctx.doc, ['tool', 'uv']);
  if (!isTable(uv)) return;
  readRequirementArray(ctx, ['tool', 'uv', 'dev-dependencies'], 'dev');
  // uv applies both to every resolution of the project: a constraint narrows what the tree asks
  // for (pip's `-c`), an override replaces it (`jinja2==2.10` is installed whatever asks for
  // jinja2). Neither installs a package nothing asks for, as pip's `-c` does not, so both are
  // listed as constraints and audited alike (src/audit/context.ts installedPackages); `section`
  // tells them apart.
  readRequirementArray(ctx, ['tool', 'uv', 'constraint-dependencies'], 'main', 'constraint');
  readRequirementArray(ctx, ['tool', 'uv', 'override-dependencies'], 'main', 'constraint');

  for (const name of ['index-url', 'extra-index-url']) {
    const value = getOwn(uv, name);
    const values = typeof value === 'string' ? [value] : Array.isArray(value) ? value : [];
    values.forEach((v: unknown, index) => {
      if (typeof v === 'string') {
        const line = ctx.positions.elementLine(['tool', 'uv', name], index) ?? lineOf(ctx, ['tool', 'uv', name]);
        ctx.out.urlOption(name, v, line);
      }
    });
  }
  const indexes = getOwn(uv, 'index');
  if (Array.isArray(indexes)) {
    indexes.forEach((index: unknown, i) => {
      if (!isTable(index)) return;
      const url = getOwn(index, 'url');
      if (typeof url !== 'string') return;
      const name = getOwn(index, 'default') === true ? 'uv-index-default' : getOwn(index, 'explicit') === true ? 'uv-index-explicit' : 'uv-index';
      ctx.out.urlOption(name, url, ctx.positions.lineOf(['tool', 'uv', 'index', String(i), 'url']) ?? ctx.positions.elementLine(['tool', 'uv', 'index'], i));
    });
  }
}

/** `[tool.uv.sources]`: a git/path/url/workspace source replaces PyPI for every entry of that name. */
function applyUvSources(ctx: Context): void {
  const sources = getPath(ctx.doc, ['tool', 'uv', 'sources']);
  if (!isTable(sources)) return;
  for (const rawName of Object.keys(sources)) {
    let value = getOwn(sources, rawName);
    const line = lineOf(ctx, ['tool', 'uv', 'sources', rawName]);
    // A list of sources differs by marker; the first one that is a table stands for all.
    if (Array.isArray(value)) value = value.find(isTable);
    if (!isTable(value)) {
      ctx.out.error(line, `tool.uv.sources.${rawName} must be a table`);
      continue;
    }
    const source = uvSource(value);
    if (source === null) continue; // `index = "..."` keeps the registry, only another index.
    overrideSource(ctx, normalizeName(rawName), source);
  }
}

function uvSource(value: TomlTable): Pick<Dependency, 'source' | 'url' | 'editable'> | null {
  const git = getOwn(value, 'git');
  if (typeof git === 'string') {
    const ref = [getOwn(value, 'rev'), getOwn(value, 'tag'), getOwn(value, 'branch')].find((r) => typeof r === 'string');
    return { source: 'vcs', url: `git+${git.replace(/^git\+/, '')}${typeof ref === 'string' ? `@${ref}` : ''}`, editable: false };
  }
  const path = getOwn(value, 'path');
  if (typeof path === 'string') return { source: 'path', url: path, editable: getOwn(value, 'editable') === true };
  const url = getOwn(value, 'url');
  if (typeof url === 'string') return { source: sourceOfUrl(url), url, editable: false };
  if (getOwn(value, 'workspace') === true) {
    // Workspace members are built from the checkout, which is always editable in uv.
    return { source: 'path', url: 'workspace', editable: getOwn(value, 'editable') !== false };
  }
  return null;
}

function overrideSource(ctx: Context, name: string, source: Pick<Dependency, 'source' | 'url' | 'editable'>): void {
  for (const dependency of dependenciesNamed(ctx, name)) {
    if (dependency.source !== 'registry') continue;
    dependency.source = source.source;
    dependency.editable = source.editable;
    dependency.version = directReferenceVersion(dependency.name, source.source, source.url, source.editable);
    if (source.url !== undefined) dependency.url = stripUrlCredentials(source.url);
  }
}

function readPdm(ctx: Context): void {
  const pdm = getPath(ctx.doc, ['tool', 'pdm']);
  if (!isTable(pdm)) return;
  const dev = getOwn(pdm, 'dev-dependencies');
  if (isTable(dev)) {
    for (const group of Object.keys(dev)) {
      const path = ['tool', 'pdm', 'dev-dependencies', group];
      if (repeatableName(ctx.out, lineOf(ctx, path), 'PDM group name', group)) readRequirementArray(ctx, path, group);
    }
  } else if (dev !== undefined) {
    ctx.out.error(lineOf(ctx, ['tool', 'pdm', 'dev-dependencies']), 'tool.pdm.dev-dependencies must be a table');
  }
  const sources = getOwn(pdm, 'source');
  if (Array.isArray(sources)) {
    sources.forEach((source: unknown, i) => {
      if (!isTable(source)) return;
      const url = getOwn(source, 'url');
      if (typeof url === 'string') {
        ctx.out.urlOption('pdm-source', url, ctx.positions.lineOf(['tool', 'pdm', 'source', String(i), 'url']) ?? ctx.positions.elementLine(['tool', 'pdm', 'source'], i));
      }
    });
  }
}
