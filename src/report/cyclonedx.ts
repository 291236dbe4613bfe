/**
 * A CycloneDX 1.6 JSON BOM of the dependencies read (`depwatch deps --cyclonedx`), and with the
 * audit's vulnerabilities (`depwatch audit --cyclonedx`), as pip-audit, OSV-Scanner and Snyk write
 * one. Written as plain JSON: the official library (@cyclonedx/cyclonedx-library) has no model for
 * `evidence.occurrences`, writes a dependency-graph entry with no `dependsOn` for every component
 * (which the spec reads as "has no dependencies", where Depwatch knows nothing of the graph), and
 * took 100-140 ms to load. It and its schemas are a devDependency: the tests validate every BOM
 * made here against the official 1.6 schema.
 *
 * What it says, and why (docs/cli-contract.md, "CycloneDX"):
 * - One component per distinct exact release (an exact pin or lock entry: isRatedRelease, what the
 *   audit matches advisories against), `pkg:pypi/<PEP 503 name>@<version>` as purl and bom-ref,
 *   every place it is written as an occurrence (`location` the file, `line`, and the entry as read,
 *   its name spelled as that place writes it). The component's `name` is the name as written
 *   (`zope.interface`, `Django`: what cdxgen and pip-audit show), the purl's stays PEP 503.
 * - A requirement that is not one exact release (a range, a bare name, a VCS or URL source without
 *   a version, a local path) is a component without version, one per name, as cyclonedx-py lists an
 *   unpinned requirement: `depwatch:resolved` false and each specifier in `depwatch:specifier`. A
 *   constraint that is not exact installs nothing, and is not listed.
 * - Fail closed: `depwatch:partial` in metadata.properties, true with one `depwatch:partial_reason`
 *   per reason when anything was not read or checked, and a composition saying the project's
 *   inventory is `incomplete`.
 * - A dependency graph only where a lockfile records one (uv.lock, poetry.lock, pdm.lock, a
 *   pylock.toml that fills `dependencies`: src/python/formats/lock-graph.ts): `dependencies[]` holds
 *   a component whose lock says what it requires, `dependsOn` the components of that lock's entries
 *   (empty: it requires nothing). A component no lock says this of has no entry (its requirements
 *   are unknown), never an empty one. When the lock names a requirement it holds no package of,
 *   the component's edges are only part of them: an `incomplete` composition lists it
 *   (`dependencies`, the spec's word for a node of the graph).
 * - The project (metadata.component) always has an entry, first: its direct requirements, as
 *   cdxgen and cyclonedx-py give the root (projectNode). Listed in the same `incomplete`
 *   composition when they may not be all of them (a partial read, a lock nothing declares beside).
 * - No serialNumber: the same tree gives the same BOM (the timestamp aside), where a random one
 *   would make every BOM differ.
 */
import { describeReason, notReached, reasonsOf, type PartialReason } from '../audit/partial.js';
import { isRatedRelease, isRequirementsLock } from '../audit/context.js';
import { DEFAULT_UNKNOWN_AS, type Finding, type RatedSeverity } from '../audit/findings.js';
import { pushTo } from '../fix/group.js';
import { packageVersion } from '../version.js';
import type { ChunkedRenderer } from './interface.js';
import { normalizeName } from '../python/names.js';
import type { Dependency } from '../python/types.js';
import { lockEdges, projectEdges, type LockedManifest } from '../python/formats/lock-graph.js';
import { posix } from 'node:path';
import { compareCodeUnits, compareText } from '../text-order.js';
import { jsonChunks, lazyMap, streamed } from './json-chunks.js';
import { osvUrl } from './summary.js';

export const CYCLONEDX_SCHEMA = 'http://cyclonedx.org/schema/bom-1.6.schema.json';

/** The project's own component (metadata.component): what the BOM describes. */
const PROJECT_REF = 'depwatch:project';

export interface BomInput {
  /** The audited project: its folder's name, or `owner/repo` (with the commit as version). */
  project: { name: string; version?: string };
  /** Every dependency read, from every manifest, as `deps --json` lists them. */
  dependencies: readonly Dependency[];
  /** The manifests they were read from: the lockfiles among them give the dependency graph (none given: no graph). */
  manifests?: readonly LockedManifest[];
  /** Why the result is partial (none: complete). */
  reasons: readonly PartialReason[];
  toolVersion: string;
  now: Date;
}

/** What the audit adds to the BOM. */
export interface BomAudit {
  findings: readonly Finding[];
  /** Ignored findings, listed with why (--show-ignored); empty otherwise. */
  ignored: readonly Finding[];
  /** False when the advisories were not reached: then the BOM has no `vulnerabilities` at all, never an empty list. */
  advisoriesChecked: boolean;
  advisorySource: string;
  unknownAs?: RatedSeverity;
  /** Findings that are not vulnerabilities (outdated, unpinned, code…): counted, since the BOM cannot carry them. */
  otherFindings: number;
}

interface Place {
  location: string;
  line?: number;
  additionalContext: string;
}

interface ComponentDraft {
  /** `name@version`'s purl, the package's without a version, or the URL of a requirement with no name: one component each. */
  key: string;
  /** PEP 503 (or the URL of a requirement with no name): what components are sorted by. */
  name: string;
  /** The name as written at the first of its places (see noteSpelling); `name` when none writes another. */
  shown: { name: string; location: string; line: number } | null;
  version: string | null;
  /** Whether some place installs it from a package index (then it has a purl). */
  fromIndex: boolean;
  places: Map<string, Place>;
  extras: Set<string>;
  specifiers: Set<string>;
  /** Where a non-index place installs it from: url → source. */
  elsewhere: Map<string, Dependency['source']>;
}

/** A purl segment: everything but the unreserved characters percent-encoded (`1.0+cpu` → `1.0%2Bcpu`, `1!2.0` → `1%212.0`). */
const purlSegment = (text: string): string => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The purl of a PyPI release, or of the package when no version is known: PEP 503 name, as the purl spec's pypi type says. */
export function pypiPurl(name: string, version: string | null): string {
  const base = `pkg:pypi/${purlSegment(normalizeName(name))}`;
  return version === null ? base : `${base}@${purlSegment(version)}`;
}

/** An entry as read, in PEP 508 form (`django[argon2]==2.1.5 ; python_version < "3.8"`), and what kind of entry it is. */
function entryText(d: Dependency): string {
  const extras = d.extras.length ? `[${d.extras.join(',')}]` : '';
  const what = d.source === 'registry' ? d.specifier || (d.version !== null && d.kind === 'locked' ? `==${d.version}` : '') : d.url !== undefined ? ` @ ${d.url}` : '';
  const marker = d.marker ? ` ; ${d.marker}` : '';
  const notes = [d.kind, ...(d.group !== 'main' ? [`group ${d.group}`] : []), ...(d.editable ? ['editable'] : []), ...(d.direct ? [] : ['indirect'])];
  return `${d.writtenName ?? (d.name || '(no name)')}${extras}${what}${marker} (${notes.join(', ')})`;
}

/** The component a dependency is listed under (components' `key`), or null when it is none (a constraint that is not one release). */
function componentKey(d: Dependency): string | null {
  const exact = isRatedRelease(d);
  // A constraint that is not one release installs nothing: not a component.
  if (!exact && d.kind === 'constraint') return null;
  const name = d.name ? normalizeName(d.name) : '';
  // A requirement with no name (a bare URL) is known by its URL alone.
  return exact ? pypiPurl(name, d.version) : name ? pypiPurl(name, null) : `depwatch:unnamed:${d.url ?? ''}`;
}

/**
 * The name a component shows: as written at the first of its places in the order its occurrences
 * are listed (file path, then line; the spelling that sorts first between two on one line), so
 * that a release written `zope.interface` in one file and `Zope.Interface` in another is named the
 * same whatever order the files were read in. Each occurrence keeps its own spelling.
 */
function noteSpelling(draft: ComponentDraft, d: Dependency): void {
  const name = d.writtenName ?? draft.name;
  const line = d.line ?? 0;
  const shown = draft.shown;
  if (shown === null || (compareText(d.file, shown.location) || line - shown.line || compareCodeUnits(name, shown.name)) < 0) draft.shown = { name, location: d.file, line };
}

/** The components, in name order (exact releases of a name before its requirement without version), each with its places in file order. */
function components(dependencies: readonly Dependency[]): ComponentDraft[] {
  const byKey = new Map<string, ComponentDraft>();
  for (const d of dependencies) {
    const key = componentKey(d);
    if (key === null) continue;
    const exact = isRatedRelease(d);
    let draft = byKey.get(key);
    if (draft === undefined) {
      const name = d.name ? normalizeName(d.name) : '';
      draft = { key, name: name || (d.url ?? ''), shown: null, version: exact ? d.version : null, fromIndex: false, places: new Map(), extras: new Set(), specifiers: new Set(), elsewhere: new Map() };
      byKey.set(key, draft);
    }
    noteSpelling(draft, d);
    if (d.source === 'registry') draft.fromIndex = true;
    else if (d.url !== undefined) draft.elsewhere.set(d.url, d.source);
    for (const extra of d.extras) draft.extras.add(extra);
    if (!exact && d.specifier) draft.specifiers.add(d.specifier);
    const additionalContext = entryText(d);
    const place = `${d.file}\u0000${d.line}\u0000${additionalContext}`;
    if (!draft.places.has(place)) draft.places.set(place, { location: d.file, ...(d.line !== null ? { line: d.line } : {}), additionalContext });
  }
  return [...byKey.values()].sort((a, b) => compareText(a.name, b.name) || (a.version === null ? 1 : 0) - (b.version === null ? 1 : 0) || compareCodeUnits(a.version ?? '', b.version ?? ''));
}

const property = (name: string, value: string) => ({ name, value });

/**
 * The component's bom-ref: its purl when it has one (a release, or a package some place installs
 * from an index). A requirement installed only from elsewhere (a VCS, a URL, a local path) has no
 * purl, and a bom-ref that does not read as one: tools that take a bom-ref for a purl would
 * otherwise take it for PyPI's package of that name.
 */
const bomRef = (c: ComponentDraft): string => (c.version !== null || c.fromIndex || !c.name || c.key.startsWith('depwatch:') ? c.key : `depwatch:requirement:${c.name}`);

function componentJson(c: ComponentDraft) {
  const places = [...c.places.values()].sort((a, b) => compareText(a.location, b.location) || (a.line ?? 0) - (b.line ?? 0));
  const references = [...c.elsewhere]
    .filter(([, source]) => source === 'vcs' || source === 'url')
    .map(([url, source]) => ({ type: source === 'vcs' ? 'vcs' : 'distribution', url, comment: 'as the manifest names it' }));
  const properties = [
    ...(c.version === null ? [property('depwatch:resolved', 'false'), ...[...c.specifiers].sort(compareCodeUnits).map((s) => property('depwatch:specifier', s))] : []),
    ...[...new Set(c.elsewhere.values())].sort(compareCodeUnits).map((s) => property('depwatch:source', s)),
    ...[...c.elsewhere].filter(([, source]) => source === 'path').map(([path]) => property('depwatch:path', path)),
    // The CycloneDX property taxonomy's name for an extra asked of a Python package (cyclonedx-py's too).
    ...[...c.extras].sort(compareCodeUnits).map((e) => property('cdx:python:package:required-extra', e)),
  ];
  return {
    type: 'library',
    'bom-ref': bomRef(c),
    name: c.shown?.name ?? c.name,
    version: c.version ?? undefined,
    purl: c.fromIndex || c.version !== null ? c.key : undefined,
    externalReferences: references.length ? references : undefined,
    evidence: places.length ? { occurrences: places } : undefined,
    properties: properties.length ? properties : undefined,
  };
}

/** CycloneDX's name for how a CVSS vector scores (its scoreMethod). */
function scoreMethod(vector: string | null | undefined): string {
  if (!vector) return 'other';
  if (vector.startsWith('CVSS:4.0/')) return 'CVSSv4';
  if (vector.startsWith('CVSS:3.1/')) return 'CVSSv31';
  if (vector.startsWith('CVSS:3.0/')) return 'CVSSv3';
  return /^\(?AV:[LAN]\//.test(vector) ? 'CVSSv2' : 'other';
}

/** The ratings of a finding: none when no source rated it (never an invented one). */
function ratings(f: Finding) {
  if (f.kind === 'malicious') return [{ severity: 'critical', method: 'other', justification: `${f.id} reports the package as malicious` }];
  if (f.severity === 'unknown') return undefined;
  const rater = f.severityFrom ?? f.id;
  return [
    {
      ...(rater ? { source: { name: 'OSV', url: osvUrl(rater) } } : {}),
      score: typeof f.cvss === 'number' && Number.isFinite(f.cvss) ? f.cvss : undefined,
      severity: f.severity,
      method: scoreMethod(f.cvssVector),
      vector: f.cvssVector ?? undefined,
    },
  ];
}

function vulnerabilityJson(f: Finding, refOf: (f: Finding) => string, unknownAs: RatedSeverity) {
  const id = f.id!;
  const properties = [
    ...(f.kind === 'malicious' ? [property('depwatch:kind', 'malicious')] : []),
    // Unrated: no rating is given, and what it counts as for --fail-on is said.
    ...(f.kind !== 'malicious' && f.severity === 'unknown' ? [property('depwatch:treated_as', unknownAs)] : []),
    ...(typeof f.details?.resolved_from === 'string' ? [property('depwatch:resolved_from', f.details.resolved_from)] : []),
  ];
  return {
    id,
    source: { name: 'OSV', url: osvUrl(id) },
    references: f.aliases?.length ? f.aliases.map((alias) => ({ id: alias, source: { name: 'OSV', url: osvUrl(alias) } })) : undefined,
    ratings: ratings(f),
    description: f.summary || undefined,
    recommendation: f.fix.text || undefined,
    advisories: [{ url: osvUrl(id) }],
    analysis: f.ignoredBy ? { detail: `ignored (${f.ignoredBy.source}): ${f.ignoredBy.reason}${f.ignoredBy.until ? ` (until ${f.ignoredBy.until})` : ''}` } : undefined,
    affects: [{ ref: refOf(f), versions: f.version ? [{ version: f.version, status: 'affected' }] : undefined }],
    properties: properties.length ? properties : undefined,
  };
}

/**
 * `dependencies[]`: each component some lockfile says the requirements of, with the components of
 * the entries it requires (lock-graph.ts), in component order. A release locked in two files
 * requires what either says (the same release, the same metadata); an entry requiring itself (a
 * PDM extras entry requires its base release, the same component) is no edge.
 */
function dependencyGraph(
  manifests: readonly LockedManifest[],
  drafts: readonly ComponentDraft[],
  byKey: ReadonlyMap<string, ComponentDraft>,
): { graph: { ref: string; dependsOn: string[] }[]; incomplete: string[] } {
  const dependsOn = new Map<ComponentDraft, Set<ComponentDraft>>();
  // Components no lock lists all the requirements of (lock-graph.ts LockEdges.complete): one lock
  // that lists them all speaks for the release, so a component leaves this set once one does.
  const partlyKnown = new Set<ComponentDraft>();
  const wholeKnown = new Set<ComponentDraft>();
  for (const manifest of manifests) {
    for (const { from, to, complete } of lockEdges(manifest)) {
      const fromKey = componentKey(from);
      const source = fromKey === null ? undefined : byKey.get(fromKey);
      if (source === undefined) continue;
      (complete ? wholeKnown : partlyKnown).add(source);
      let targets = dependsOn.get(source);
      if (targets === undefined) dependsOn.set(source, (targets = new Set()));
      for (const d of to) {
        const toKey = componentKey(d);
        const target = toKey === null ? undefined : byKey.get(toKey);
        if (target !== undefined && target !== source) targets.add(target);
      }
    }
  }
  const order = new Map(drafts.map((d, i) => [d, i]));
  const listed = drafts.filter((d) => dependsOn.has(d));
  return {
    graph: listed.map((d) => ({ ref: bomRef(d), dependsOn: [...dependsOn.get(d)!].sort((a, b) => order.get(a)! - order.get(b)!).map(bomRef) })),
    incomplete: listed.filter((d) => partlyKnown.has(d) && !wholeKnown.has(d)).map(bomRef),
  };
}

/**
 * The project's own node of the graph (metadata.component): what it requires directly. A uv.lock
 * says it (its workspace root and members' lists: lock-graph.ts projectEdges); every other file
 * says it by what it declares: each requirement (not a constraint, not a lock's entry) is an edge
 * to the component of its name — its exact release when the tree holds one release of the name,
 * else its own component (a range's without version). A tree of several projects has one root
 * requiring what any of them declares.
 *
 * `complete` (fail closed): the read was whole, every lock's project says what it requires, and
 * every other lock has a file declaring requirements beside it (a poetry.lock's pyproject.toml, a
 * Pipfile.lock's Pipfile): a lock alone holds the project's requirements among its entries without
 * saying which.
 */
function projectNode(
  manifests: readonly LockedManifest[],
  dependencies: readonly Dependency[],
  drafts: readonly ComponentDraft[],
  byKey: ReadonlyMap<string, ComponentDraft>,
  partial: boolean,
): { dependsOn: Set<ComponentDraft>; complete: boolean } {
  const releases = new Map<string, ComponentDraft[]>();
  for (const d of drafts) {
    // Releases the tree writes (not one made for an advisory alone).
    if (d.version !== null && d.places.size > 0) pushTo(releases, d.name, d);
  }
  const dependsOn = new Set<ComponentDraft>();
  const add = (target: ComponentDraft | undefined): void => {
    if (target !== undefined) dependsOn.add(target);
  };
  const declaredIn = new Set<string>();
  const locks = new Set<string>();
  for (const d of dependencies) {
    // A requirements-format `.lock` (rye's) pins what its project resolves to, as a lock does: not what the project declares.
    const isLock = d.kind === 'locked' || isRequirementsLock({ path: d.file, format: 'requirements' });
    if (isLock) locks.add(d.file);
    if (d.kind !== 'requirement' || isLock) continue;
    declaredIn.add(posix.dirname(d.file));
    const key = componentKey(d);
    const named = releases.get(d.name ? normalizeName(d.name) : '');
    add(!isRatedRelease(d) && named?.length === 1 ? named[0] : key === null ? undefined : byKey.get(key));
  }
  let complete = !partial;
  for (const manifest of manifests) {
    const fromLock = projectEdges(manifest);
    if (fromLock === null) continue;
    // The lock says what its project requires: it needs no declaration beside it.
    for (const d of manifest.dependencies) locks.delete(d.file);
    complete &&= fromLock.complete;
    for (const d of fromLock.to) {
      const key = componentKey(d);
      add(key === null ? undefined : byKey.get(key));
    }
  }
  for (const lock of locks) if (!declaredIn.has(posix.dirname(lock))) complete = false;
  return { dependsOn, complete };
}

/** The BOM, in pieces as the other reports are written (json-chunks.ts): components and vulnerabilities one batch at a time. */
export function* cyclonedxChunks(input: BomInput, audit?: BomAudit): Generator<string> {
  const drafts = components(input.dependencies);
  const advisoryFindings = audit ? [...audit.findings, ...audit.ignored].filter((f) => (f.kind === 'vulnerability' || f.kind === 'malicious') && f.id && f.package) : [];
  // Each vulnerability affects the component of its release; a range's finding (the release it
  // resolves to today, written nowhere) the requirement's component without version. A release
  // in neither gets a component of its own, so that no `affects` points at nothing.
  const byKey = new Map(drafts.map((d) => [d.key, d]));
  const draftOf = (f: Finding): ComponentDraft | undefined => byKey.get(pypiPurl(f.package!, f.version)) ?? byKey.get(pypiPurl(f.package!, null));
  for (const f of advisoryFindings) {
    if (draftOf(f) !== undefined) continue;
    const made: ComponentDraft = { key: pypiPurl(f.package!, f.version), name: normalizeName(f.package!), shown: null, version: f.version, fromIndex: true, places: new Map(), extras: new Set(), specifiers: new Set(), elsewhere: new Map() };
    byKey.set(made.key, made);
    drafts.push(made);
  }
  const refOf = (f: Finding): string => bomRef(draftOf(f)!);
  const partial = input.reasons.length > 0;
  const { graph, incomplete } = dependencyGraph(input.manifests ?? [], drafts, byKey);
  const order = new Map(drafts.map((d, i) => [d, i]));
  const root = projectNode(input.manifests ?? [], input.dependencies, drafts, byKey, partial);
  const rootEntry = { ref: PROJECT_REF, dependsOn: [...root.dependsOn].sort((a, b) => order.get(a)! - order.get(b)!).map(bomRef) };
  const incompleteNodes = [...(root.complete ? [] : [PROJECT_REF]), ...incomplete];
  const compositions = [
    // The spec's own word for it: what the project is made of is not all listed here.
    ...(partial ? [{ aggregate: 'incomplete', assemblies: [PROJECT_REF] }] : []),
    // And for a node whose `dependsOn` is only part of what it requires (the spec's `dependencies`: a
    // node of the graph): the project when its requirements were not all read, a component whose
    // lock names requirements it holds no package of.
    ...(incompleteNodes.length > 0 ? [{ aggregate: 'incomplete', dependencies: incompleteNodes }] : []),
  ];
  const unknownAs = audit?.unknownAs ?? DEFAULT_UNKNOWN_AS;
  const bom = {
    $schema: CYCLONEDX_SCHEMA,
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    metadata: {
      timestamp: input.now.toISOString(),
      tools: { components: [{ type: 'application', name: 'depwatch', version: input.toolVersion }] },
      component: { type: 'application', 'bom-ref': PROJECT_REF, name: input.project.name, version: input.project.version },
      properties: [
        property('depwatch:partial', String(partial)),
        ...input.reasons.map((r) => property('depwatch:partial_reason', describeReason(r))),
        ...(audit ? [property('depwatch:advisory_source', audit.advisorySource), property('depwatch:other_findings', String(audit.otherFindings))] : []),
      ],
    },
    components: streamed(lazyMap(drafts, componentJson)),
    dependencies: streamed([rootEntry, ...graph]),
    compositions: compositions.length > 0 ? compositions : undefined,
    vulnerabilities: audit?.advisoriesChecked ? streamed(lazyMap(advisoryFindings, (f) => vulnerabilityJson(f, refOf, unknownAs))) : undefined,
  };
  yield* jsonChunks(bom);
  yield '\n';
}

/** An audit's BOM (`depwatch audit --cyclonedx`): its dependencies' components and its vulnerabilities. */
export const renderCyclonedxChunks: ChunkedRenderer = (result, options) => {
  if (!options.bom) throw new Error('the CycloneDX report needs the dependencies the audit read');
  const { dependencies, manifests, project, now } = options.bom;
  const isAdvisory = (f: Finding) => f.kind === 'vulnerability' || f.kind === 'malicious';
  const otherFindings = result.findings.filter((f) => !isAdvisory(f)).length + (result.code?.findings.length ?? 0);
  const audit: BomAudit = {
    findings: result.findings,
    ignored: options.showIgnored ? result.ignored : [],
    advisoriesChecked: !notReached(result, 'advisories'),
    advisorySource: result.advisorySource,
    otherFindings,
    ...(result.unknownAs ? { unknownAs: result.unknownAs } : {}),
  };
  return cyclonedxChunks({ project, dependencies, ...(manifests ? { manifests } : {}), reasons: reasonsOf(result), toolVersion: packageVersion(), now }, audit);
};
