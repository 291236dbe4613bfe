/**
 * `Pipfile` (pipenv): `[packages]`, `[dev-packages]` and custom categories, each entry a specifier
 * string (`"==2.1.5"`, `"*"`, a bare `"2.1.5"` = `==2.1.5`) or a table with `version`, read with the
 * parser's rule (`pipfileVersion`) and rewritten in the form written; `"*"` admits everything, so
 * only the lock needs regenerating. Only string contents are rewritten.
 */
import { isRepeatableName } from '../../python/formats/collector.js';
import { pipfileFormat } from '../../python/formats/pipfile.js';
import { isValidName, normalizeName } from '../../python/names.js';
import { getOwn, isTable, type TomlPositions, type TomlTable } from '../../python/toml.js';
import type { ManifestRewriter } from '../types.js';
import { tomlRewriter, type TomlSite } from './toml-sites.js';

/** pipenv's own sections, which are not package categories. */
const NOT_CATEGORIES = new Set(['source', 'requires', 'scripts', 'pipenv']);

export const pipfileRewriter: ManifestRewriter = tomlRewriter('pipfile', (text, file) => pipfileFormat.extract(text, { file }).dependencies, pipfileSites);

export function pipfileSites(doc: TomlTable, positions: TomlPositions): TomlSite[] {
  const sites: TomlSite[] = [];
  for (const category of Object.keys(doc)) {
    const table = getOwn(doc, category);
    // A category whose name is too long to repeat on each entry is not read by the parser; nor is it rewritten.
    if (NOT_CATEGORIES.has(category) || !isTable(table) || !isRepeatableName(category)) continue;
    const categoryPlace = positions.at([category]);
    for (const rawName of Object.keys(table)) {
      if (!isValidName(rawName)) continue;
      const name = normalizeName(rawName);
      const value = getOwn(table, rawName);
      const line = categoryPlace.child(rawName).line;
      if (typeof value === 'string') sites.push({ path: [category, rawName], name, value, syntax: 'pipfile', line });
      else if (isTable(value) && typeof getOwn(value, 'version') === 'string') {
        sites.push({ path: [category, rawName, 'version'], name, value: getOwn(value, 'version') as string, syntax: 'pipfile', line });
      }
    }
  }
  return sites;
}
