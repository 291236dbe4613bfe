/**
 * The three review digests, as data (pure builders) and as a run (gather from the store and PyPI,
 * then write the digest to the Slack outbox with the slot it is for: a summary message for the
 * channel and the details for its thread, laid out and posted by src/slack/outbox/).
 *
 * - weekly, dependency updates: outdated releases per repository by major / minor / patch, the
 *   oldest pins, yanked releases — computed from the stored installed packages and fresh PyPI data,
 *   since new releases appear without the repository changing;
 * - monthly, security review: open vulnerabilities by severity and age, new and fixed in the last
 *   month, ignores expiring within 30 days, and a chart of the last six months (uploaded as a PNG);
 * - quarterly, audit and clean-up: unpinned requirements, no lockfile, VCS and URL sources, extra
 *   index URLs, end-of-life Python (stored findings), and packages with no release in two years or
 *   archived / deprecated on PyPI (PEP 792 status, asked for here).
 */
import type { RepoIgnoreLookup } from '../store/audit-state/types.js';
import type { HealthSnapshot } from '../packages/health-snapshot.js';
import { healthChanges, type HealthChanges } from './health-changes.js';
import type { PackageRegistry } from '../audit/audit.js';
import { DEFAULT_UNKNOWN_AS, effectiveSeverity, type Finding, type RatedSeverity, type Severity } from '../audit/findings.js';
import { applyIgnores, isExpired, type IgnoreRule } from '../audit/ignores.js';
import { errorLine } from '../error-line.js';
import { failureList } from '../failure-list.js';
import { mapLimit } from '../http.js';
import type { Logger } from '../log.js';
import type { ScanResult } from '../scan/types.js';
import { compareVersions, isValidVersion } from '../python/pep440.js';
import { classifyBump, daysBetween, findRelease, latestStable, releasesBetween, type ProjectInfo } from '../python/releases.js';
import type { OutboundMessage } from '../store/outbox/types.js';
import { advisoryIdOf, type FindingRow, type StoredPackage } from '../store/watches.js';
import { visibleReposIn } from './alerts.js';
import type { WatchStateStore } from '../store/watch-state/types.js';
import type { ChartPoint } from './chart.js';
import { DIGEST, DIGEST_THREAD, type DigestMessage } from './messages.js';
import { arrivedWithDependency, groupByDependency } from './dependency-alerts.js';
import { wallTimeIn } from '../schedule/cron.js';
import { notFullyChecked, type Concerns, type NotFullyChecked } from './partial-state.js';

const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Weekly: dependency updates

export interface OutdatedPin {
  package: string;
  version: string;
  latest: string;
  bump: 'major' | 'minor' | 'patch' | 'other';
  releasesBehind: number;
  file: string;
  line: number | null;
}

export interface AgedPin {
  package: string;
  version: string;
  released: string;
  ageDays: number;
}

export interface WeeklyRepo {
  repo: string;
  outdated: OutdatedPin[];
  yanked: { package: string; version: string; reason: string | null; file: string; line: number | null }[];
  oldestPins: AgedPin[];
}

export interface WeeklyDigest {
  generatedAt: string;
  repos: WeeklyRepo[];
  totals: { major: number; minor: number; patch: number; yanked: number; repos: number };
  registryUnavailable: boolean;
  /**
   * Packages (by name, however many repositories pin them) whose releases could not be read (not on
   * the index, or the registry did not answer for them): never counted as up to date (absent: none).
   */
  unchecked?: number;
  /** Packages whose health worsened since the channel's last weekly digest (absent: not followed). */
  health?: HealthChanges;
  /** Repositories whose stored packages are not the whole story (absent: every one was checked in full). */
  notChecked?: NotFullyChecked;
}

export function buildWeeklyDigest(input: { repos: { repo: string; packages: StoredPackage[] }[]; registry: Map<string, ProjectInfo | null> | null; now: Date; oldestPerRepo?: number }): WeeklyDigest {
  const totals = { major: 0, minor: 0, patch: 0, yanked: 0, repos: input.repos.length };
  const unchecked = new Set<string>();
  const repos = input.repos.map(({ repo, packages }): WeeklyRepo => {
    const out: WeeklyRepo = { repo, outdated: [], yanked: [], oldestPins: [] };
    for (const p of packages) {
      const info = input.registry?.get(p.name);
      const where = p.entries[0];
      if (!where) continue;
      if (!info) {
        unchecked.add(p.name); // no release data: whether it is behind is unknown, so it is said, never all clear
        continue;
      }
      const pinned = findRelease(info, p.version);
      if (pinned?.yanked) {
        out.yanked.push({ package: p.name, version: p.version, reason: pinned.yankedReason, file: where.file, line: where.line });
        totals.yanked++;
      }
      if (pinned?.uploadTime) out.oldestPins.push({ package: p.name, version: p.version, released: pinned.uploadTime, ageDays: daysBetween(pinned.uploadTime, input.now) });
      const latest = latestStable(info);
      if (!latest || !isValidVersion(p.version) || compareVersions(latest, p.version) <= 0) continue;
      const bump = classifyBump(p.version, latest);
      out.outdated.push({ package: p.name, version: p.version, latest, bump, releasesBehind: releasesBetween(info, p.version, latest), file: where.file, line: where.line });
      if (bump === 'major' || bump === 'minor' || bump === 'patch') totals[bump]++;
    }
    const bumpRank = { major: 0, minor: 1, patch: 2, other: 3 };
    out.outdated.sort((a, b) => bumpRank[a.bump] - bumpRank[b.bump] || b.releasesBehind - a.releasesBehind || a.package.localeCompare(b.package));
    out.oldestPins = out.oldestPins.sort((a, b) => b.ageDays - a.ageDays).slice(0, input.oldestPerRepo ?? 5);
    return out;
  });
  return { generatedAt: input.now.toISOString(), repos, totals, registryUnavailable: input.registry === null, ...(input.registry !== null && unchecked.size > 0 ? { unchecked: unchecked.size } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Monthly: security review

export type SeverityBucket = 'critical' | 'high' | 'medium' | 'low';

/** One repository's dependency, added at one version this month, with the advisories it brought. */
export interface NewDependency {
  repo: string;
  package: string;
  version: string;
  addedAt: string;
  advisories: FindingRow[];
}

/**
 * This month's new rows as the channel was told them, by the alert planner's own grouping
 * (groupByDependency): an advisory whose new rows all arrived with their dependency, in a dependency
 * that brought MIN_GROUPED or more such advisories, is counted in that dependency (one message said
 * them); the rest, an advisory that also hit a repository that did not just add it too, are new
 * advisories (each had its own alert).
 */
function splitByDependency(channel: string, rows: readonly FindingRow[]): { advisories: FindingRow[]; dependencies: NewDependency[] } {
  const byAdvisory = new Map<string, FindingRow[]>();
  for (const r of rows) {
    const id = advisoryIdOf(r);
    if (id !== null) byAdvisory.set(id, [...(byAdvisory.get(id) ?? []), r]);
  }
  const candidates = new Map([...byAdvisory].filter(([, same]) => arrivedWithDependency(same)));
  const grouped = new Set<FindingRow>();
  const dependencies: NewDependency[] = [];
  for (const group of groupByDependency(channel, candidates).rowsOf.values()) {
    for (const r of group) grouped.add(r);
    const first = group[0]!;
    dependencies.push({ repo: first.repo, package: first.package!, version: first.version!, addedAt: first.dependencyAddedAt!, advisories: group });
  }
  dependencies.sort((a, b) => a.repo.localeCompare(b.repo) || a.package.localeCompare(b.package) || a.addedAt.localeCompare(b.addedAt));
  return { advisories: rows.filter((r) => !grouped.has(r)), dependencies };
}

/** How many advisories these rows are of, as the channel was told them: one alert each, however many repositories it hit (a row of none counts alone). */
export const advisoriesIn = (rows: readonly FindingRow[]): number => new Set(rows.map((r) => advisoryIdOf(r) ?? r)).size;

export interface MonthlyDigest {
  generatedAt: string;
  open: { total: number; bySeverity: Record<SeverityBucket, number>; byAge: { under30: number; from30to90: number; over90: number } };
  openFindings: FindingRow[];
  /** Advisories new to the channel this month, each said by its own alert. */
  newThisMonth: FindingRow[];
  /**
   * Dependencies added this month with advisories they already had, said in the channel once each
   * ("now depends on pillow 8.0.0, which has 26 known advisories": dependency-alerts.ts), so counted
   * once each here, apart from the new advisories. Absent in digests written before.
   */
  newDependencies?: NewDependency[];
  fixedThisMonth: FindingRow[];
  expiringIgnores: { id: string; package: string | null; until: string; reason: string; source: string }[];
  chart: ChartPoint[];
  /** How the channel counts advisories no source rated (buckets, order and labels). */
  unknownAs: RatedSeverity;
  /** Repositories whose findings are not the whole story (absent: every one was checked in full). */
  notChecked?: NotFullyChecked;
}

/** The chart's and the counts' bucket; an unrated advisory counts as the channel says (default high). */
export function severityBucket(s: Severity, unknownAs: RatedSeverity = DEFAULT_UNKNOWN_AS): SeverityBucket {
  const level = effectiveSeverity(s, unknownAs);
  return level === 'info' ? 'low' : level;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Open at instant `t`: seen by then, and not fixed by then. */
const openAt = (r: FindingRow, t: number) => Date.parse(r.firstSeen) <= t && (r.fixedAt === null || Date.parse(r.fixedAt) > t);

/**
 * `rows`: every vulnerability finding (open and fixed) of the channel's repositories; `ignored`:
 * keys (`repo|key`) of open findings the channel or the repository ignores.
 */
export function buildMonthlyDigest(input: {
  rows: FindingRow[];
  ignores: IgnoreRule[];
  now: Date;
  ignoredKeys?: ReadonlySet<string>;
  unknownAs?: RatedSeverity;
  /** The channel it is for: its dependency messages' keys (dependency-alerts.ts). */
  channel?: string;
}): MonthlyDigest {
  const now = input.now.getTime();
  const unknownAs = input.unknownAs ?? DEFAULT_UNKNOWN_AS;
  const ignored = input.ignoredKeys ?? new Set<string>();
  const rows = input.rows.filter((r) => !(r.fixedAt === null && ignored.has(`${r.repo}|${r.key}`)));
  const open = rows.filter((r) => r.fixedAt === null);
  const bySeverity: Record<SeverityBucket, number> = { critical: 0, high: 0, medium: 0, low: 0 };
  const byAge = { under30: 0, from30to90: 0, over90: 0 };
  for (const r of open) {
    bySeverity[severityBucket(r.severity, unknownAs)]++;
    const age = (now - Date.parse(r.firstSeen)) / DAY_MS;
    if (age < 30) byAge.under30++;
    else if (age <= 90) byAge.from30to90++;
    else byAge.over90++;
  }
  const d = input.now;
  const monthAgo = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes());
  const { advisories: newThisMonth, dependencies: newDependencies } = splitByDependency(input.channel ?? '', rows.filter((r) => Date.parse(r.firstSeen) >= monthAgo && r.alertable));
  // Closed for a reason (its file now excluded, an ignore covering it) is not fixed: not counted here.
  const fixedThisMonth = rows.filter((r) => r.fixedAt !== null && !r.closedReason && Date.parse(r.fixedAt) >= monthAgo);

  const today = input.now;
  const horizon = new Date(now + 30 * DAY_MS).toISOString().slice(0, 10);
  const expiringIgnores = input.ignores
    .filter((i): i is IgnoreRule & { until: string } => i.until !== null && !isExpired(i, today) && i.until <= horizon)
    .map((i) => ({ id: i.id, package: i.package, until: i.until, reason: i.reason, source: i.source }))
    .sort((a, b) => a.until.localeCompare(b.until));

  const chart: ChartPoint[] = [];
  for (let back = 5; back >= 0; back--) {
    const monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back, 1);
    const end = Math.min(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() - back + 1, 1) - 1, now);
    const point: ChartPoint = { label: `${MONTHS[new Date(monthStart).getUTCMonth()]} ${new Date(monthStart).getUTCFullYear()}`, critical: 0, high: 0, medium: 0, low: 0 };
    for (const r of rows) if (openAt(r, end)) point[severityBucket(r.severity, unknownAs)]++;
    chart.push(point);
  }
  return { generatedAt: input.now.toISOString(), open: { total: open.length, bySeverity, byAge }, openFindings: open, newThisMonth, newDependencies, fixedThisMonth, expiringIgnores, chart, unknownAs };
}

// ---------------------------------------------------------------------------------------------
// Quarterly: audit and clean-up

export const HYGIENE_KINDS = ['unpinned', 'no-lockfile', 'non-registry-source', 'extra-index-url', 'python-eol'] as const;
export type HygieneKind = (typeof HYGIENE_KINDS)[number];

export interface StalePackage {
  package: string;
  repos: string[];
  lastRelease: string | null;
  status: string | null;
  statusReason: string | null;
  why: 'archived' | 'deprecated' | 'quarantined' | 'no-release';
}

/** One repository's code and configuration findings, as its last scanned commit had them. */
export interface CodeFindingsSummary {
  repo: string;
  /** Open findings by kind (code, secret, file, runtime) and by severity. */
  byKind: Record<string, number>;
  bySeverity: Record<string, number>;
  /** The scan did not check everything (its reply said why). */
  partial: boolean;
  /** The commit's code was not scanned at all, and why (the sweep's reason: no result was kept). */
  unscanned?: string;
}

export interface QuarterlyDigest {
  generatedAt: string;
  byKind: Record<HygieneKind, { repo: string; finding: Finding }[]>;
  /** Repositories with code findings (empty when code scanning is off or found nothing). */
  code: CodeFindingsSummary[];
  stale: StalePackage[];
  repos: number;
  /** PyPI could not be read at all: no package's status or release history is in the digest. */
  registryUnavailable: boolean;
  /** Packages whose status lookup failed (PyPI erred for them), sorted; absent in older digests. */
  unread?: string[];
  /** Repositories whose findings are not the whole story (absent: every one was checked in full). */
  notChecked?: NotFullyChecked;
}

/** `unscanned`: why the sweep could not scan the commit's code, when it could not (no scan result was kept then). */
export function buildQuarterlyDigest(input: { repos: { repo: string; findings: FindingRow[]; packages: StoredPackage[]; code?: ScanResult | null; unscanned?: string | null }[]; registry: Map<string, ProjectInfo | null> | null; now: Date; staleAfterDays?: number; unread?: readonly string[] }): QuarterlyDigest {
  const byKind = Object.fromEntries(HYGIENE_KINDS.map((k) => [k, [] as { repo: string; finding: Finding }[]])) as QuarterlyDigest['byKind'];
  const usedBy = new Map<string, Set<string>>();
  for (const { repo, findings, packages } of input.repos) {
    for (const f of findings) {
      if (f.fixedAt !== null || !(HYGIENE_KINDS as readonly string[]).includes(f.kind)) continue;
      byKind[f.kind as HygieneKind].push({ repo, finding: f.finding });
    }
    for (const p of packages) usedBy.set(p.name, (usedBy.get(p.name) ?? new Set()).add(repo));
  }
  const staleAfter = input.staleAfterDays ?? 730;
  const stale: StalePackage[] = [];
  for (const [name, repos] of usedBy) {
    const info = input.registry?.get(name);
    if (!info) continue;
    const lastRelease = info.releases.map((r) => r.uploadTime).filter((t): t is string => t !== null).sort().at(-1) ?? null;
    const base = { package: name, repos: [...repos].sort(), lastRelease, status: info.status, statusReason: info.statusReason };
    if (info.status === 'archived' || info.status === 'deprecated' || info.status === 'quarantined') stale.push({ ...base, why: info.status });
    else if (lastRelease && daysBetween(lastRelease, input.now) > staleAfter) stale.push({ ...base, why: 'no-release' });
  }
  stale.sort((a, b) => a.why.localeCompare(b.why) || a.package.localeCompare(b.package));
  const code: CodeFindingsSummary[] = [];
  for (const { repo, code: scan, unscanned } of input.repos) {
    if (!scan && unscanned) {
      code.push({ repo, byKind: {}, bySeverity: {}, partial: true, unscanned });
      continue;
    }
    if (!scan || (scan.findings.length === 0 && !scan.partial)) continue;
    const summary: CodeFindingsSummary = { repo, byKind: {}, bySeverity: {}, partial: scan.partial };
    for (const f of scan.findings) {
      summary.byKind[f.kind] = (summary.byKind[f.kind] ?? 0) + 1;
      summary.bySeverity[f.severity] = (summary.bySeverity[f.severity] ?? 0) + 1;
    }
    code.push(summary);
  }
  const unread = [...(input.unread ?? [])].sort();
  // Every lookup failed: as unavailable as no registry at all (a package that is not on PyPI is an answer, not a failure).
  const registryUnavailable = input.registry === null || (usedBy.size > 0 && unread.length >= usedBy.size);
  return { generatedAt: input.now.toISOString(), byKind, code, stale, repos: input.repos.length, registryUnavailable, ...(unread.length ? { unread } : {}) };
}

// ---------------------------------------------------------------------------------------------
// Running a digest

/** PyPI as the quarterly digest needs it: release history plus the PEP 792 status (PyPIClient fits). */
export interface StatusRegistry {
  project(name: string, options: { status?: boolean }): Promise<ProjectInfo | null>;
}

export interface DigestOptions {
  /** The watch state (SQLite or PostgreSQL): what the digest reads, and the outbox it writes to. */
  state: WatchStateStore;
  /** The scheduled time this digest is for (default: now): one digest per slot, however often run. */
  slot?: Date;
  /** The zone the slot was worked out in (the schedule's: JobSpec.timeZone); default: the channel's now. */
  slotTimeZone?: string;
  registry: PackageRegistry | null;
  statusRegistry?: StatusRegistry | null;
  now: () => Date;
  defaultTimeZone: string;
  /** Ignores kept outside the tree per repository (the Slack Ignore… modal's), for "expiring soon"; read once. */
  repoIgnores?: () => Promise<RepoIgnoreLookup>;
  logger?: Logger;
  /** The last code scan of a commit (`owner/name`, sha), for the quarterly digest; absent: no code section. */
  codeScans?: { latest(repo: string, sha: string): ScanResult | null };
  /** Package health for the weekly digest's "health worsened" list; absent: not followed. */
  packageHealth?: { snapshot(name: string): Promise<HealthSnapshot | null> };
}

export type DigestKind = 'weekly' | 'monthly' | 'quarterly';

/**
 * The reasons each digest is qualified by (review4 M3): every one reads the manifests (`unread`,
 * `no-manifests`); the weekly updates and the quarterly stale packages come from PyPI
 * (`data-source`: the package registry was unavailable); only the monthly security review lists
 * advisories (`advisories`, and sweeps that could not look them up); only the quarterly has a code
 * section (`unscanned`).
 */
export const DIGEST_CONCERNS: Record<DigestKind, Concerns> = {
  weekly: { kinds: new Set(['unread', 'no-manifests', 'data-source']), sweepProblems: false },
  monthly: { kinds: new Set(['unread', 'no-manifests', 'advisories']), sweepProblems: true },
  quarterly: { kinds: new Set(['unread', 'no-manifests', 'data-source', 'unscanned']), sweepProblems: false },
};

export interface DigestRecorded {
  /** The summary's outbox key (also its Slack metadata key); its row has the message ts once posted. */
  key: string;
  /** False when this slot's digest was written before (a rerun): nothing was added. */
  written: boolean;
}

/**
 * The outbox key of a channel's digest for one slot: the slot as the channel's clock read it, in the
 * zone the slot was worked out in (`digest:weekly:C123:2027-01-04T09:00`). A schedule fires at
 * wall-clock times, so a zone change moves a slot's instant but not its wall-clock time: catch-up in
 * the new zone arrives at the key the old zone's digest was sent under, and sends nothing. (Keyed by
 * the instant, it found nothing and posted the period again.) For the digests' own schedules, once a
 * week, month or quarter, this is one key per period; a schedule set to fire more often (weekly
 * digests every weekday) still gets one digest per slot.
 */
export const digestKey = (kind: DigestKind, channel: string, slot: Date, timeZone: string) => {
  const w = wallTimeIn(slot, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  return `digest:${kind}:${channel}:${w.year}-${two(w.month)}-${two(w.day)}T${two(w.hour)}:${two(w.minute)}`;
};

/** How digests were keyed before (the slot's instant): still looked for, so an upgrade does not send the latest slot again. */
const instantDigestKey = (kind: DigestKind, channel: string, slot: Date) => `digest:${kind}:${channel}:${slot.toISOString()}`;

/**
 * What PyPI answered for the packages (null: it failed as a whole, or answered for none of them),
 * and the packages it did not answer for: one such package leaves the others' releases in the
 * digest, and is counted among those not checked.
 */
async function readRegistry(registry: PackageRegistry | null, names: string[], log?: Logger): Promise<{ registry: Map<string, ProjectInfo | null> | null; unread: string[] }> {
  if (!registry) return { registry: null, unread: [] };
  try {
    const { found, failed } = await registry.projectsSettled(names);
    const unread = failureList(failed);
    if (unread !== null) log?.warn({ packages: unread.names, count: unread.count, err: unread.firstLine }, 'digest: package registry did not answer for some packages');
    return { registry: found.size === 0 && failed.length > 0 ? null : found, unread: failed.map((f) => f.name) };
  } catch (err) {
    log?.warn({ err: errorLine(err) }, 'digest: package registry unavailable');
    return { registry: null, unread: [] };
  }
}

/**
 * This week's health of every package the channel's repositories use, against what the channel saw
 * last week; `save` makes it what the channel has seen (in the digest's transaction).
 */
async function followHealth(state: WatchStateStore, channel: string, names: string[], health: NonNullable<DigestOptions['packageHealth']>): Promise<{ changes: HealthChanges; snapshots: HealthSnapshot[] }> {
  const current = new Map<string, HealthSnapshot | null>();
  await mapLimit(names, 8, async (name) => {
    current.set(name, await health.snapshot(name).catch(() => null));
  });
  const changes = healthChanges(await state.healthSeen(channel), current);
  return { changes, snapshots: [...current.values()].filter((s): s is HealthSnapshot => s !== null) };
}

/**
 * Gathers one digest for a channel and writes it to the outbox, with what it records (the weekly
 * health baseline), in one transaction. The slot names the rows: a slot already written is not
 * gathered again, and a rerun that races one adds nothing (the outbox ignores a repeated key).
 */
export async function runDigest(kind: DigestKind, channel: string, options: DigestOptions): Promise<DigestRecorded> {
  const { state } = options;
  const now = options.now();
  const timeZone = (await state.channelTimeZone(channel)) ?? options.defaultTimeZone;
  const slot = options.slot ?? now;
  const key = digestKey(kind, channel, slot, options.slotTimeZone ?? timeZone);
  if ((await state.outbox.row(key)) || (await state.outbox.row(instantDigestKey(kind, channel, slot)))) return { key, written: false };
  const log = options.logger?.child({ component: 'digest', kind, channel });
  const { repos } = await visibleReposIn(state, channel);
  // Digests list the stored packages and ignore rules: the whole state, of the visible repositories only.
  const states = await state.repoStates(repos);
  const display = (repo: string) => states.get(repo)?.display ?? repo;
  let message: DigestMessage;
  let health: { channel: string; snapshots: HealthSnapshot[] } | null = null;

  if (kind === 'weekly') {
    const list = repos.map((repo) => ({ repo: display(repo), packages: states.get(repo)?.packages ?? [] }));
    const names = [...new Set(list.flatMap((r) => r.packages.map((p) => p.name)))];
    const { registry } = await readRegistry(options.registry, names, log);
    const digest = buildWeeklyDigest({ repos: list, registry, now });
    if (options.packageHealth) {
      const followed = await followHealth(state, channel, names, options.packageHealth);
      digest.health = followed.changes;
      health = { channel, snapshots: followed.snapshots };
    }
    message = { kind, timeZone, digest };
  } else if (kind === 'monthly') {
    const rows = (await state.findingsFor(repos, ['vulnerability', 'malicious'])).map((r) => ({ ...r, repo: display(r.repo) }));
    const channelRules = await state.ignoreRulesForChannel(channel);
    const open = rows.filter((r) => r.fixedAt === null);
    const { findings } = applyIgnores(open.map((r) => r.finding), channelRules, now);
    const ignoredKeys = new Set(open.filter((_, i) => findings[i]?.ignoredBy).map((r) => `${r.repo}|${r.key}`));
    const repoIgnoresOf = options.repoIgnores ? await options.repoIgnores() : () => [];
    const repoRules = repos.flatMap((repo) => [
      ...(states.get(repo)?.ignores ?? []).map((rule) => ({ ...rule, source: `${display(repo)}/${rule.source}` })),
      ...repoIgnoresOf(repo).map((rule) => ({ ...rule, source: `${display(repo)}: ${rule.source}` })),
    ]);
    const digest = buildMonthlyDigest({ channel, rows, ignores: [...channelRules, ...repoRules], now, ignoredKeys, unknownAs: (await state.channelUnknownAs(channel)) ?? DEFAULT_UNKNOWN_AS });
    message = { kind, timeZone, digest };
  } else {
    const codeOf = (repo: string): ScanResult | null => {
      const sha = states.get(repo)?.auditedSha;
      return sha && options.codeScans ? options.codeScans.latest(repo.split('@')[0]!, sha) : null;
    };
    const unscanned = (repo: string) => states.get(repo)?.partialReasons.find((r) => r.kind === 'unscanned')?.text ?? null;
    const list = await Promise.all(repos.map(async (repo) => ({ repo: display(repo), findings: await state.openFindings(repo), packages: states.get(repo)?.packages ?? [], code: codeOf(repo), unscanned: options.codeScans ? unscanned(repo) : null })));
    const names = [...new Set(list.flatMap((r) => r.packages.map((p) => p.name)))];
    let registry: Map<string, ProjectInfo | null> | null = null;
    // A lookup that failed is not "nothing to report" (a quarantined project would go unsaid): counted, and said.
    const unread: string[] = [];
    if (options.statusRegistry) {
      const status = options.statusRegistry;
      registry = new Map();
      const filled = registry;
      await mapLimit(names, 8, async (name) => {
        filled.set(
          name,
          await status.project(name, { status: true }).catch((err: unknown) => {
            unread.push(name);
            log?.warn({ package: name, err: (err as Error)?.message }, 'digest: package status could not be read');
            return null;
          }),
        );
      });
    } else {
      const read = await readRegistry(options.registry, names, log);
      registry = read.registry;
      unread.push(...read.unread);
    }
    message = { kind: 'quarterly', timeZone, digest: buildQuarterlyDigest({ repos: list, registry, now, unread }) };
  }
  // Whatever it lists, a digest says which repositories it could not vouch for, in its summary: for
  // the reasons that concern what it lists.
  const concerns = DIGEST_CONCERNS[kind];
  const notChecked = notFullyChecked(repos, states, display, concerns.sweepProblems ? await state.sweepProblems() : null, concerns);
  if (notChecked) message.digest.notChecked = notChecked;
  const rows: OutboundMessage[] = [
    { kind: DIGEST, data: message, channel, op: 'post', messageKey: key, idempotencyKey: key },
    { kind: DIGEST_THREAD, data: message, channel, op: 'reply', messageKey: key, idempotencyKey: `${key}:thread` },
  ];
  // The rows and the health baseline in one transaction; only the run that wrote the slot moves the
  // baseline (a racing rerun on another replica wrote nothing).
  const written = await state.recordDigest(rows, health, now);
  log?.info({ key, written }, 'digest recorded');
  return { key, written };
}

/**
 * A digest's summary says "Details in the thread" (and the thread lists what its own lines had no
 * room for); when the outbox gave the thread up (Slack refused it), the summary is edited to say
 * the details could not be posted there instead, once (keyed by the slot), so it never points at a
 * thread that is not there. Returns how many edits were written (to deliver now).
 */
export async function recordDigestDeliveries(state: WatchStateStore, key: string, now: Date): Promise<number> {
  const rows = await state.outbox.rowsByKey([key, `${key}:thread`]);
  const post = rows.get(key);
  const thread = rows.get(`${key}:thread`);
  if (post?.state !== 'posted' || thread?.state !== 'failed') return 0;
  const data: DigestMessage = { ...(post.data as DigestMessage), threadFailed: true };
  return state.outbox.enqueue([{ kind: DIGEST, data, channel: post.channel, op: 'update', messageKey: key, idempotencyKey: `${key}:thread-failed` }], now);
}
