/**
 * One audit: dependencies + data sources → findings. I/O happens only through the injected advisory
 * source and registry, so the CLI, the slash command and the scheduler share this, and tests drive
 * it with fakes. A failing data source degrades the result (marked partial), never aborts it.
 */
import type { AdvisorySource, OsvRecord, PackageQuery } from '../advisories/types.js';
import type { LoadResult } from '../python/load.js';
import type { ProjectInfo } from '../python/pypi.js';
import type { ExtractError } from '../python/types.js';
import { installedPackages, unpinnedRequirements, type AuditContext } from './context.js';
import { compareFindings, type Finding } from './findings.js';
import { applyIgnores, parseIgnoreFile, type IgnoreNote, type IgnoreRule } from './ignores.js';
import { extraIndexUrlFindings } from './rules/extra-index-url.js';
import { noHashesFindings } from './rules/no-hashes.js';
import { noLockfileFindings } from './rules/no-lockfile.js';
import { nonRegistrySourceFindings } from './rules/non-registry-source.js';
import { pythonEolFindings } from './rules/python-eol.js';
import { registryFindings } from './rules/registry.js';
import { unpinnedFindings } from './rules/unpinned.js';
import { vulnerabilityFindings } from './rules/vulnerabilities.js';

/** What the audit needs from a package registry (PyPI or a mirror). */
export interface PackageRegistry {
  projects(names: string[]): Promise<Map<string, ProjectInfo | null>>;
}

export interface AuditInput {
  /** What was audited, for reports: a directory, or `owner/repo@sha`. */
  target: string;
  load: LoadResult;
  /** Interpreter files and `.depwatch.yml` (see isProjectContextPath), with their text. */
  contextFiles: { path: string; text: string }[];
  advisories: AdvisorySource;
  /** Null when offline: outdated and yanked checks are skipped, and the report says so. */
  registry: PackageRegistry | null;
  /** Ignores from outside the tree (a channel's), applied with the tree's own. */
  extraIgnores?: IgnoreRule[];
  now: Date;
  onProgress?: (message: string) => void;
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
  /** Data sources that failed; the result is partial when any is listed. */
  warnings: string[];
  /** Where answers came from when it is not the usual place (a fallback to the mirror). */
  notices: string[];
  partial: boolean;
  advisorySource: AdvisorySource['kind'];
}

const IGNORE_FILES = ['.depwatch.yml', '.depwatch.yaml'];

export async function runAudit(input: AuditInput): Promise<AuditResult> {
  const progress = input.onProgress ?? (() => {});
  const dependencies = input.load.manifests.flatMap((m) => m.dependencies);
  const packages = installedPackages(dependencies);
  const warnings: string[] = [];

  progress(`checking ${packages.length} pinned releases against ${input.advisories.kind === 'mirror' ? 'the local advisory mirror' : 'OSV'}`);
  const queries: PackageQuery[] = packages.map((p) => ({ name: p.name, version: p.version }));
  const unpinned = unpinnedRequirements(dependencies);
  let hits = new Map<string, OsvRecord[]>();
  let advisoriesOk = true;
  try {
    // The unpinned requirements' whole lists are asked for below: a remote source learns them now.
    hits = await input.advisories.affecting(queries, { listPackages: unpinned.map((d) => d.name) });
  } catch (err) {
    advisoriesOk = false;
    warnings.push(`advisories unavailable (${messageOf(err)}): vulnerabilities were NOT checked`);
  }

  const vulnerable = new Set(packages.filter((p) => (hits.get(`${p.name}@${p.version}`)?.length ?? 0) > 0).map((p) => p.name));
  const wantAdvisories = [...new Set([...vulnerable, ...unpinned.map((d) => d.name)])];
  const wantRegistry = [...new Set([...packages.map((p) => p.name), ...unpinned.map((d) => d.name)])];

  progress(`reading release data for ${wantRegistry.length} packages`);
  const [registry, packageAdvisories] = await Promise.all([
    fetchRegistry(input.registry, wantRegistry, warnings),
    advisoriesOk ? fetchPackageAdvisories(input.advisories, wantAdvisories, warnings) : new Map<string, OsvRecord[]>(),
  ]);

  const ctx: AuditContext = {
    now: input.now,
    manifests: input.load.manifests,
    dependencies,
    packages,
    unpinned,
    registry,
    hits,
    packageAdvisories,
    contextFiles: input.contextFiles,
  };
  const all = [
    ...vulnerabilityFindings(ctx),
    ...registryFindings(ctx),
    ...unpinnedFindings(ctx),
    ...noLockfileFindings(ctx),
    ...noHashesFindings(ctx),
    ...nonRegistrySourceFindings(ctx),
    ...extraIndexUrlFindings(ctx),
    ...pythonEolFindings(ctx),
  ];

  const { rules, notes: fileNotes } = readIgnores(input.contextFiles);
  const { findings, notes } = applyIgnores(all, [...rules, ...(input.extraIgnores ?? [])], input.now);
  const sorted = findings.sort(compareFindings);
  return {
    target: input.target,
    dependencies: new Set(dependencies.filter((d) => d.name).map((d) => d.name)).size,
    findings: sorted.filter((f) => !f.ignoredBy),
    ignored: sorted.filter((f) => f.ignoredBy),
    notes: [...fileNotes, ...notes],
    errors: input.load.errors,
    warnings,
    notices: input.advisories.notices?.() ?? [],
    partial: warnings.length > 0,
    advisorySource: input.advisories.kind,
  };
}

function readIgnores(files: { path: string; text: string }[]): { rules: IgnoreRule[]; notes: IgnoreNote[] } {
  const file = files.find((f) => IGNORE_FILES.includes(f.path));
  return file ? parseIgnoreFile(file.text, file.path) : { rules: [], notes: [] };
}

async function fetchRegistry(registry: PackageRegistry | null, names: string[], warnings: string[]) {
  if (!registry) return null;
  try {
    return await registry.projects(names);
  } catch (err) {
    warnings.push(`package registry unavailable (${messageOf(err)}): outdated and yanked releases were not checked`);
    return null;
  }
}

async function fetchPackageAdvisories(source: AdvisorySource, names: string[], warnings: string[]) {
  const out = new Map<string, OsvRecord[]>();
  try {
    await Promise.all(names.map(async (n) => out.set(n, await source.forPackage(n))));
  } catch (err) {
    warnings.push(`advisory details unavailable (${messageOf(err)}): fix versions may be incomplete`);
  }
  return out;
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message.split('\n')[0]! : String(err));
