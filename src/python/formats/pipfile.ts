/**
 * `Pipfile` (pipenv): TOML with one table per category. `[packages]` is group `main`,
 * `[dev-packages]` group `dev`, and any other table that is not one of pipenv's own sections
 * (`source`, `requires`, `scripts`, `pipenv`) is a custom category whose name is the group.
 *
 * Values are `"*"`, a specifier (`"==1.0"`, `">=1,<2"`), or a table with `version`, `extras`,
 * `markers`, a VCS key (`git`/`hg`/`svn`/`bzr` with `ref`), `path`, `file`, `editable`, `index`
 * and pipenv's marker shorthands (`sys_platform = "== 'linux'"`, `os_name`, `python_version`, …),
 * which are joined to `markers` with `and`.
 *
 * `[[source]]`: the first source is pipenv's index (`index-url`), the others are extra indexes
 * (`extra-index-url`); a source with `verify_ssl = false` adds `trusted-host` with its host, as
 * pip's option of that name would. `[requires] python_version = "3.8"` becomes `==3.8.*` and
 * `python_full_version = "3.8.10"` becomes `==3.8.10` in requiresPython.
 */
import { quoteInput } from '../../quoted-input.js';
import { isValidName, normalizeName } from '../names.js';
import { normalizeMarker, parsePep508 } from '../pep508.js';
import { getOwn, isTable, parseToml, tomlTypeName } from '../toml.js';
import type { TomlPositions, TomlTable } from '../toml.js';
import type { Dependency, ExtractContext, ExtractResult, ManifestFormatModule } from '../types.js';
import { stripUrlCredentials } from '../urls.js';
import { ManifestCollector, repeatableName } from './collector.js';
import { extrasFrom, makeDependency } from './pyproject.js';
import { combineMarkers } from '../pep508.js';
import type { EntryPlace } from './pyproject.js';
import { isPipfilePath } from './paths.js';

export const pipfileFormat: ManifestFormatModule = {
  format: 'pipfile',
  matches: isPipfilePath,
  extract: extractPipfile,
};

const NOT_CATEGORIES = new Set(['source', 'requires', 'scripts', 'pipenv']);

const GROUP_OF_CATEGORY: Record<string, string> = { packages: 'main', 'dev-packages': 'dev' };

/** Keys pipenv turns into environment markers (`sys_platform = "== 'win32'"`). */
const MARKER_KEYS = [
  'os_name',
  'sys_platform',
  'platform_machine',
  'platform_python_implementation',
  'platform_release',
  'platform_system',
  'platform_version',
  'python_version',
  'python_full_version',
  'implementation_name',
  'implementation_version',
];

const VCS_KEYS = ['git', 'hg', 'svn', 'bzr'];

/** distlib's COMPARE_OP, which pipenv tests a version string with: `<`, `<=`, `>`, `>=`, `==`, `===`, `~=`, `!=`. */
const COMPARISON_OPERATOR = /^(<=?|>=?|={2,3}|[~!]=)/;

function extractPipfile(text: string, context: ExtractContext): ExtractResult {
  const out = new ManifestCollector(context.file);
  const parsed = parseToml(text);
  if (!parsed.ok) {
    out.error(parsed.line, parsed.message);
    return { dependencies: [], errors: out.errors, options: [], requiresPython: null };
  }
  const doc = parsed.value;
  const positions = parsed.positions;

  for (const category of Object.keys(doc)) {
    if (NOT_CATEGORIES.has(category)) continue;
    const table = getOwn(doc, category);
    if (!isTable(table)) continue; // a stray top-level key is not a category
    const categoryPlace = positions.at([category]);
    if (!repeatableName(out, categoryPlace.line, 'category name', category)) continue;
    const group = GROUP_OF_CATEGORY[category] ?? category;
    for (const rawName of Object.keys(table)) {
      const line = categoryPlace.child(rawName).line;
      const place: EntryPlace = { file: context.file, group, line };
      const result = pipfileEntry(rawName, getOwn(table, rawName), place);
      if (result.ok) out.dependency(result.dependency);
      else out.error(line, `${rawName}: ${result.message}`);
    }
  }

  readSources(doc, positions, out);
  return {
    dependencies: out.dependencies,
    errors: out.errors,
    options: out.options,
    requiresPython: readRequires(doc, positions, out),
  };
}

type EntryResult = { ok: true; dependency: Dependency } | { ok: false; message: string };

function pipfileEntry(rawName: string, value: unknown, place: EntryPlace): EntryResult {
  if (!isValidName(rawName)) return { ok: false, message: 'not a valid project name' };
  const name = normalizeName(rawName);
  if (typeof value === 'string') {
    const specifier = checkedSpecifier(rawName, value);
    if (!specifier.ok) return specifier;
    return { ok: true, dependency: makeDependency(place, { name, writtenName: rawName, specifier: specifier.specifier }) };
  }
  if (!isTable(value)) return { ok: false, message: `expected a version string or a table, found ${tomlTypeName(value)}` };

  const fields: Partial<Dependency> & Pick<Dependency, 'name'> = { name, writtenName: rawName };
  const version = getOwn(value, 'version');
  if (version !== undefined) {
    if (typeof version !== 'string') return { ok: false, message: 'version must be a string' };
    const specifier = checkedSpecifier(rawName, version);
    if (!specifier.ok) return specifier;
    fields.specifier = specifier.specifier;
  }
  const extras = extrasFrom(getOwn(value, 'extras'));
  if (extras === null) return { ok: false, message: 'extras must be an array of strings' };
  fields.extras = extras;

  const marker = entryMarker(value);
  if (!marker.ok) return marker;
  fields.marker = marker.marker;

  const vcs = VCS_KEYS.find((key) => typeof getOwn(value, key) === 'string');
  const path = getOwn(value, 'path');
  const file = getOwn(value, 'file');
  if (vcs !== undefined) {
    const url = getOwn(value, vcs) as string;
    const ref = getOwn(value, 'ref');
    fields.source = 'vcs';
    fields.url = `${url.startsWith(`${vcs}+`) ? '' : `${vcs}+`}${url}${typeof ref === 'string' ? `@${ref}` : ''}`;
  } else if (typeof path === 'string') {
    fields.source = 'path';
    fields.url = path;
  } else if (typeof file === 'string') {
    fields.source = /^[a-z][a-z0-9+.-]*:\/\//i.test(file) && !file.toLowerCase().startsWith('file:') ? 'url' : 'path';
    fields.url = file;
  }
  fields.editable = getOwn(value, 'editable') === true;
  return { ok: true, dependency: makeDependency(place, fields) };
}

/**
 * A Pipfile version string as pipenv reads it, shared by the parser and the fixer: `"*"` (or blank)
 * is `''`, anything; text that starts with a comparison operator is itself; text that starts with a
 * letter or digit is an exact version, `"1.0"` → `==1.0`, and `implied` is the `==` that was added
 * (the fixer widens the specifier and takes `implied` off again, to write the form the file used).
 * Anything else is `null`: a version starts with a letter or digit (`v1`, `1.0`), and `=>1`
 * prefixed would be `===>1`, an arbitrary-equality pin to a typo. Whitespace around is dropped; the
 * specifier itself is not checked here.
 */
export function pipfileVersion(text: string): { specifier: string; implied: '' | '==' } | null {
  const trimmed = text.trim();
  if (trimmed === '*' || trimmed === '') return { specifier: '', implied: '' };
  if (COMPARISON_OPERATOR.test(trimmed)) return { specifier: trimmed, implied: '' };
  return /^[A-Za-z0-9]/.test(trimmed) ? { specifier: `==${trimmed}`, implied: '==' } : null;
}

/**
 * `"*"` means anything; text that does not start with a comparison operator is an exact version,
 * as pipenv's `dependency_as_pip_install_line` reads it (`"1.0"` → `==1.0`); anything else must be
 * a PEP 440 specifier (checked through PEP 508). Appended to the name as it was, `"1.0"` read as a
 * project named `requests1.0`, and `"[x]"` as extras: with an operator first, the name ends where
 * the key does.
 */
function checkedSpecifier(name: string, text: string): { ok: true; specifier: string } | { ok: false; message: string } {
  const read = pipfileVersion(text);
  if (read !== null && read.specifier === '') return { ok: true, specifier: '' };
  const parsed = read === null ? null : parsePep508(`${name}${read.specifier}`);
  if (parsed === null || !parsed.ok || parsed.requirement.url !== null || parsed.requirement.marker !== null) {
    return { ok: false, message: `invalid version specifier ${quoteInput(text)}` };
  }
  return { ok: true, specifier: parsed.requirement.specifier };
}

function entryMarker(value: TomlTable): { ok: true; marker: string | null } | { ok: false; message: string } {
  const parts: string[] = [];
  const markers = getOwn(value, 'markers');
  if (markers !== undefined) {
    if (typeof markers !== 'string') return { ok: false, message: 'markers must be a string' };
    parts.push(markers);
  }
  for (const key of MARKER_KEYS) {
    const shorthand = getOwn(value, key);
    if (shorthand === undefined) continue;
    if (typeof shorthand !== 'string') return { ok: false, message: `${key} must be a string` };
    const text = shorthand.trim();
    // pipenv writes the operator and the quoted value; a bare value means equality.
    parts.push(/^(===|==|!=|~=|<=|>=|<|>|not in|in)/.test(text) ? `${key} ${text}` : `${key} == ${JSON.stringify(text)}`);
  }
  const combined = combineMarkers(parts);
  if (combined === null) return { ok: true, marker: null };
  const marker = normalizeMarker(combined);
  if (marker === null) return { ok: false, message: `invalid marker ${quoteInput(combined)}` };
  return { ok: true, marker };
}

function readSources(doc: TomlTable, positions: TomlPositions, out: ManifestCollector): void {
  const sources = getOwn(doc, 'source');
  if (sources === undefined) return;
  if (!Array.isArray(sources)) {
    out.error(positions.lineOf(['source']), 'source must be an array of tables ([[source]])');
    return;
  }
  sources.forEach((source: unknown, index) => {
    const line = positions.lineOf(['source', String(index), 'url']) ?? positions.elementLine(['source'], index);
    if (!isTable(source)) {
      out.error(line, '[[source]] entries must be tables');
      return;
    }
    const url = getOwn(source, 'url');
    if (typeof url !== 'string') {
      out.error(line, '[[source]] needs a url');
      return;
    }
    out.urlOption(index === 0 ? 'index-url' : 'extra-index-url', url, line);
    const verify = getOwn(source, 'verify_ssl');
    if (verify === false) {
      const host = hostOf(url);
      out.option('trusted-host', host ?? stripUrlCredentials(url), positions.lineOf(['source', String(index), 'verify_ssl']) ?? line);
    }
  });
}

function hostOf(url: string): string | null {
  try {
    return new URL(url).host || null;
  } catch {
    return null;
  }
}

function readRequires(doc: TomlTable, positions: TomlPositions, out: ManifestCollector): string | null {
  const requires = getOwn(doc, 'requires');
  if (!isTable(requires)) return null;
  for (const [key, toSpecifier] of [
    ['python_full_version', (v: string) => `==${v}`],
    ['python_version', (v: string) => `==${v}.*`],
  ] as const) {
    const value = getOwn(requires, key);
    if (value === undefined) continue;
    // A TOML number would lose digits (3.10 reads as 3.1), so only strings are accepted.
    const text = typeof value === 'string' ? value.trim() : '';
    if (!/^[0-9]+(\.[0-9]+)*$/.test(text)) {
      out.error(positions.lineOf(['requires', key]), `requires.${key} must be a version such as "3.11"`);
      continue;
    }
    return toSpecifier(text);
  }
  return null;
}
