/**
 * What a repository already has when a channel starts watching it. `/audit watch` runs no audit, and
 * the vulnerabilities known before the watch do not alert one by one (a repository with forty old
 * advisories would be forty alerts). They are not absorbed unsaid either: each channel that watches
 * the repository is told, once, in one short message, that it is now watched and what it has (counts
 * by severity, the worst few, `/audit owner/repo` for all of them), as that channel sees it: without
 * what the channel ignores (`/audit ignore`), unrated ones counted as the channel counts them.
 *
 * Each channel has its own baseline, its watch (WatchRow.addedAt): a finding the repository's sweeps
 * first saw before the channel watched it is something the repository already had there, said in
 * that message, never alerted in that channel; one first seen since may alert there as any new
 * finding does (`newToChannel`), whether or not it was alerted in another channel before. A
 * baseline finding alerted because its advisory was published after the repository was first
 * watched is new since that publication (FindingRow.newSince): to a channel that watched after it,
 * it is what the repository already had. What the message did not count (closed then: excluded, or
 * ignored; or ignored by the channel) is new to the channel's view when it opens there later, and
 * alerts there once (WatchRow.baselineSaid). So a second channel that watches an already swept
 * repository hears of all it has, once, and of nothing twice.
 *
 * Said by the channel's alerts run, not the sweep (the message depends on the channel's settings),
 * once the repository is baselined (repo_state.baseline_at: a sweep read its advisories; one that
 * could not reach them leaves it not yet baselined, sweep.ts) and visible to the channel; once per
 * watch (watches.baseline_said_at, set in the transaction that writes the message, so two replicas
 * say it once). A baseline with nothing to say marks the watch told, with no message.
 */
import { DEFAULT_UNKNOWN_AS, SEVERITY_ORDER, severityRank, type RatedSeverity } from '../audit/findings.js';
import { applyIgnores } from '../audit/ignores.js';
import type { OutboundMessage } from '../store/outbox/types.js';
import type { WatchStateStore } from '../store/watch-state/types.js';
import { advisoryIdOf, type FindingRow, type RepoSummary, type WatchRow } from '../store/watches.js';
import { WATCH_STARTED, type WatchStarted } from './messages.js';

/** The worst listed by name; the rest are counted and one `/audit` away. */
export const WATCH_STARTED_TOP = 5;

const VULNERABILITY_KINDS = ['vulnerability', 'malicious'];

/** Where a channel's view of a repository started: its watch, and what its "Now watching" message counted (null: not told yet, or not kept). */
export interface ChannelView {
  watchedAt: string;
  said: ReadonlySet<string> | null;
}

/** The view of a watch. */
export const channelViewOf = (watch: Pick<WatchRow, 'addedAt' | 'baselineSaid'>): ChannelView => ({ watchedAt: watch.addedAt, said: watch.baselineSaid ? new Set(watch.baselineSaid) : null });

/** What the message counts a finding by: its advisory (two pins of one release in two files are one). */
const viewIdOf = (row: Pick<FindingRow, 'advisoryId' | 'finding' | 'key'>): string => advisoryIdOf(row) ?? row.key;

/**
 * Whether a finding may alert in a channel whose view of its repository is `view`: it may alert at
 * all (not a repository's baseline) and is new since the channel's watch (first seen after it, or,
 * a baseline finding alerted for its advisory's publication, published after it); or the channel's
 * "Now watching" message did not count it, though it was there before the watch (closed then, or
 * ignored by the channel: it is new to what the channel was told). Anything else is what the
 * repository already had when the channel watched it: said by that message, not alerted there.
 */
export function newToChannel(row: Pick<FindingRow, 'alertable' | 'firstSeen' | 'newSince' | 'advisoryId' | 'finding' | 'key'>, view: ChannelView | undefined): boolean {
  if (view === undefined) return row.alertable;
  if (row.alertable && (row.newSince ?? row.firstSeen) >= view.watchedAt) return true;
  return view.said !== null && !view.said.has(viewIdOf(row));
}

/** One advisory once per repository: two pins of one release in two files are one line. */
function byAdvisory(rows: readonly FindingRow[], unknownAs: RatedSeverity): FindingRow[] {
  const seen = new Map<string, FindingRow>();
  for (const row of rows) {
    const id = viewIdOf(row);
    const held = seen.get(id);
    if (!held || severityRank(row.severity, unknownAs) > severityRank(held.severity, unknownAs)) seen.set(id, row);
  }
  return [...seen.values()];
}

/**
 * What the message says to one channel of a repository's open vulnerability findings that the
 * channel does not ignore (pure), and what it counts (`said`, kept with the watch). No message when
 * it already had none.
 */
export function watchStartedOf(
  repo: Omit<WatchStarted, 'counts' | 'top' | 'total' | 'alertedApart' | 'unknownAs'>,
  open: readonly FindingRow[],
  watchedAt: string,
  unknownAs: RatedSeverity = DEFAULT_UNKNOWN_AS,
): { message: WatchStarted | null; said: string[] } {
  // Not told yet: new to the channel is new since its watch.
  const view: ChannelView = { watchedAt, said: null };
  const known = byAdvisory(open.filter((r) => !newToChannel(r, view)), unknownAs);
  const said = known.map(viewIdOf).sort();
  if (known.length === 0) return { message: null, said };
  const alertedApart = byAdvisory(open.filter((r) => newToChannel(r, view)), unknownAs).length;
  const counts: Partial<Record<string, number>> = {};
  for (const row of known) counts[row.severity] = (counts[row.severity] ?? 0) + 1;
  const worstFirst = [...known].sort(
    (a, b) => severityRank(b.severity, unknownAs) - severityRank(a.severity, unknownAs) || SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || (a.package ?? '').localeCompare(b.package ?? '') || (advisoryIdOf(a) ?? '').localeCompare(advisoryIdOf(b) ?? ''),
  );
  const top = worstFirst.slice(0, WATCH_STARTED_TOP).map((r) => ({
    id: advisoryIdOf(r) ?? '',
    package: r.package,
    version: r.version,
    severity: r.severity,
    summary: r.finding.summary ?? '',
  }));
  return { message: { ...repo, unknownAs, counts, top, total: known.length, alertedApart }, said };
}

/** Whether the channel may see the repository (a private one: only when an admin linked it, as for alerts). */
const visible = (watch: WatchRow, summary: RepoSummary | undefined): boolean => watch.adminLinked || !(watch.private || summary?.private);

/**
 * Tells the channel what each repository it watches already had when it watched it, for every watch
 * not told yet whose repository is baselined and visible to it (one message each, none when there
 * is nothing to say). How many watches were told now.
 */
export async function announceWatchesStarted(channel: string, state: WatchStateStore, now: Date): Promise<number> {
  const waiting = (await state.watchesForChannel(channel)).filter((w) => w.baselineSaidAt === null);
  if (waiting.length === 0) return 0;
  const summaries = await state.repoSummaries(waiting.map((w) => w.repo));
  const ready = waiting.filter((w) => summaries.get(w.repo)?.baselineAt && visible(w, summaries.get(w.repo)));
  if (ready.length === 0) return 0;
  const unknownAs = (await state.channelUnknownAs(channel)) ?? DEFAULT_UNKNOWN_AS;
  const open = (await state.findingsFor(ready.map((w) => w.repo), VULNERABILITY_KINDS)).filter((r) => r.fixedAt === null);
  const { findings: marked } = applyIgnores(
    open.map((r) => r.finding),
    await state.ignoreRulesForChannel(channel),
    now,
  );
  const notIgnored = open.filter((_, i) => !marked[i]?.ignoredBy);
  let told = 0;
  for (const watch of ready) {
    const summary = summaries.get(watch.repo)!;
    const { message, said } = watchStartedOf(
      { repo: summary.display, repoUrl: summary.htmlUrl, sha: summary.auditedSha ?? '', private: summary.private },
      notIgnored.filter((r) => r.repo === watch.repo),
      watch.addedAt,
      unknownAs,
    );
    // Keyed by the watch: a channel that stops watching and watches again is told again.
    const key = `watch-started:${watch.repo}:${channel}:${watch.addedAt}`;
    const messages: OutboundMessage[] = message ? [{ kind: WATCH_STARTED, data: message, channel, op: 'post', messageKey: key, idempotencyKey: key }] : [];
    if (await state.recordWatchStarted({ repo: watch.repo, channel, said, now }, messages)) told++;
  }
  return told;
}
