/**
 * A sweep's re-match as a job: the stored packages of every unchanged repository against the current
 * advisories, without reading any repository again. The matching and the vulnerability rule run
 * where the job runs (a worker thread for the bot); advisories and registry are read on the main
 * thread (sources.ts), and the store is updated there with what comes back.
 *
 * Input: per repository its key, stored packages and ignore rules; `now`; the sources. Output: per
 * repository the open vulnerability findings and the ignored ones, or, when advisories could not be read at all, the
 * warning to report (then nothing was re-checked and nothing may be marked fixed).
 */
import { groupHits } from '../../advisories/aliases.js';
import { lookUpAliasRatings } from '../../advisories/alias-severity.js';
import { unreadableRangeWarnings } from '../../advisories/match.js';
import { checkUncomparableVersions, findUncomparable } from '../../advisories/uncompared-versions.js';
import type { OsvRecord, PackageQuery } from '../../advisories/types.js';
import type { PackageUse } from '../../audit/context.js';
import type { Finding } from '../../audit/findings.js';
import { applyIgnores, type IgnoreRule } from '../../audit/ignores.js';
import { vulnerabilityFindings } from '../../audit/rules/vulnerabilities.js';
import { errorLine } from '../../error-line.js';
import type { ProjectInfo } from '../../python/pypi.js';
import type { StoredPackage } from '../../store/watches.js';
import { packageUsesOf } from '../../watch/packages.js';
import type { TaskContext } from '../serve.js';
import { remoteSources, type SourceInfo } from './sources.js';

export const REMATCH_TASK = 'rematch';

export interface RematchRequest {
  repos: { key: string; packages: StoredPackage[]; ignores: IgnoreRule[] }[];
  now: Date;
}

/** `warnings`: what was re-checked with less than it should have (unrated advisories not looked up in their aliases). */
export type RematchOutcome = { ok: true; findings: RematchedRepo[]; warnings: string[] } | { ok: false; warning: string };

/**
 * One repository's open vulnerability findings, and those its ignores cover (`ignoredBy` set): still
 * there, so the sweep closes them as ignored, never as fixed (absent from an older worker's answer).
 */
export interface RematchedRepo {
  key: string;
  findings: Finding[];
  ignored?: Finding[];
}

export type RematchJob = RematchRequest & { sources: SourceInfo };

/** Package advisories read at once (each one a call to the main thread, which may go to OSV). */
const PACKAGE_READS_AT_ONCE = 8;

export async function runRematch(job: RematchJob, context: TaskContext): Promise<RematchOutcome> {
  const { advisories, registry } = remoteSources(context, job.sources);
  const { now } = job;
  const queries = new Map<string, PackageQuery>();
  for (const repo of job.repos) for (const p of repo.packages) queries.set(`${p.name}@${p.version}`, { name: p.name, version: p.version });

  let hits: Map<string, OsvRecord[]>;
  try {
    // Alias ratings are looked up below: a remote source starts them as each package's records arrive.
    hits = await advisories.affecting([...queries.values()], { prefetchAliasRatings: true });
  } catch (err) {
    return { ok: false, warning: `advisories unavailable (${errorLine(err)}): unchanged repositories were not re-checked` };
  }
  // Pins that are not PEP 440: their exact listed spellings are hits, the ranges a question left open.
  const uncompared = await checkUncomparableVersions(advisories, findUncomparable([...queries.values()]), hits);
  const vulnerable = [...new Set([...queries.values()].filter((q) => (hits.get(`${q.name}@${q.version}`)?.length ?? 0) > 0).map((q) => q.name))];
  const packageAdvisories = new Map<string, OsvRecord[]>();
  for (let i = 0; i < vulnerable.length; i += PACKAGE_READS_AT_ONCE) {
    await Promise.all(
      vulnerable.slice(i, i + PACKAGE_READS_AT_ONCE).map(async (name) => {
        try {
          packageAdvisories.set(name, await advisories.forPackage(name));
        } catch {
          // Fix versions fall back to the records that hit; the findings themselves stand.
        }
      }),
    );
  }
  // Hits through a range that cannot be read are reported (fail closed), and said to be guesses.
  const warnings: string[] = [...unreadableRangeWarnings([...queries.values()], hits), ...uncompared.warnings];
  const hitGroups = groupHits(hits);
  const ratings = await lookUpAliasRatings(advisories, hitGroups.values());
  if (ratings.failure !== null) warnings.push(`advisory ratings unavailable (${ratings.failure}): unrated advisories were not looked up in their aliases' records`);
  let projects: Map<string, ProjectInfo | null> | null = null;
  // Only fix versions read the releases (rounded up to a real, non-yanked one): a project PyPI did
  // not answer for falls back to the advisories' versions, and costs the others nothing.
  if (registry && vulnerable.length > 0) projects = (await registry.projectsSettled(vulnerable).catch(() => null))?.found ?? null;

  // Fleets repeat themselves: the same release pinned at the same place gives the same findings,
  // so each distinct package use is evaluated once, however many repositories share it.
  const memo = new Map<string, Finding[]>();
  const findingsOf = (use: PackageUse): Finding[] => {
    if (!hits.get(`${use.name}@${use.version}`)?.length) return [];
    const signature = JSON.stringify([use.name, use.version, use.direct, use.entries.map((e) => [e.file, e.line, e.kind, e.direct, e.specifier, e.group])]);
    let found = memo.get(signature);
    if (!found) {
      found = vulnerabilityFindings({ now, manifests: [], dependencies: use.entries, packages: [use], unpinned: [], registry: projects, registryAsked: registry !== null, hits, hitGroups, aliasRecords: ratings.records, packageAdvisories, contextFiles: [] });
      memo.set(signature, found);
    }
    return found;
  };
  return {
    ok: true,
    warnings,
    findings: job.repos.map(({ key, packages, ignores }) => {
      const { findings: marked } = applyIgnores(packageUsesOf(packages).flatMap(findingsOf), ignores, now);
      return { key, findings: marked.filter((f) => !f.ignoredBy), ignored: marked.filter((f) => f.ignoredBy) };
    }),
  };
}
