/**
 * Pipfile.lock (pipenv): JSON with `_meta` and one object per category — `default` (the main
 * group), `develop` (dev) and, since pipenv 2023, any named category. Each entry is
 * `"name": { "version": "==1.2", "hashes": [...], "markers": "...", ... }`, or a VCS / path / file
 * entry without a version. Pipenv records no notion of "direct", so every entry counts as direct.
 */
import { normalizeName } from '../names.js';
import { stripUrlCredentials, stripUrlCredentialsNoting } from '../urls.js';
import type { Dependency, DependencySource, ExtractContext, ExtractError, ExtractResult, ManifestFormatModule, ManifestOption } from '../types.js';
import { MAX_ENTRIES_PER_FILE } from './collector.js';
import { lockedDependency, lockExtras, type LockedFields, lockedVersion, vcsKeyOf, vcsPin } from './lock-entries.js';
import {
  cleanMarker,
  collectHashes,
  isLockTable,
  isPypiIndex,
  jsonSectionKeyLines,
  LineIndex,
  type LockTable,
  own,
  ownString,
  ownTable,
  parseLockJson,
  stringList,
  unknownVersionWarning,
} from './lock-lines.js';
import { isPipfileLockPath } from './paths.js';

/** pipfile-spec 6 has been current since 2018; older specs have the same entry shape. */
const NEWEST_KNOWN_SPEC = 6;

export const pipfileLockFormat: ManifestFormatModule = {
  format: 'pipfile-lock',
  matches: isPipfileLockPath,
  extract: extractPipfileLock,
};

export function extractPipfileLock(text: string, context: ExtractContext): ExtractResult {
  const file = context.file;
  // Counted from the text before JSON.parse builds anything: a lock with more entries than one
  // file may give is refused whole, like the TOML locks.
  const keyLines = jsonSectionKeyLines(text);
  let entries = 0;
  for (const [section, lines] of keyLines) if (section !== '_meta') entries += lines.size;
  if (entries > MAX_ENTRIES_PER_FILE) {
    const message = `Pipfile.lock has ${entries} entries, more than the ${MAX_ENTRIES_PER_FILE} Depwatch reads from one file; not read`;
    return { dependencies: [], errors: [{ file, line: null, message }] };
  }
  const parsed = parseLockJson(text, file, 'Pipfile.lock');
  if (!parsed.ok) return { dependencies: [], errors: [parsed.error] };
  const doc = parsed.value;
  if (!isLockTable(doc)) {
    return { dependencies: [], errors: [{ file, line: 1, message: 'Pipfile.lock should be a JSON object with `_meta`, `default` and `develop`' }] };
  }
  const errors: ExtractError[] = [];
  const meta = ownTable(doc, '_meta');
  const spec = meta === null ? undefined : own(meta, 'pipfile-spec');
  if (typeof spec === 'number' && spec > NEWEST_KNOWN_SPEC) {
    errors.push(unknownVersionWarning(file, lineOfText(text, '"pipfile-spec"'), 'Pipfile.lock pipfile-spec', String(spec), `up to ${NEWEST_KNOWN_SPEC}`));
  }
  const sources = readSources(meta, text);
  const dependencies: Dependency[] = [];

  for (const [section, entries] of Object.entries(doc)) {
    if (section === '_meta') continue;
    if (!isLockTable(entries)) continue;
    const group = section === 'default' ? 'main' : section === 'develop' ? 'dev' : section;
    const lines = keyLines.get(section);
    for (const [rawName, entry] of Object.entries(entries)) {
      const line = lines?.get(rawName) ?? null;
      const result = readEntry(rawName, entry, sources.urlsByName);
      const locked = 'error' in result ? result : lockedDependency({ ...result, group }, file, line);
      if ('error' in locked) {
        errors.push({ file, line, message: `Pipfile.lock: ${locked.error}` });
        continue;
      }
      dependencies.push(locked.dependency);
    }
  }

  const requires = meta === null ? null : ownTable(meta, 'requires');
  const requiresPython = requires === null ? null : (ownString(requires, 'python_full_version') ?? ownString(requires, 'python_version'));
  return { dependencies, errors, options: sources.options, requiresPython };
}

type EntryResult = Omit<LockedFields, 'group'> | { error: string };

function readEntry(rawName: string, entry: unknown, indexUrls: Map<string, string>): EntryResult {
  const name = normalizeName(rawName);
  if (name === '') return { error: 'an entry has an empty name' };
  if (!isLockTable(entry)) return { error: `entry ${name} should be an object` };

  const pinned = pinnedVersion(own(entry, 'version'));
  if ('error' in pinned) return { error: `entry ${name}: ${pinned.error}` };
  const version = pinned.version;

  let source: DependencySource = 'registry';
  let url: string | null = null;
  const vcs = vcsKeyOf(entry);
  const path = ownString(entry, 'path');
  const archive = ownString(entry, 'file');
  if (vcs !== undefined) {
    source = 'vcs';
    url = vcsPin(vcs, ownString(entry, vcs)!, ownString(entry, 'ref'));
  } else if (path !== null) {
    source = 'path';
    url = path;
  } else if (archive !== null) {
    // `file` is a URL to an archive, or a local archive (`file://…`, a relative path).
    const remote = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(archive) && !archive.startsWith('file:');
    source = remote ? 'url' : 'path';
    url = remote ? stripUrlCredentials(archive) : archive;
  } else {
    const index = ownString(entry, 'index');
    const indexUrl = index === null ? undefined : indexUrls.get(index);
    if (indexUrl !== undefined && !isPypiIndex(indexUrl)) url = indexUrl;
  }
  if (source === 'registry' && version === null) return { error: `entry ${name} has no version` };

  return {
    name,
    writtenName: rawName,
    version,
    extras: lockExtras(own(entry, 'extras')),
    marker: cleanMarker(ownString(entry, 'markers')),
    source,
    url,
    editable: own(entry, 'editable') === true,
    direct: true,
    hashes: collectHashes(stringList(own(entry, 'hashes'))),
  };
}

/**
 * pipenv writes `"version": "==1.2.3"` (`"*"` or nothing for VCS, path and file entries). `===X`
 * (arbitrary equality: the release whose version string is exactly X) is read the same way: pipenv
 * does not write it, but pip installs it as that one release. What follows the operator must be
 * one PEP 440 version (lockedVersion): `==1.24.*` or `===1.24,<2` names no one release, and an
 * arbitrary-equality string that is not PEP 440 cannot be matched against advisories.
 */
function pinnedVersion(value: unknown): { version: string | null } | { error: string } {
  if (typeof value !== 'string') {
    const read = lockedVersion(value);
    return read.ok ? { version: read.version } : { error: read.problem };
  }
  const text = value.trim();
  if (text === '' || text === '*') return { version: null };
  const operator = text.startsWith('===') ? 3 : text.startsWith('==') ? 2 : 0;
  const shown = JSON.stringify(text.slice(0, 80));
  if (operator === 0) return { error: `version ${shown} is not an exact pin (==version)` };
  const read = lockedVersion(text.slice(operator));
  if (!read.ok || read.version === null) return { error: `version ${shown} is not an exact pin of one PEP 440 version` };
  return { version: read.version };
}

interface Sources {
  options: ManifestOption[];
  /** Source name → URL (credentials removed), for entries that name their `index`. */
  urlsByName: Map<string, string>;
}

/** pipenv installs from the first source and falls back to the others, as pip's index options do. */
function readSources(meta: LockTable | null, text: string): Sources {
  const options: ManifestOption[] = [];
  const urlsByName = new Map<string, string>();
  const list = meta === null ? undefined : own(meta, 'sources');
  if (!Array.isArray(list)) return { options, urlsByName };
  const line = lineOfText(text, '"sources"');
  list.forEach((source, index) => {
    if (!isLockTable(source)) return;
    const rawUrl = ownString(source, 'url');
    if (rawUrl === null) return;
    const { url, literalCredentials } = stripUrlCredentialsNoting(rawUrl);
    const name = ownString(source, 'name');
    if (name !== null) urlsByName.set(name, url);
    options.push({ name: index === 0 ? 'index-url' : 'extra-index-url', value: url, line, ...(literalCredentials ? { credentials: true as const } : {}) });
  });
  return { options, urlsByName };
}

function lineOfText(text: string, needle: string): number | null {
  const at = text.indexOf(needle);
  return at === -1 ? null : new LineIndex(text).lineAt(at);
}
