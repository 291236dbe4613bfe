/** The contract's JSON (see README, "CLI JSON"): add fields freely, never rename or drop one. */
import { DEFAULT_UNKNOWN_AS, findingJson, fixJson } from '../audit/findings.js';
import { extractErrorJson, partialReasonJson, reasonsOf } from '../audit/partial.js';
import type { ChunkedRenderer, Renderer } from './interface.js';
import { codeScanJson } from '../scan/json.js';
import { jsonChunks, lazyMap, streamed } from './json-chunks.js';
import { packageHeadline, vulnerablePackages, type PackageGroup } from './packages.js';

/** One entry per vulnerable release: the upgrade that clears its advisories, and where it is. */
function packageJson(g: PackageGroup) {
  return {
    package: g.package,
    version: g.version,
    severity: g.severity,
    malicious: g.malicious,
    headline: packageHeadline(g),
    advisories: g.findings.map((f) => f.id ?? null),
    // Made by itself: a copy of a finding ({ ...finding, fix }) given to findingJson made a whole
    // finding's JSON (and the copy) per vulnerable package for its fix alone.
    fix: fixJson(g.fix),
    // Absent fields left undefined, which JSON.stringify leaves out, as findingJson does (a spread
    // of a conditional object is a new object and a copy per field).
    locations: g.locations.map((l) => ({ file: l.file, line: l.line, role: l.role, specifier: l.specifier })),
    locations_omitted: g.locationsOmitted || undefined,
  };
}

/** The report in pieces, findings made one at a time (see json-chunks.ts); the CLI writes these. */
export const renderJsonChunks: ChunkedRenderer = function* (result) {
  const unknownAs = result.unknownAs ?? DEFAULT_UNKNOWN_AS;
  const json = {
    target: result.target,
    dependencies: result.dependencies,
    findings: streamed(lazyMap(result.findings, (f) => findingJson(f, unknownAs))),
    ignored: streamed(lazyMap(result.ignored, (f) => findingJson(f, unknownAs))),
    notes: result.notes.map((n) => ({ kind: n.kind, message: n.message })),
    errors: result.errors.map(extractErrorJson),
    warnings: result.warnings,
    notices: result.notices,
    // What `exclude:` in .depwatch.yml kept out, per entry (each also one of `notices`): not partial, never silent.
    excluded: (result.exclusions ?? []).map((e) => ({ path: e.path, reason: e.reason, source: e.source, manifests: e.manifests, ...(e.files !== undefined ? { files: e.files } : {}) })),
    partial: result.partial,
    partial_reasons: reasonsOf(result).map(partialReasonJson),
    advisory_source: result.advisorySource,
    advisory_data: result.advisoryData ? { newest_modified: result.advisoryData.newestModified, age_days: result.advisoryData.ageDays, last_sync: result.advisoryData.lastSync, last_sync_kind: result.advisoryData.lastSyncKind } : null,
    unknown_as: unknownAs,
    vulnerable_packages: streamed(lazyMap(vulnerablePackages(result.findings), packageJson)),
    // Code and configuration findings (kinds code, secret, file, runtime); null when not scanned (--no-code).
    code: result.code ? codeScanJson(result.code) : null,
  };
  yield* jsonChunks(json);
  yield '\n';
};

export const renderJson: Renderer = (result, options) => [...renderJsonChunks(result, options)].join('');
