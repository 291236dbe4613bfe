/**
 * One audit: dependencies + data sources → findings. I/O happens only through the injected advisory
 * source and registry, so the CLI, the slash command and the scheduler share this, and tests drive
 * it with fakes. A failing data source degrades the result (marked partial), never aborts it.
 */
import type { AdvisorySource, OsvRecord, PackageQuery } from '../advisories/types.js';
import { errorLine } from '../error-line.js';
import { plural } from '../plural.js';
import { failureList } from '../failure-list.js';
import type { LoadResult } from '../python/load.js';
import type { ProjectInfo } from '../python/releases.js';
import type { ExtractError } from '../python/types.js';
import type { ScanResult } from '../scan/types.js';
import { installedPackages, registryPackages, unpinnedRequirements, type AuditContext } from './context.js';
import { groupHits } from '../advisories/aliases.js';
import { unreadableRangeWarnings } from '../advisories/match.js';
import { checkUncomparableVersions, findUncomparable } from '../advisories/uncompared-versions.js';
import { lookUpAliasRatings } from '../advisories/alias-severity.js';
import { dataAge, describeDataAge, type AdvisoryDataAge } from '../advisories/freshness.js';
import { DEFAULT_UNKNOWN_AS, sortFindings, type Finding, type RatedSeverity } from './findings.js';
import { describeExclusion, type Exclusion } from './exclude.js';
import type { DepwatchFile } from './ignore-file.js';
import { applyIgnores, type IgnoreNote, type IgnoreRule } from './ignores.js';
import { fixesWithoutIgnored } from './ignored-fix.js';
import { partialReasons, type PartialReason, type UnreachedSource } from './partial.js';
import { extraIndexUrlFindings } from './rules/extra-index-url.js';
import { noHashesFindings } from './rules/no-hashes.js';
import { incompleteHashesFindings } from './rules/incomplete-hashes.js';
import { noLockfileFindings } from './rules/no-lockfile.js';
import { notOnIndexFindings } from './rules/not-on-index.js';
import { nonRegistrySourceFindings } from './rules/non-registry-source.js';
import { pythonEolFindings, pythonEolReads } from './rules/python-eol.js';
import { registryFindings } from './rules/registry.js';
import { typosquatFindings, auditTyposquatChecker } from './rules/typosquat.js';
import { resolvedRangeFindings } from './rules/resolved-range.js';
import { unpinnedFindings } from './rules/unpinned.js';
import type { PopularName } from '../packages/typosquat/popularity.js';
import { vulnerabilityFindings } from './rules/vulnerabilities.js';

import { OFFLINE_REGISTRY_NOTICE, readRegistry, type PackageRegistry } from './registry-read.js';

export { OFFLINE_REGISTRY_NOTICE, type PackageRegistry };

export interface AuditInput {
  /** What was audited, for reports: a directory, or `owner/repo@sha`. */
  target: string;
  load: LoadResult;
  /** Interpreter files and `.depwatch.yml` (see isProjectContextPath), with their text. */
  contextFiles: { path: string; text: string }[];
  /** The tree's `.depwatch.yml` (the first of CONFIG_FILES it has), parsed once where the tree is read (readTree); null without one. */
  settings: DepwatchFile | null;
  advisories: AdvisorySource;
  /** Null when offline: outdated, yanked and not-on-index checks are skipped, and the report says so (OFFLINE_REGISTRY_NOTICE). */
  registry: PackageRegistry | null;
  /** Ignores from outside the tree (a channel's), applied with the tree's own. */
  extraIgnores?: IgnoreRule[];
  /** What `exclude:` in the tree's `.depwatch.yml` left unread (readTree): said in `notices`. */
  exclusions?: Exclusion[];
  /** `exclude:` entries that keep nothing out (readTree): said in `notes`, as stale ignores are. */
  excludeNotes?: string[];
  /** How unrated advisories count for ordering (and, in the caller, gating); default DEFAULT_UNKNOWN_AS. */
  unknownAs?: RatedSeverity;
  now: Date;
  /**
   * Names more popular than a stranger's, beyond the shipped list (every package the watched
   * repositories use): the typosquat rule's targets. Plain data, so it crosses to a worker thread.
   */
  knownNames?: PopularName[];
  onProgress?: (message: string) => void;
  /**
   * Called once the vulnerabilities are known, before the registry has answered: a result whose
   * outdated and yanked checks are `pending` (so it is partial and says what is still coming). Not
   * called when the registry answered first, or when there is none. The audit's own result (the
   * promise) is always the complete one.
   */
  onFirstStage?: (result: AuditResult) => void | Promise<void>;
}

export interface AuditResult {
  target: string;
  /** Distinct packages found (names). */
  dependencies: number;
  /** Findings not covered by an ignore, worst first. */
  findings: Finding[];
  ignored: Finding[];
  notes: IgnoreNote[];
  errors: ExtractError[];
  /** Data sources that failed (each also a partial reason). */
  warnings: string[];
  /** Where answers came from when it is not the usual place (a fallback to the mirror), and what `exclude:` left unread. */
  notices: string[];
  /**
   * Each `exclude:` entry of the tree's `.depwatch.yml` that left something unread, with how much
   * (each also one of `notices`). Absent when nothing was excluded, and in results from before it existed.
   */
  exclusions?: Exclusion[];
  /** True when anything was not read, not found or not reached: see partialReasons (src/audit/partial.ts). */
  partial: boolean;
  /** Why the result is partial; absent in audits stored before it existed (their `warnings` say why). */
  partialReasons?: PartialReason[];
  /**
   * Checks not done yet because a later stage brings them (a staged Slack reply's first update):
   * such a result is partial, and a complete one follows. Absent or empty in a complete result.
   */
  pending?: string[];
  advisorySource: AdvisorySource['kind'];
  /** How old the advisory data was when a local copy (the mirror) answered; null for the live OSV API. */
  advisoryData?: AdvisoryDataAge | null;
  /** How unrated advisories were ordered and count for gating; absent in audits stored before it existed (DEFAULT_UNKNOWN_AS). */
  unknownAs?: RatedSeverity;
  /**
   * Code and configuration findings of the same tree (src/scan), joined by withCodeScan
   * (src/audit/code-scan.ts); absent when the code was not scanned (--no-code, or a result from
   * before scanning existed).
   */
  code?: ScanResult;
}

export async function runAudit(input: AuditInput): Promise<AuditResult> {
  const progress = input.onProgress ?? (() => {});
  const dependencies = input.load.manifests.flatMap((m) => m.dependencies);
  const packages = installedPackages(dependencies);
  const warnings: string[] = [];
  // The warnings that say a source was not reached (rather than what its data said): marked
  // transient where they are made, so a sweep knows the same audit again may succeed.
  const unreached = new Map<string, UnreachedSource>();
  const notReached = (list: string[], source: UnreachedSource, message: string): void => {
    list.push(message);
    unreached.set(message, source);
  };

  progress(`checking ${plural(packages.length, 'pinned release')} against ${input.advisories.kind === 'mirror' ? 'the local advisory mirror' : 'OSV'}`);
  const queries: PackageQuery[] = packages.map((p) => ({ name: p.name, version: p.version }));
  const unpinned = unpinnedRequirements(dependencies);
  // Found once: the source is told of their packages first, whose lists are then read.
  const uncomparable = findUncomparable(queries);
  let hits = new Map<string, OsvRecord[]>();
  let advisoriesOk = true;
  try {
    // The unpinned requirements' whole lists are asked for below: a remote source learns them now.
    // The alias ratings are looked up next: a remote source starts them as each package's records arrive.
    // So are the packages pinned to a version that is not PEP 440, whose lists are read next.
    hits = await input.advisories.affecting(queries, { listPackages: [...unpinned.map((d) => d.name), ...uncomparable.names], prefetchAliasRatings: true });
  } catch (err) {
    advisoriesOk = false;
    notReached(warnings, 'advisories', `advisories unavailable (${errorLine(err)}): vulnerabilities were NOT checked`);
  }
  if (advisoriesOk) {
    // A pin that is not PEP 440 cannot be placed in an advisory's ranges: "not affected" is unknown
    // there, and the result says so (fail closed); its exact listed spellings become hits.
    const uncompared = await checkUncomparableVersions(input.advisories, uncomparable, hits);
    for (const w of uncompared.warnings) {
      if (uncompared.notReached.includes(w)) notReached(warnings, 'advisory-details', w);
      else warnings.push(w);
    }
  }
  // Hits through a range that cannot be read are reported (fail closed), and the result is partial.
  for (const w of unreadableRangeWarnings(queries, hits)) warnings.push(w);

  const hitGroups = groupHits(hits);
  const vulnerable = new Set(packages.filter((p) => (hits.get(`${p.name}@${p.version}`)?.length ?? 0) > 0).map((p) => p.name));
  const wantAdvisories = [...new Set([...vulnerable, ...unpinned.map((d) => d.name)])];

  const wantRegistry = [...new Set([...registryPackages(packages).map((p) => p.name), ...unpinned.map((d) => d.name)])];
  progress(`reading release data for ${plural(wantRegistry.length, 'package')}`);
  // The registry is the slow part (one request per package) and only the outdated, yanked and not-on-index checks
  // need it, so it is read while the advisory details are, and the first stage does not wait for it.
  // Not before the querybatch: PyPI's answers, parsed on this thread 32 at a time, would compete
  // for the CPU with the work the first stage waits for.
  const registryWarnings: string[] = [];
  let registryDone = false;
  const registryRead = readRegistry(input.registry, wantRegistry, (message) => notReached(registryWarnings, 'registry', message)).finally(() => {
    registryDone = true;
  });
  const detailWarnings: string[] = [];
  const [packageAdvisories, aliasRatings] = await Promise.all([
    advisoriesOk ? fetchPackageAdvisories(input.advisories, wantAdvisories, (message) => notReached(detailWarnings, 'advisory-details', message)) : new Map<string, OsvRecord[]>(),
    // Unrated advisories take the rating of their GHSA / CVE aliases' records where those have one.
    lookUpAliasRatings(input.advisories, hitGroups.values()),
  ]);
  if (aliasRatings.failure !== null) {
    notReached(detailWarnings, 'ratings', `advisory ratings unavailable (${aliasRatings.failure}): unrated advisories were not looked up in their aliases' records`);
  }

  // The fix advice quotes what `depwatch fix` writes in a Pipfile or pyproject.toml (whose texts the
  // loader keeps): the rewriters, and the TOML parser they bring, load only for such trees, which an
  // audit of requirements files must not pay for (test/cli/startup.test.ts).
  const entryRewriter = input.load.manifests.some((m) => m.text !== undefined) ? (await import('../fix/entry-text.js')).createEntryRewriter() : undefined;
  // The same for the interpreter readers, which a tree with no interpreter file and no requires-python never needs.
  const interpreter = pythonEolReads({ contextFiles: input.contextFiles, manifests: input.load.manifests }) ? await import('../python/interpreter.js') : undefined;
  const typosquat = auditTyposquatChecker(input.knownNames);
  const exclusions = (input.exclusions ?? []).filter((e) => e.manifests > 0);
  const ignoreFile = input.settings ?? { rules: [], notes: [] };
  const resultWith = (registry: Map<string, ProjectInfo | null> | null, auditWarnings: string[], pending: string[]): AuditResult => {
    // What the advisory source could not vouch for (a stale mirror standing in for OSV) fails as a data source does.
    const allWarnings = [...(input.advisories.warnings?.() ?? []), ...auditWarnings];
    const ctx: AuditContext = {
      now: input.now,
      manifests: input.load.manifests,
      dependencies,
      packages,
      unpinned,
      registry,
      registryAsked: input.registry !== null,
      hits,
      hitGroups,
      aliasRecords: aliasRatings.records,
      packageAdvisories,
      contextFiles: input.contextFiles,
      typosquat,
      ...(entryRewriter ? { entryRewriter } : {}),
      ...(interpreter ? { interpreter } : {}),
    };
    const all = [
      ...vulnerabilityFindings(ctx),
      ...resolvedRangeFindings(ctx),
      ...registryFindings(ctx),
      ...notOnIndexFindings(ctx),
      ...unpinnedFindings(ctx),
      ...noLockfileFindings(ctx),
      ...noHashesFindings(ctx),
      ...incompleteHashesFindings(ctx),
      ...nonRegistrySourceFindings(ctx),
      ...extraIndexUrlFindings(ctx),
      ...pythonEolFindings(ctx),
      ...typosquatFindings(ctx),
    ];

    const { rules, notes: fileNotes } = ignoreFile;
    const ignoring = applyIgnores(all, [...rules, ...(input.extraIgnores ?? [])], input.now);
    // A release with ignored advisories moves only as far as the others need.
    const findings = fixesWithoutIgnored(ignoring.findings, ctx);
    const notes = ignoring.notes;
    const unknownAs = input.unknownAs ?? DEFAULT_UNKNOWN_AS;
    const freshnessNow = input.advisories.freshness?.() ?? null;
    const freshness = freshnessNow ? dataAge(freshnessNow, input.now) : null;
    const reasons = partialReasons({ errors: input.load.errors, manifestsRead: input.load.manifests.length, warnings: allWarnings, unreached });
    const sorted = sortFindings(findings, unknownAs);
    return {
      target: input.target,
      dependencies: new Set(dependencies.filter((d) => d.name).map((d) => d.name)).size,
      findings: sorted.filter((f) => !f.ignoredBy),
      ignored: sorted.filter((f) => f.ignoredBy),
      notes: [...fileNotes, ...(input.excludeNotes ?? []).map((message) => ({ kind: 'stale' as const, message })), ...notes],
      errors: input.load.errors,
      warnings: allWarnings,
      notices: [
        ...(input.advisories.notices?.() ?? []),
        ...(freshness ? [describeDataAge(freshness)] : []),
        // Said, not hidden; a notice, not a partial reason: the user chose not to ask PyPI.
        ...(input.registry === null ? [OFFLINE_REGISTRY_NOTICE] : []),
        // The same for what the user excluded: their decision, so not partial, and never silent.
        ...exclusions.map((e) => describeExclusion(e)),
        // What discovery passed over by name (a `.in` that may be a pip-tools input): said, not partial.
        ...(input.load.notices ?? []),
      ],
      ...(exclusions.length ? { exclusions } : {}),
      // Fail closed: a result with checks still to come is not a complete one, whoever reads it.
      partial: reasons.length > 0 || pending.length > 0,
      partialReasons: reasons,
      ...(pending.length ? { pending } : {}),
      advisorySource: input.advisories.kind,
      advisoryData: freshness,
      unknownAs,
    };
  };

  // A registry answering from its cache (a repeat audit) is done within a turn of the event loop:
  // then there is nothing to stage, and the reply is edited once.
  if (input.onFirstStage && input.registry && !registryDone) await new Promise((resolve) => setImmediate(resolve));
  if (input.onFirstStage && input.registry && !registryDone) {
    await input.onFirstStage(resultWith(null, [...warnings, ...detailWarnings], [REGISTRY_PENDING]));
  }
  const registry = await registryRead;
  return resultWith(registry, [...warnings, ...registryWarnings, ...detailWarnings], []);
}


/** What a first stage leaves for the second: the checks that need the package registry. */
export const REGISTRY_PENDING = 'outdated and yanked releases and packages not on the index (reading PyPI)';

/**
 * Every package's advisories; those that failed are said in one warning naming them sorted, with
 * the first one's error, so the partial reason reads the same whichever failed first.
 */
async function fetchPackageAdvisories(source: AdvisorySource, names: string[], notReached: (warning: string) => void) {
  const out = new Map<string, OsvRecord[]>();
  const settled = await Promise.allSettled(names.map(async (n) => out.set(n, await source.forPackage(n))));
  const failed = failureList(
    names.flatMap((name, i) => {
      const outcome = settled[i]!;
      return outcome.status === 'rejected' ? [{ name, error: outcome.reason as unknown }] : [];
    }),
  );
  if (failed?.count === 1) notReached(`advisory details unavailable (${failed.firstLine}): fix versions may be incomplete`);
  else if (failed !== null) notReached(`advisory details unavailable for ${failed.count} packages (${failed.names}: ${failed.firstLine}): fix versions may be incomplete`);
  return out;
}
