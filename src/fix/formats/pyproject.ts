/**
 * `pyproject.toml`: PEP 621 `[project]` dependencies and optional-dependencies, PEP 735
 * `[dependency-groups]`, uv and PDM dev dependencies and uv's constraint and override lists (PEP 508
 * strings), and Poetry's
 * `[tool.poetry.dependencies]`, `dev-dependencies` and `[tool.poetry.group.<g>.dependencies]`
 * (a constraint string, an inline or sub-table with `version`, or an array of them for multiple
 * constraints). Poetry constraints are widened only as far as the fix needs (src/fix/widen.ts).
 * The file is read by the same parsers the audit uses; only string contents are rewritten.
 */
import { isRepeatableName } from '../../python/formats/collector.js';
import { pyprojectFormat } from '../../python/formats/pyproject.js';
import { isValidName, normalizeName } from '../../python/names.js';
import { parsePep508 } from '../../python/pep508.js';
import { getOwn, getPath, isTable, type TomlPositions, type TomlTable } from '../../python/toml.js';
import type { ManifestRewriter } from '../types.js';
import { tomlRewriter, type TomlSite } from './toml-sites.js';

export const pyprojectRewriter: ManifestRewriter = tomlRewriter('pyproject', (text, file) => pyprojectFormat.extract(text, { file }).dependencies, pyprojectSites);

/** Every string in the document that constrains a package, with the syntax it is written in. */
export function pyprojectSites(doc: TomlTable, positions: TomlPositions): TomlSite[] {
  const sites: TomlSite[] = [];
  const requirementArray = (path: string[]) => {
    const value = getPath(doc, path);
    if (!Array.isArray(value)) return;
    // Looked up once for the whole array, as the parser does: per element, a long key cost its length each time.
    const array = positions.at(path);
    const arrayLine = lineOf(positions, path);
    value.forEach((entry: unknown, index) => {
      if (typeof entry !== 'string') return;
      const parsed = parsePep508(entry);
      const line = array.element(index).line ?? arrayLine;
      if (parsed.ok) sites.push({ path: [...path, String(index)], name: parsed.requirement.normalizedName, value: entry, syntax: 'pep508', line });
    });
  };
  const arraysUnder = (path: string[]) => {
    const table = getPath(doc, path);
    // The parser does not read a group whose name is too long to repeat on each entry; nor is it rewritten.
    if (isTable(table)) for (const key of Object.keys(table)) if (isRepeatableName(key)) requirementArray([...path, key]);
  };

  requirementArray(['project', 'dependencies']);
  arraysUnder(['project', 'optional-dependencies']);
  arraysUnder(['dependency-groups']);
  requirementArray(['tool', 'uv', 'dev-dependencies']);
  // A vulnerable pin here is what uv installs (an override replaces whatever the tree asks for).
  requirementArray(['tool', 'uv', 'constraint-dependencies']);
  requirementArray(['tool', 'uv', 'override-dependencies']);
  arraysUnder(['tool', 'pdm', 'dev-dependencies']);

  poetryTable(doc, positions, ['tool', 'poetry', 'dependencies'], sites);
  poetryTable(doc, positions, ['tool', 'poetry', 'dev-dependencies'], sites);
  const groups = getPath(doc, ['tool', 'poetry', 'group']);
  if (isTable(groups)) {
    for (const group of Object.keys(groups)) {
      if (isRepeatableName(group)) poetryTable(doc, positions, ['tool', 'poetry', 'group', group, 'dependencies'], sites);
    }
  }
  return sites;
}

/** The line the parser reports for a path: its own, else its nearest parent's (as src/python/formats/pyproject.ts does). */
function lineOf(positions: TomlPositions, path: readonly string[]): number | null {
  for (let n = path.length; n > 0; n--) {
    const line = positions.lineOf(path.slice(0, n));
    if (line !== null) return line;
  }
  return null;
}

/** A Poetry dependency table: `name = "^1.2"`, `name = {version = …}`, or an array of those. */
function poetryTable(doc: TomlTable, positions: TomlPositions, path: string[], sites: TomlSite[]): void {
  const table = getPath(doc, path);
  if (!isTable(table)) return;
  const place = positions.at(path);
  const tableLine = lineOf(positions, path);
  for (const rawName of Object.keys(table)) {
    if (rawName.toLowerCase() === 'python' || !isValidName(rawName)) continue;
    const name = normalizeName(rawName);
    const keyPath = [...path, rawName];
    const keyPlace = place.child(rawName);
    const keyLine = keyPlace.line ?? tableLine;
    const one = (value: unknown, at: string[], line: number | null) => {
      if (typeof value === 'string') sites.push({ path: at, name, value, syntax: 'poetry', line });
      else if (isTable(value) && typeof getOwn(value, 'version') === 'string') {
        sites.push({ path: [...at, 'version'], name, value: getOwn(value, 'version') as string, syntax: 'poetry', line });
      }
    };
    const value = getOwn(table, rawName);
    if (Array.isArray(value)) {
      if (!isRepeatableName(rawName)) continue; // not read by the parser either
      value.forEach((element: unknown, index) => one(element, [...keyPath, String(index)], keyPlace.element(index).line ?? keyLine));
    } else {
      one(value, keyPath, keyLine);
    }
  }
}
