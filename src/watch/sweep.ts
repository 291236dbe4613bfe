/**
 * A sweep over every watched repository: which ones moved (one GraphQL query per 100 repositories),
 * a snapshot and full audit of those only (bounded concurrency), and for the others a re-match of
 * their stored installed packages against refreshed advisories with no GitHub request at all. Each
 * repository's findings are diffed against what was open: new, still open, fixed (and by which commit).
 *
 * One bad repository never stops the sweep: its error is recorded on its state and in the result,
 * and its stored findings are left as they were (a failure is not a fix).
 */
import type { Octokit } from 'octokit';
import type { PackageRegistry } from '../audit/audit.js';
import { findingKey, type Finding } from '../audit/findings.js';
import type { IgnoreRule } from '../audit/ignores.js';
import { unreadFiles } from '../audit/partial.js';
import type { AdvisorySource } from '../advisories/types.js';
import { fetchHeads, HEADS_BATCH_SIZE, headKey, type HeadResult } from '../github/heads.js';
import type { RepoRef } from '../github/repo-ref.js';
import { takeSnapshot, type SnapshotOptions } from '../github/snapshot.js';
import type { Logger } from '../log.js';
import type { Db } from '../store/db.js';
import type { FindingRow, RepoStateRow, StoredPackage, WatchStore } from '../store/watches.js';
import { runHere, type AuditRunner } from '../workers/audit-runner.js';

export { packageUsesOf, storedPackagesOf } from './packages.js';

export const VULNERABILITY_KINDS: ReadonlySet<string> = new Set(['vulnerability', 'malicious']);
const REGISTRY_KINDS = new Set(['outdated', 'yanked']);
const ALL_KINDS = ['vulnerability', 'malicious', 'outdated', 'yanked', 'unpinned', 'no-lockfile', 'no-hashes', 'non-registry-source', 'extra-index-url', 'python-eol'];

export interface SweepOptions {
  store: WatchStore;
  octokit: Octokit;
  /** The database holding GitHub's blob cache (usually the same one as the store's). */
  db: Db;
  /** A source, or a function giving one per sweep (so a mirror that went stale is swapped for the API). */
  advisories: AdvisorySource | (() => AdvisorySource);
  registry: PackageRegistry | null;
  now: () => Date;
  /** Changed repositories audited at once. */
  concurrency?: number;
  /** Brings the advisory data up to date first (a mirror delta sync); failures are reported, not fatal. */
  refreshAdvisories?: () => Promise<void>;
  snapshot?: SnapshotOptions;
  /** Ignores kept outside the tree for a repository (the Slack Ignore… modal's, per repository). */
  repoIgnores?: (repoKey: string) => IgnoreRule[];
  /** Where parsing, matching and rules run (the bot: worker threads); default: this thread. */
  runner?: AuditRunner;
  logger?: Logger;
}

export interface SweepFailure {
  repo: string;
  message: string;
}

export interface SweepResult {
  startedAt: Date;
  finishedAt: Date;
  repos: number;
  /** Repositories whose HEAD moved (or that were never audited) and were audited in full. */
  audited: string[];
  /** Repositories re-matched against advisories without a GitHub request. */
  rematched: number;
  failed: SweepFailure[];
  added: FindingRow[];
  fixed: FindingRow[];
  stillOpen: number;
  /** Data sources that failed: the sweep is partial, and nothing was marked fixed on their account. */
  warnings: string[];
}

/** `owner/repo[@branch]` (a store key) → RepoRef. */
export function refOfKey(key: string): RepoRef {
  const at = key.indexOf('@');
  const base = at >= 0 ? key.slice(0, at) : key;
  const [owner = '', repo = ''] = base.split('/');
  return at >= 0 ? { owner, repo, branch: key.slice(at + 1) } : { owner, repo };
}

/** Runs at most `n` of the functions given to it at once, in the order given. */
function limiter(n: number): (fn: () => Promise<void>) => Promise<void> {
  let active = 0;
  const queue: (() => void)[] = [];
  return async (fn) => {
    if (active >= n) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      await fn();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message.split('\n')[0]! : String(err));

type ResolvedOptions = Omit<SweepOptions, 'advisories'> & { advisories: AdvisorySource };

export async function sweep(input: SweepOptions): Promise<SweepResult> {
  const options: ResolvedOptions = { ...input, advisories: typeof input.advisories === 'function' ? input.advisories() : input.advisories };
  const startedAt = options.now();
  const log = options.logger?.child({ component: 'sweep' });
  const { store } = options;
  const repos = store.watchedRepos();
  const result: SweepResult = { startedAt, finishedAt: startedAt, repos: repos.length, audited: [], rematched: 0, failed: [], added: [], fixed: [], stillOpen: 0, warnings: [] };
  if (repos.length === 0) return result;

  if (options.refreshAdvisories) {
    try {
      await options.refreshAdvisories();
    } catch (err) {
      result.warnings.push(`advisory refresh failed (${messageOf(err)}); matched against the data already held`);
    }
  }

  const refs = [...repos].map((key) => ({ key, ref: refOfKey(key) }));
  const states = store.repoStates(repos);
  const unchanged: { key: string; state: RepoStateRow; head: Extract<HeadResult, { ok: true }> }[] = [];
  const audits = limiter(Math.max(1, options.concurrency ?? 8));
  const pending: Promise<void>[] = [];
  // Heads come 100 repositories per GraphQL query (octokit paces those); audits of the repositories
  // that moved start as soon as their batch answers, so they overlap the remaining head queries.
  for (let start = 0; start < refs.length; start += HEADS_BATCH_SIZE) {
    const batch = refs.slice(start, start + HEADS_BATCH_SIZE);
    const heads = await fetchHeads(options.octokit, batch.map((b) => b.ref));
    for (const { key, ref } of batch) {
      const head = heads.get(headKey(ref));
      const state = states.get(key);
      if (!head || !head.ok) {
        const message = head?.message ?? `no answer from GitHub for ${key}`;
        store.markError(key, message, options.now());
        result.failed.push({ repo: key, message });
        continue;
      }
      if (state?.auditedSha && state.auditedSha === head.oid) {
        unchanged.push({ key, state, head });
        continue;
      }
      pending.push(
        audits(async () => {
          try {
            const diff = await auditRepository(options, key, ref, state);
            result.audited.push(key);
            collect(result, diff);
          } catch (err) {
            const message = messageOf(err);
            log?.warn({ repo: key, err: message }, 'sweep: repository failed');
            store.markError(key, message, options.now());
            result.failed.push({ repo: key, message });
          }
        }),
      );
    }
  }
  await Promise.all(pending);

  await rematch(options, unchanged, result);
  result.finishedAt = options.now();
  log?.info({ repos: repos.length, audited: result.audited.length, rematched: result.rematched, failed: result.failed.length, added: result.added.length, fixed: result.fixed.length }, 'sweep finished');
  return result;
}

function collect(result: SweepResult, diff: { added: FindingRow[]; fixed: FindingRow[]; stillOpen: FindingRow[] }): void {
  result.added.push(...diff.added);
  result.fixed.push(...diff.fixed);
  result.stillOpen += diff.stillOpen.length;
}

async function auditRepository(options: ResolvedOptions, key: string, ref: RepoRef, state: RepoStateRow | undefined) {
  const snapshot = await takeSnapshot(options.octokit, options.db, ref, { concurrency: 4, ...options.snapshot, ...(options.logger ? { logger: options.logger } : {}) });
  const now = options.now();
  const { result: audit, packages: readPackages, treeIgnores, readFiles } = await (options.runner ?? runHere).auditTree(
    {
      files: snapshot.files.map((f) => ({ path: f.path, text: f.text })),
      links: snapshot.links,
      target: `${snapshot.owner}/${snapshot.repo}@${snapshot.sha}`,
      now,
      extraErrors: snapshot.errors.map((e) => ({ file: e.path ?? '(tree)', line: null, message: e.message })),
      extraIgnores: options.repoIgnores?.(key) ?? [],
      forWatching: true,
    },
    { advisories: options.advisories, registry: options.registry },
  );
  // What the audit did not read, it cannot vouch for: those files' findings stay open, and their
  // last known packages are kept for the re-matching of unchanged repositories.
  const unread = unreadFiles(audit.errors);
  const read = new Set(readFiles ?? []);
  const packages = keepUnreadPackages(readPackages ?? [], state?.packages ?? [], (file) => (unread === null ? !read.has(file) : unread.has(file)));

  // A source that failed found nothing, which must not read as "fixed": leave those kinds alone.
  const kinds = new Set(ALL_KINDS);
  if (audit.warnings.some((w) => w.startsWith('advisories unavailable'))) for (const k of VULNERABILITY_KINDS) kinds.delete(k);
  if (audit.warnings.some((w) => w.startsWith('package registry unavailable'))) for (const k of REGISTRY_KINDS) kinds.delete(k);

  options.store.saveAudit({
    repo: key,
    display: ref.branch ? `${snapshot.owner}/${snapshot.repo}@${ref.branch}` : `${snapshot.owner}/${snapshot.repo}`,
    htmlUrl: snapshot.htmlUrl,
    private: snapshot.private,
    sha: snapshot.sha,
    packages,
    ignores: treeIgnores ?? [],
    dependencies: audit.dependencies,
    now,
  });
  return options.store.applyFindings({
    repo: key,
    findings: audit.findings,
    keyOf: findingKey,
    sha: snapshot.sha,
    now,
    kinds,
    baseline: !state?.auditedSha,
    // Files that could not be read hide their findings: keep what was open rather than call it fixed.
    closeMissing: unread !== null,
    mayClose: (f) => !findingFiles(f).some((file) => unread?.has(file)),
  });
}

/** Every file a finding was seen in: its primary place and, for vulnerabilities, every pin or lock entry. */
export function findingFiles(f: Finding): string[] {
  const locations = Array.isArray(f.details?.locations) ? f.details.locations.filter((l): l is string => typeof l === 'string').map((l) => l.replace(/:\d+$/, '')) : [];
  return [...new Set([...(f.file ? [f.file] : []), ...locations])];
}

/**
 * The packages to store after an audit: those read now, plus the previous audit's entries in files
 * not read this time (a lockfile that became unparseable still pins what it pinned, as far as
 * anyone knows), so re-matching keeps finding new advisories for them.
 */
export function keepUnreadPackages(current: StoredPackage[], previous: StoredPackage[], unread: (file: string) => boolean): StoredPackage[] {
  const byKey = new Map(current.map((p) => [`${p.name}@${p.version}`, { ...p, entries: [...p.entries] }]));
  for (const p of previous) {
    const kept = p.entries.filter((e) => unread(e.file));
    if (kept.length === 0) continue;
    const key = `${p.name}@${p.version}`;
    const now = byKey.get(key);
    if (now) {
      now.entries.push(...kept.filter((e) => !now.entries.some((x) => x.file === e.file && x.line === e.line)));
      now.direct ||= kept.some((e) => e.direct && e.kind !== 'constraint');
    } else {
      byKey.set(key, { name: p.name, version: p.version, direct: kept.some((e) => e.direct && e.kind !== 'constraint'), entries: kept });
    }
  }
  return [...byKey.values()];
}

/** Re-matches unchanged repositories' stored packages against the advisories, in one job. */
async function rematch(options: ResolvedOptions, repos: { key: string; state: RepoStateRow; head: Extract<HeadResult, { ok: true }> }[], result: SweepResult): Promise<void> {
  if (repos.length === 0) return;
  const now = options.now();
  const outcome = await (options.runner ?? runHere)
    .rematch(
      { repos: repos.map(({ key, state }) => ({ key, packages: state.packages, ignores: [...state.ignores, ...(options.repoIgnores?.(key) ?? [])] })), now },
      { advisories: options.advisories, registry: options.registry },
    )
    // The job itself failing (its worker ran out of memory, say) is reported like a source failing.
    .catch((err: unknown) => ({ ok: false as const, warning: `re-matching failed (${messageOf(err)}): unchanged repositories were not re-checked` }));
  if (!outcome.ok) {
    result.warnings.push(outcome.warning);
    for (const { key, head } of repos) options.store.markChecked(key, { private: head.isPrivate, now });
    return;
  }
  for (const warning of outcome.warnings) result.warnings.push(warning);
  const found = new Map(outcome.findings.map((r) => [r.key, r.findings]));
  for (const { key, head } of repos) {
    const diff = options.store.applyFindings({
      repo: key,
      findings: found.get(key) ?? [],
      keyOf: findingKey,
      sha: null,
      now,
      kinds: VULNERABILITY_KINDS,
      baseline: false,
      closeMissing: true,
    });
    options.store.markChecked(key, { private: head.isPrivate, now });
    collect(result, diff);
    result.rematched++;
  }
}

/**
 * Runs sweeps for everyone who needs one: a caller that wants data at least as fresh as `since`
 * reuses a sweep that finished after it, or joins the one running, instead of starting another.
 */
export class SweepRunner {
  private running: Promise<SweepResult> | null = null;
  private lastStartedAt: Date | null = null;
  last: SweepResult | null = null;
  /** Runs after each sweep (main.ts: fix pull request states); its failure never fails the sweep. */
  onSwept: (() => Promise<unknown>) | null = null;

  constructor(private readonly options: SweepOptions) {}

  async ensureFresh(since: Date): Promise<SweepResult> {
    if (this.running) {
      const current = this.running;
      const result = await current;
      if (this.lastStartedAt && this.lastStartedAt.getTime() >= since.getTime()) return result;
    }
    if (this.last && this.last.startedAt.getTime() >= since.getTime()) return this.last;
    return this.runNow();
  }

  runNow(): Promise<SweepResult> {
    if (this.running) return this.running;
    this.lastStartedAt = this.options.now();
    this.running = sweep(this.options)
      .then(async (r) => {
        this.last = r;
        await this.onSwept?.().catch((err: unknown) => this.options.logger?.warn({ err }, 'after-sweep hook failed'));
        return r;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  /** Waits for a sweep in progress (for shutdown). */
  async idle(): Promise<void> {
    if (this.running) await this.running.catch(() => undefined);
  }
}
