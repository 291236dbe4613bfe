/**
 * The data sources of an audit across the worker boundary. The reading (OSV, the SQLite mirror,
 * PyPI) stays on the main thread, in `sourceHandlers`; the worker sees an AdvisorySource and a
 * PackageRegistry (`remoteSources`) that ask for what they need and do the matching themselves.
 *
 * What crosses, in each direction (all structured-clone data):
 * - `advisories.candidates`: { queries: PackageQuery[], options: AffectingOptions } → { records: Map<queryKey, OsvRecord[]>, matched, kind, notices, warnings }
 *   (`matched` when the source could only give its own matches: a source without `candidates`);
 * - `advisories.forPackage`: a package name → { records: OsvRecord[], kind, notices, warnings };
 * - `advisories.byIds`: advisory ids → Map<id, OsvRecord> (rating unrated advisories from their aliases);
 * - `registry.projects`: package names → { found: Map<name, ProjectInfo | null>, failed: { name, error: WireError }[] }
 *   (each project the registry did not answer for, its error as one line: no stack crosses);
 * How old a local copy's data is (`freshness`) travels once, in the job's SourceInfo.
 * `kind`, `notices` and `warnings` travel with every advisory answer because a fallback source
 * changes them (OSV failed, the mirror answered, perhaps a stale one) and the report must say so.
 */
import { matchCandidates } from '../../advisories/match.js';
import type { AdvisoryFreshness } from '../../advisories/freshness.js';
import type { AdvisorySource, AffectingOptions, OsvRecord, PackageQuery } from '../../advisories/types.js';
import type { PackageRegistry, RegistryAnswer } from '../../audit/registry-read.js';
import type { ProjectInfo } from '../../python/pypi.js';
import type { JobHandlers } from '../pool.js';
import { fromWireError, toWireError, type WireError } from '../protocol.js';
import type { TaskContext } from '../serve.js';

export interface DataSources {
  advisories: AdvisorySource;
  /** Null: outdated and yanked checks are skipped (offline). */
  registry: PackageRegistry | null;
}

/** What a job's input says about its sources, so the worker can stand in for them. */
export interface SourceInfo {
  advisoryKind: AdvisorySource['kind'];
  hasRegistry: boolean;
  /** The source can look records up by id (AdvisorySource.byIds). */
  hasByIds: boolean;
  /** AdvisorySource.freshness() when the job started (a mirror's data age), null for a live service. */
  freshness: AdvisoryFreshness | null;
}

interface AdvisoryState {
  kind: AdvisorySource['kind'];
  notices: string[];
  warnings: string[];
}

type CandidatesAnswer = AdvisoryState & { records: Map<string, OsvRecord[]>; matched: boolean };
type ForPackageAnswer = AdvisoryState & { records: OsvRecord[] };
/** RegistryAnswer as it crosses: the failures' errors as WireErrors (a name and one line). */
type ProjectsAnswer = { found: Map<string, ProjectInfo | null>; failed: { name: string; error: WireError }[] };

const METHODS = {
  candidates: 'advisories.candidates',
  forPackage: 'advisories.forPackage',
  byIds: 'advisories.byIds',
  projects: 'registry.projects',
} as const;

export function sourceInfo(sources: DataSources): SourceInfo {
  return {
    advisoryKind: sources.advisories.kind,
    hasRegistry: sources.registry !== null,
    hasByIds: typeof sources.advisories.byIds === 'function',
    freshness: sources.advisories.freshness?.() ?? null,
  };
}

/** Main thread: answers the worker's questions from the real sources. */
export function sourceHandlers(sources: DataSources): JobHandlers {
  const { advisories, registry } = sources;
  const state = (): AdvisoryState => ({ kind: advisories.kind, notices: advisories.notices?.() ?? [], warnings: advisories.warnings?.() ?? [] });
  return {
    [METHODS.candidates]: async ({ queries, options }: { queries: PackageQuery[]; options: AffectingOptions }): Promise<CandidatesAnswer> =>
      advisories.candidates
        ? { records: await advisories.candidates(queries, options), matched: false, ...state() }
        : { records: await advisories.affecting(queries, options), matched: true, ...state() },
    [METHODS.forPackage]: async (name: string): Promise<ForPackageAnswer> => ({ records: await advisories.forPackage(name), ...state() }),
    [METHODS.byIds]: async (ids: string[]): Promise<Map<string, OsvRecord>> => {
      if (!advisories.byIds) throw new Error('this advisory source cannot look records up by id');
      return advisories.byIds(ids);
    },
    [METHODS.projects]: async (names: string[]): Promise<ProjectsAnswer> => {
      if (!registry) throw new Error('no package registry for this audit');
      const { found, failed } = await registry.projectsSettled(names);
      return { found, failed: failed.map(({ name, error }) => ({ name, error: toWireError(error) })) };
    },
  };
}

/** Worker: an advisory source and a registry that ask the main thread, and match here. */
export function remoteSources(context: TaskContext, info: SourceInfo): DataSources {
  const advisories = new RemoteAdvisorySource(context, info.advisoryKind, info.freshness);
  // byIds only where the real source has it: without it, alias ratings are simply not looked up.
  if (!info.hasByIds) advisories.byIds = undefined;
  return { advisories, registry: info.hasRegistry ? new RemoteRegistry(context) : null };
}

class RemoteAdvisorySource implements AdvisorySource {
  private latest: string[] = [];
  private latestWarnings: string[] = [];

  constructor(
    private readonly context: TaskContext,
    public kind: AdvisorySource['kind'],
    private readonly dataFreshness: AdvisoryFreshness | null,
  ) {}

  async affecting(queries: PackageQuery[], options: AffectingOptions = {}): Promise<Map<string, OsvRecord[]>> {
    const answer = this.remember(await this.context.call<CandidatesAnswer>(METHODS.candidates, { queries, options }));
    return answer.matched ? answer.records : matchCandidates(queries, answer.records);
  }

  async forPackage(name: string): Promise<OsvRecord[]> {
    return this.remember(await this.context.call<ForPackageAnswer>(METHODS.forPackage, name)).records;
  }

  byIds?: (ids: string[]) => Promise<Map<string, OsvRecord>> = (ids) => this.context.call<Map<string, OsvRecord>>(METHODS.byIds, ids);

  freshness(): AdvisoryFreshness | null {
    return this.dataFreshness;
  }

  notices(): string[] {
    return this.latest;
  }

  warnings(): string[] {
    return this.latestWarnings;
  }

  private remember<T extends AdvisoryState>(answer: T): T {
    this.kind = answer.kind;
    this.latest = answer.notices;
    this.latestWarnings = answer.warnings;
    return answer;
  }
}

class RemoteRegistry implements PackageRegistry {
  constructor(private readonly context: TaskContext) {}

  async projectsSettled(names: string[]): Promise<RegistryAnswer> {
    const { found, failed } = await this.context.call<ProjectsAnswer>(METHODS.projects, names);
    return { found, failed: failed.map(({ name, error }) => ({ name, error: fromWireError(error) })) };
  }
}

/** A TaskContext that calls the handlers directly: the same job code, run on this thread. */
export function localContext(handlers: JobHandlers): TaskContext {
  return {
    call: async <T>(method: string, arg?: unknown) => {
      const handler = Object.hasOwn(handlers, method) ? handlers[method] : undefined;
      if (!handler) throw new Error(`nothing answers "${method}"`);
      return (await handler(arg as never)) as T;
    },
  };
}
