/**
 * What a newly watched repository already has. `/audit watch` runs no audit: the repository's first
 * sweep takes its baseline, and the vulnerabilities known then do not alert one by one (a repository
 * with forty old advisories would be forty alerts). They are not absorbed unsaid either: that sweep
 * tells each watching channel, in one short message, that the repository is now watched and what it
 * has (counts by severity, the worst few, `/audit owner/repo` for all of them). An advisory published
 * or modified after the watch was made is not among them: it alerts as any new advisory does
 * (sweep.ts `newSinceWatched`), and the message counts it apart.
 *
 * Said once per repository and channel (the outbox key names both, and posted posts are never
 * pruned), and only by a baseline that read the advisories: one that could not reach them stored no
 * vulnerabilities, so the next sweep is still the baseline (sweep.ts `isBaseline`).
 */
import { severityRank, type Finding } from '../audit/findings.js';
import type { OutboundMessage } from '../store/outbox/types.js';
import type { WatchStateStore } from '../store/watch-state/types.js';
import type { FindingRow } from '../store/watches.js';
import { WATCH_STARTED, type WatchStarted } from './messages.js';

/** The worst listed by name; the rest are counted and one `/audit` away. */
export const WATCH_STARTED_TOP = 5;

const VULNERABILITY_KINDS: ReadonlySet<Finding['kind']> = new Set(['vulnerability', 'malicious']);

/** One advisory once per repository: two pins of one release in two files are one line. */
function byAdvisory(rows: readonly FindingRow[]): FindingRow[] {
  const seen = new Map<string, FindingRow>();
  for (const row of rows) {
    const id = row.advisoryId ?? row.finding.id ?? row.key;
    const held = seen.get(id);
    if (!held || severityRank(row.severity) > severityRank(held.severity)) seen.set(id, row);
  }
  return [...seen.values()];
}

/** What the message says of a baseline's open findings (pure). Null when it holds no vulnerability. */
export function watchStartedOf(repo: Omit<WatchStarted, 'counts' | 'top' | 'total' | 'alertedApart'>, added: readonly FindingRow[]): WatchStarted | null {
  const vulnerable = added.filter((r) => VULNERABILITY_KINDS.has(r.kind));
  const known = byAdvisory(vulnerable.filter((r) => !r.alertable));
  const alertedApart = byAdvisory(vulnerable.filter((r) => r.alertable)).length;
  if (known.length === 0) return null;
  const counts: Partial<Record<string, number>> = {};
  for (const row of known) counts[row.severity] = (counts[row.severity] ?? 0) + 1;
  const worstFirst = [...known].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || (a.package ?? '').localeCompare(b.package ?? '') || (a.advisoryId ?? '').localeCompare(b.advisoryId ?? ''));
  const top = worstFirst.slice(0, WATCH_STARTED_TOP).map((r) => ({
    id: r.advisoryId ?? r.finding.id ?? '',
    package: r.package,
    version: r.version,
    severity: r.severity,
    summary: r.finding.summary ?? '',
  }));
  return { ...repo, counts, top, total: known.length, alertedApart };
}

/**
 * Writes the message for every channel that may see the repository (a private one: only channels an
 * admin linked it to, as for alerts); a channel already told writes nothing. How many were new.
 */
export async function announceWatchStarted(input: { state: WatchStateStore; repo: string; message: WatchStarted | null; now: Date }): Promise<number> {
  const { state, repo, message, now } = input;
  if (!message) return 0;
  const watches = await state.watchesOfRepo(repo);
  const messages: OutboundMessage[] = watches
    .filter((w) => w.adminLinked || !(w.private || message.private))
    .map((w) => {
      const key = `watch-started:${repo}:${w.channel}`;
      return { kind: WATCH_STARTED, data: message, channel: w.channel, op: 'post', messageKey: key, idempotencyKey: key };
    });
  return messages.length === 0 ? 0 : state.announce(messages, now);
}
