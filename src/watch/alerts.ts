/**
 * New-advisory alerts for one channel, reconciled from the store: one alert per (advisory group,
 * channel) listing every watched repository it hits there; the message is edited when the list
 * changes, and edited to "fixed" (with the fixing commits) once every listed repository is fixed.
 *
 * Exactly once, through an outbox (watch_alerts):
 *   1. the alert row is INSERTed as `recorded` (its own transaction) BEFORE anything is posted;
 *   2. chat.postMessage (paced; 429s are waited out and retried, never dropped);
 *   3. the row is marked `posted` with the message ts.
 * A crash before 2 leaves a `recorded` row that the next run posts: nothing is lost. A crash after 3
 * changes nothing: the row says `posted`, nothing is repeated.
 *
 * Trade-off, chosen on purpose: a crash in the window between Slack's answer to 2 and the write of
 * 3 (one local SQLite UPDATE, microseconds) would post the alert again after the restart. Slack
 * has no idempotency key; closing that window would need channels:history to look for our
 * `metadata.event_payload.key` before re-posting, a scope and a rate-limited call we do not want.
 * The key is sent as message metadata all the same, so such a duplicate can be recognised.
 *
 * Which findings alert: those first seen after a repository's first audit (its baseline, which the
 * /audit reply already showed). Findings covered by a channel ignore do not alert, and an alert
 * whose remaining findings are all ignored is left as it is rather than called fixed.
 */
import { DEFAULT_UNKNOWN_AS, type RatedSeverity } from '../audit/findings.js';
import { applyIgnores } from '../audit/ignores.js';
import { blobLineUrl } from '../github/links.js';
import type { Logger } from '../log.js';
import { alertMessage, type AlertView } from '../slack/blocks/alert.js';
import type { PacedSlack } from '../slack/pacing.js';
import type { AffectedRepo, AlertRow, FindingRow, RepoStateRow, WatchStore } from '../store/watches.js';

export interface AlertDeliveryOptions {
  store: WatchStore;
  slack: PacedSlack;
  now: () => Date;
  logger?: Logger;
  /** Posting attempts (other than rate limits, which are always retried) before an alert is given up. */
  maxAttempts?: number;
  /** Called after an alert is recorded and before it is posted: tests simulate a crash here. */
  afterRecord?: (alert: AlertRow) => void | Promise<void>;
}

export interface AlertDeliveryResult {
  posted: number;
  updated: number;
  resolved: number;
  failed: { advisoryId: string; error: string }[];
}

const VULN_KINDS = ['vulnerability', 'malicious'];

/** The repositories whose findings this channel may see: private ones only when an admin linked them. */
export function visibleRepos(store: WatchStore, channel: string): { repos: string[]; states: Map<string, RepoStateRow> } {
  const watches = store.watchesForChannel(channel);
  const states = store.repoStates(watches.map((w) => w.repo));
  const repos = watches.filter((w) => w.adminLinked || !(w.private || states.get(w.repo)?.private)).map((w) => w.repo);
  return { repos, states };
}

function affectedOf(row: FindingRow, state: RepoStateRow | undefined): AffectedRepo {
  const f = row.finding;
  const url = f.file && state?.htmlUrl && state.auditedSha ? blobLineUrl(state.htmlUrl, state.auditedSha, f.file, f.line) : null;
  return {
    repo: state?.display ?? row.repo,
    repoUrl: state?.htmlUrl ?? null,
    version: f.version,
    file: f.file,
    line: f.line,
    url,
    fix: f.fix.text,
    fixVersion: f.fix.version,
    fixedBySha: row.fixedAt ? row.fixedBySha : null,
    fixedAt: row.fixedAt,
  };
}

function viewOf(alert: AlertRow, rep: FindingRow, affected: AffectedRepo[], resolved: boolean, unknownAs: RatedSeverity): AlertView {
  const f = rep.finding;
  return {
    unknownAs,
    alertId: alert.id,
    advisoryId: alert.advisoryId,
    aliases: f.aliases ?? [],
    summary: f.summary ?? '',
    severity: f.severity,
    cvss: f.cvss ?? null,
    malicious: f.kind === 'malicious',
    package: f.package,
    affected,
    resolved,
  };
}

const openKey = (a: AffectedRepo[]) =>
  a
    .filter((x) => x.fixedAt === null)
    .map((x) => `${x.repo}|${x.version}|${x.file}`)
    .sort()
    .join('\n');

export async function deliverAlerts(channel: string, options: AlertDeliveryOptions): Promise<AlertDeliveryResult> {
  const { store, slack } = options;
  const log = options.logger?.child({ component: 'alerts', channel });
  const maxAttempts = options.maxAttempts ?? 5;
  const result: AlertDeliveryResult = { posted: 0, updated: 0, resolved: 0, failed: [] };
  const now = options.now();

  const { repos, states } = visibleRepos(store, channel);
  const unknownAs = store.channelUnknownAs(channel) ?? DEFAULT_UNKNOWN_AS;
  const rows = store.findingsFor(repos, VULN_KINDS);
  const open = rows.filter((r) => r.fixedAt === null);
  const { findings: marked } = applyIgnores(
    open.map((r) => r.finding),
    store.ignoreRulesForChannel(channel),
    now,
  );
  const openByAdvisory = new Map<string, FindingRow[]>();
  const ignoredAdvisories = new Set<string>();
  open.forEach((row, i) => {
    const id = row.advisoryId ?? row.finding.id;
    if (!id) return;
    if (marked[i]?.ignoredBy) {
      ignoredAdvisories.add(id);
      return;
    }
    openByAdvisory.set(id, [...(openByAdvisory.get(id) ?? []), row]);
  });
  for (const id of openByAdvisory.keys()) ignoredAdvisories.delete(id);
  const latestByAdvisory = new Map<string, FindingRow[]>();
  for (const r of rows) if (r.advisoryId) latestByAdvisory.set(r.advisoryId, [...(latestByAdvisory.get(r.advisoryId) ?? []), r]);

  const alerts = new Map(store.alertsForChannel(channel).map((a) => [a.advisoryId, a]));

  /** Open findings, plus the repositories an alert listed before that are fixed now. */
  const composeAffected = (advisoryId: string, previous: AffectedRepo[]): AffectedRepo[] => {
    const current = (openByAdvisory.get(advisoryId) ?? []).map((r) => affectedOf(r, states.get(r.repo)));
    const listed = new Set(current.map((a) => a.repo));
    for (const before of previous) {
      if (listed.has(before.repo)) continue;
      listed.add(before.repo);
      const fixedRow = (latestByAdvisory.get(advisoryId) ?? [])
        .filter((r) => (states.get(r.repo)?.display ?? r.repo) === before.repo && r.fixedAt !== null)
        .sort((a, b) => (b.fixedAt ?? '').localeCompare(a.fixedAt ?? ''))[0];
      current.push({ ...before, fixedAt: before.fixedAt ?? fixedRow?.fixedAt ?? now.toISOString(), fixedBySha: before.fixedBySha ?? fixedRow?.fixedBySha ?? null });
    }
    return current;
  };

  const post = async (alert: AlertRow, view: AlertView): Promise<string | null> => {
    const { first } = alertMessage(view);
    try {
      const ts = await slack.post({
        channel,
        text: first.text,
        blocks: first.blocks,
        metadata: { event_type: 'depwatch_alert', event_payload: { key: alert.clientKey } },
      });
      return ts;
    } catch (err) {
      const message = (err as Error).message;
      const giveUp = alert.attempts + 1 >= maxAttempts;
      store.markAlertFailure(alert.id, message, giveUp, options.now());
      result.failed.push({ advisoryId: alert.advisoryId, error: message });
      log?.warn({ advisory: alert.advisoryId, err: message, giveUp }, 'alert post failed');
      return null;
    }
  };

  const update = async (alert: AlertRow, view: AlertView): Promise<boolean> => {
    if (!alert.messageTs) return false;
    const { first } = alertMessage(view);
    try {
      await slack.update({ channel, ts: alert.messageTs, text: first.text, blocks: first.blocks });
      return true;
    } catch (err) {
      log?.warn({ advisory: alert.advisoryId, err: (err as Error).message }, 'alert update failed; will retry next run');
      return false;
    }
  };

  // New and changed alerts.
  for (const [advisoryId, findings] of openByAdvisory) {
    const rep = findings[0]!;
    let alert = alerts.get(advisoryId);
    if (alert?.state === 'failed') continue;
    if (!alert) {
      if (!findings.some((r) => r.alertable)) continue; // only a baseline: shown by /audit, not alerted
      const affected = composeAffected(advisoryId, []);
      alert = store.recordAlert({ channel, advisoryId, affected, now: options.now() });
      await options.afterRecord?.(alert);
    }
    const affected = composeAffected(advisoryId, alert.affected);
    if (alert.state === 'recorded') {
      const ts = await post(alert, viewOf(alert, rep, affected, false, unknownAs));
      if (ts) {
        store.markAlertPosted(alert.id, ts, affected, options.now());
        result.posted++;
      }
      continue;
    }
    if (alert.state === 'resolved' || openKey(affected) !== openKey(alert.affected)) {
      if (await update(alert, viewOf(alert, rep, affected, false, unknownAs))) {
        store.markAlertPosted(alert.id, alert.messageTs!, affected, options.now());
        result.updated++;
      }
    }
  }

  // Alerts whose every listed repository is fixed.
  for (const alert of alerts.values()) {
    if (openByAdvisory.has(alert.advisoryId) || ignoredAdvisories.has(alert.advisoryId)) continue;
    if (alert.state === 'resolved' || alert.state === 'failed') continue;
    const history = latestByAdvisory.get(alert.advisoryId) ?? [];
    const rep = history[0];
    if (!rep) continue;
    const affected = composeAffected(alert.advisoryId, alert.affected);
    const view = viewOf(alert, rep, affected, true, unknownAs);
    if (alert.state === 'recorded') {
      // Recorded, never posted, fixed since: still said, once, in its final form.
      const ts = await post(alert, view);
      if (!ts) continue;
      store.markAlertPosted(alert.id, ts, affected, options.now());
      result.posted++;
    } else if (!(await update(alert, view))) {
      continue;
    }
    store.markAlertResolved(alert.id, affected, options.now());
    result.resolved++;
  }
  return result;
}
