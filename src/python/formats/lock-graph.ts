/**
 * The dependency graph a lockfile records: which of its own entries each entry requires. Read only
 * for a CycloneDX BOM (src/report/cyclonedx.ts, `dependencies[]`); the lock readers keep each
 * entry's list as parsed (ExtractResult.requirementLists), so an audit never pays for this.
 *
 * What each lock writes, per entry:
 * - uv.lock: `dependencies = [{ name, version?, source?, marker? }]`; `version` is written when the
 *   lock holds several versions of the name;
 * - poetry.lock: `[package.dependencies]`, name → constraint (a string, a table, or a list of
 *   tables); an `optional = true` one is needed only for an extra the entry may not be asked for,
 *   and is not an edge;
 * - pdm.lock: `dependencies = ["name[extra]>=1; marker", …]` (PEP 508 strings);
 * - pylock.toml: `[[packages.dependencies]]`, `{ name, version? }` (PEP 751: informational, for
 *   audits; optional, so an entry without it records nothing);
 * - Pipfile.lock records none.
 * uv, Poetry and PDM leave the list out of an entry that requires nothing: that is a recorded
 * "nothing" (the readers keep an empty list), unlike pylock.toml's missing key (null: unknown).
 *
 * Kept simple on purpose: a requirement under a marker (`sys_platform == "win32"`) or asked with
 * extras is still an edge, to every entry of that name the lock holds (narrowed to the version the
 * reference names, when it names one). A name the lock does not hold as a package (a workspace
 * member, a lock cut by hand) is no edge, and the entry's edges are then said to be incomplete
 * (`complete: false`): uv, Poetry and PDM lock every platform's packages, so the lock names a
 * requirement it does not list, and the BOM must not read "requires only these". A list that cannot be read (not the shape the tool
 * writes, a requirement that is not PEP 508) leaves the entry's requirements unknown: no edges at
 * all for it, never a part of them said as the whole.
 */
import { pushTo } from '../../fix/group.js';
import { normalizeName } from '../names.js';
import { exactPin, parsePep508 } from '../pep508.js';
import type { Dependency, LockedProject, ManifestFormat } from '../types.js';
import { isLockTable, own, ownString } from './lock-lines.js';

/** What the graph is read from: a loaded manifest (src/python/load.ts LoadedManifest). */
export interface LockedManifest {
  format: ManifestFormat;
  dependencies: readonly Dependency[];
  requirementLists?: readonly unknown[];
  lockedProject?: LockedProject;
}

/** One entry and the entries of the same lock it requires (none and complete: it requires nothing). */
export interface LockEdges {
  from: Dependency;
  to: Dependency[];
  /** False when the entry requires a name the lock holds no package of: `to` is then only part of what it requires. */
  complete: boolean;
}

/** A requirement as a list names it: the package (PEP 503), and the version when it names one. */
interface Reference {
  name: string;
  version: string | null;
}

/**
 * How many entries one reference may stand for. A real lock holds a name a few times (one per
 * Python range or platform); more makes the entry's requirements unknown rather than an edge to
 * each, so that a crafted lock of n entries of one name costs n, not n².
 */
const MAX_ENTRIES_PER_REFERENCE = 16;

/** The references of one entry's list, or null when the list is not what the tool writes. */
type ReadList = (list: unknown) => Reference[] | null;

const READERS: Partial<Record<ManifestFormat, ReadList>> = {
  'uv-lock': tablesWithNames,
  pylock: tablesWithNames,
  'poetry-lock': poetryDependencies,
  'pdm-lock': pep508Strings,
};

/** The edges a lockfile records, one per entry whose list it records and that could be read; none for any other manifest. */
export function lockEdges(manifest: LockedManifest): LockEdges[] {
  const { dependencies, requirementLists: lists } = manifest;
  const read = READERS[manifest.format];
  // The lists stand beside the entries one for one; anything else is not this reader's output.
  if (read === undefined || lists === undefined || lists.length !== dependencies.length) return [];
  const byName = entriesByName(dependencies);
  const edges: LockEdges[] = [];
  dependencies.forEach((from, i) => {
    const list = lists[i];
    if (list === null || list === undefined) return;
    const references = read(list);
    if (references === null) return;
    const resolved = resolve(references, byName, new Set());
    if (resolved !== null) edges.push({ from, ...resolved });
  });
  return edges;
}

/**
 * What the project itself requires, as the lock says (uv.lock's workspace root and members:
 * ExtractResult.lockedProject), resolved to the lock's entries; null when the lock says nothing of
 * the project. A requirement of a member is the project's own, no edge and no gap; a list that
 * cannot be read, or a name the lock holds no package of, makes `to` only part of what the project
 * requires (`complete: false`), the lists that could be read still giving their edges.
 */
export function projectEdges(manifest: LockedManifest): { to: Dependency[]; complete: boolean } | null {
  const project = manifest.lockedProject;
  const read = READERS[manifest.format];
  if (project === undefined || read === undefined) return null;
  const byName = entriesByName(manifest.dependencies);
  const members = new Set(project.members);
  const to: Dependency[] = [];
  let complete = true;
  for (const list of project.requirementLists) {
    const references = read(list);
    const resolved = references === null ? null : resolve(references, byName, members);
    if (resolved === null) complete = false;
    else {
      for (const d of resolved.to) to.push(d);
      complete &&= resolved.complete;
    }
  }
  return { to, complete };
}

function entriesByName(dependencies: readonly Dependency[]): Map<string, Dependency[]> {
  const byName = new Map<string, Dependency[]>();
  for (const d of dependencies) pushTo(byName, d.name, d);
  return byName;
}

/** The entries a list's references stand for (null: one stands for too many to say), and whether each name was held; `skip` names are no edge and no gap. */
function resolve(references: readonly Reference[], byName: ReadonlyMap<string, Dependency[]>, skip: ReadonlySet<string>): { to: Dependency[]; complete: boolean } | null {
  const to: Dependency[] = [];
  let complete = true;
  for (const reference of references) {
    if (skip.has(reference.name)) continue;
    const named = byName.get(reference.name);
    if (named === undefined) {
      complete = false;
      continue;
    }
    if (named.length > MAX_ENTRIES_PER_REFERENCE) return null;
    for (const d of named) if (reference.version === null || d.version === reference.version) to.push(d);
  }
  return { to, complete };
}

/** uv.lock and pylock.toml: an array of tables, each with a `name` (and a `version` when it narrows). */
function tablesWithNames(list: unknown): Reference[] | null {
  if (!Array.isArray(list)) return null;
  const references: Reference[] = [];
  for (const item of list) {
    if (!isLockTable(item)) return null;
    const name = ownString(item, 'name');
    if (name === null || name.trim() === '') return null;
    references.push({ name: normalizeName(name), version: ownString(item, 'version') });
  }
  return references;
}

/** poetry.lock: a table of name → constraint string, constraint table, or list of constraint tables. */
function poetryDependencies(list: unknown): Reference[] | null {
  if (!isLockTable(list)) return null;
  const references: Reference[] = [];
  for (const [name, constraint] of Object.entries(list)) {
    const constraints = Array.isArray(constraint) ? constraint : [constraint];
    if (constraints.length === 0) return null;
    let required = false;
    for (const one of constraints) {
      if (typeof one === 'string') required = true;
      else if (!isLockTable(one)) return null;
      else if (own(one, 'optional') !== true) required = true;
    }
    if (required) references.push({ name: normalizeName(name), version: null });
  }
  return references;
}

/** pdm.lock: PEP 508 strings; an exact pin (`foo==1.0`, what an extras entry writes of its base) names the version. */
function pep508Strings(list: unknown): Reference[] | null {
  if (!Array.isArray(list)) return null;
  const references: Reference[] = [];
  for (const item of list) {
    if (typeof item !== 'string') return null;
    const parsed = parsePep508(item);
    if (!parsed.ok) return null;
    references.push({ name: parsed.requirement.normalizedName, version: parsed.requirement.url === null ? exactPin(parsed.requirement.specifier) : null });
  }
  return references;
}
