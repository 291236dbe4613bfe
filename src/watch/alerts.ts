/**
 * New-advisory alerts for one channel, reconciled from the store: one alert per (advisory group,
 * channel) listing every watched repository it hits there; the message is edited when the list
 * changes, and edited to "fixed" (with the fixing commits) once every listed repository is fixed.
 *
 * What to say is decided here; how it looks and how it reaches Slack is not. Every change of an
 * alert (new, list changed, resolved) is written in ONE transaction with the outbox row that
 * announces it (src/store/outbox: a post, or an update of the alert's message), and the delivery
 * loop in src/slack/outbox/ renders, posts and records it exactly once (docs/outbox.md). A crash
 * after the transaction loses nothing (the row is there); a crash before it changed nothing.
 * `recordAlertDeliveries` then copies what the outbox delivered (the message ts, a failure) back
 * onto the alerts.
 *
 * Which findings alert: those first seen after a repository's baseline (its first audit that read
 * the advisories) and after the channel watched it (for a baseline finding alerted for its
 * advisory's publication: published after the watch); what it already had then is said once in the
 * channel's "Now watching" message instead (watch-started.ts), and what that message did not count
 * (closed, or ignored by the channel, then) alerts when it is open there later. Findings covered by a channel ignore
 * do not alert, and an alert whose remaining findings are all ignored is left as it is rather than
 * called fixed.
 *
 * An alert naming more repositories than its message lists in full (ALERT_REPOS_LISTED) gets their
 * complete list in its thread: a reply of its own message, written with the post or edit it
 * follows (withThreadList), pointed at by an edit only once the outbox posted it, or said to be
 * missing once it was given up (sayThreadLists): the message never claims a list that is not there.
 *
 * Advisories that are new to the channel only because a repository newly has their dependency (a
 * package added, or moved to another version) are said in one message per repository, package and
 * version (dependency-alerts.ts): each is still recorded as an alert, so it is said once, with that
 * message as its announcement (AffectedRepo.announcedWith). Such an alert gets a message of its
 * own the first time it newly hits a repository where it may alert (not a baseline, not another
 * repository adding the same dependency: that one gets its own dependency message); any other
 * change, and resolving it, says nothing (a dependency removed again, or a fix pull request opened
 * for it, would otherwise be one message per advisory, for messages never posted).
 */
import { createHash } from 'node:crypto';
import { DEFAULT_UNKNOWN_AS, type RatedSeverity } from '../audit/findings.js';
import { applyIgnores } from '../audit/ignores.js';
import { blobLineUrl } from '../github/links.js';
import type { Logger } from '../log.js';
import type { OutboundMessage, OutboxRow } from '../store/outbox/types.js';
import type { WatchStateStore } from '../store/watch-state/types.js';
import { advisoryIdOf, repoKeyOfDisplay, type AffectedRepo, type AlertRow, type FindingRow, type RepoSummary } from '../store/watches.js';
import { ignoredReason, NO_LONGER_WATCHED, NOT_FOUND, NOT_VISIBLE } from './closed-reasons.js';
import { announcedWith, newlyHit, planDependencyMessages, summaryMessageKey, withAlertId } from './dependency-alerts.js';
import { ADVISORY_ALERT, ADVISORY_ALERT_LIST, ALERT_REPOS_LISTED, type AdvisoriesSummary, type AdvisoryAlert, type AdvisoryAlertList } from './messages.js';
import { channelViewOf, newToChannel, type ChannelView } from './watch-started.js';

export interface AlertDecisionOptions {
  /** The watch state and its outbox (SQLite or PostgreSQL): each alert change is one transaction there. */
  state: WatchStateStore;
  now: () => Date;
  logger?: Logger;
  /** DEPWATCH_FIX_PRS: alerts offer "Open fix PR" per affected repository. */
  offerFixPrs?: boolean;
  /**
   * The fix pull requests opened for repositories (store keys), shown on the alert and followed as
   * they are merged or closed: asked once per job for the repositories with open findings.
   */
  fixPullsOf?: (repoKeys: readonly string[]) => Promise<ReadonlyMap<string, AffectedRepo['fixPull']>>;
  /** Called after an alert and its outbox row are recorded, before delivery: tests simulate a crash here. */
  afterRecord?: (alert: AlertRow) => void | Promise<void>;
}

export interface AlertDeliveryResult {
  posted: number;
  updated: number;
  resolved: number;
  failed: { advisoryId: string; error: string }[];
}

export interface AlertDecisions {
  /** Alerts recorded this run (their posts are in the outbox). */
  recorded: number;
  /** Alerts whose message is to be edited (a repository fixed or newly hit). */
  changed: number;
  /** Alerts now resolved (their final edit is in the outbox). */
  resolved: number;
}

/** The post that announces an alert: its key is the alert's client key (also the Slack metadata key). */
export const alertPost = (alert: AlertRow, view: AdvisoryAlert): OutboundMessage => ({
  kind: ADVISORY_ALERT,
  data: view,
  channel: alert.channel,
  op: 'post',
  messageKey: alert.clientKey,
  idempotencyKey: alert.clientKey,
});

/** An edit of the alert's message; one per change, named by when the change was decided. */
const alertUpdate = (alert: AlertRow, view: AdvisoryAlert, now: Date): OutboundMessage => ({
  ...alertPost(alert, view),
  op: 'update',
  idempotencyKey: `${alert.clientKey}@${now.toISOString()}`,
});

const VULN_KINDS = ['vulnerability', 'malicious'];

/** An alert naming more repositories than its message lists in full: its complete list goes to its thread. */
const needsThreadList = (affected: readonly AffectedRepo[]) => new Set(affected.map((a) => a.repo)).size > ALERT_REPOS_LISTED;

/** What a complete list says (each pin, and whether and how it was closed), as a short digest: the same list is not posted twice. */
function listDigest(affected: readonly AffectedRepo[]): string {
  const said = affected.map((a) => [a.repo, a.version, a.file, a.line, a.fixedAt !== null, a.fixedBySha, a.closedReason ?? null]);
  return createHash('sha256').update(JSON.stringify(said)).digest('hex').slice(0, 32);
}

/** What the alert's message may say of a list in its thread: posted, given up, or nothing yet (on its way). */
function listState(row: OutboxRow): AdvisoryAlert['listInThread'] {
  return row.state === 'posted' ? 'posted' : row.state === 'failed' ? 'failed' : undefined;
}

/**
 * An alert's messages (its post or edits), with the complete list of its repositories for its
 * thread after the last of them when that one names more than its message lists
 * (ALERT_REPOS_LISTED): a reply of the alert's own message, written in the same transaction, so
 * replicas and retries write it once (its key is that message's key and `:list`). A list saying
 * what the thread's latest list (`previous`) says is not posted again: the message says that one's
 * state instead. A new list is not claimed by the message it follows (it is not there yet):
 * recordAlertDeliveries edits the message to point at it once the outbox posted it.
 */
function withThreadList(alert: AlertRow, messages: readonly OutboundMessage[], previous: OutboxRow | null, now: Date): OutboundMessage[] {
  let last = -1;
  messages.forEach((m, i) => {
    if (m.kind === ADVISORY_ALERT) last = i;
  });
  const message = messages[last];
  if (!message) return [...messages];
  const view = message.data as AdvisoryAlert;
  const { listInThread: _unclaimed, ...unclaimed } = view;
  if (!needsThreadList(view.affected)) return messages.map((m, i) => (i === last ? { ...m, data: unclaimed } : m));
  const digest = listDigest(view.affected);
  if (previous && (previous.data as Partial<AdvisoryAlertList>).digest === digest) {
    const said = listState(previous);
    return messages.map((m, i) => (i === last ? { ...m, data: said ? { ...unclaimed, listInThread: said } : unclaimed } : m));
  }
  const list: AdvisoryAlertList = { alertId: view.alertId, advisoryId: view.advisoryId, package: view.package, asOf: now.toISOString(), resolved: view.resolved, affected: view.affected, digest };
  const reply: OutboundMessage = { kind: ADVISORY_ALERT_LIST, data: list, channel: alert.channel, op: 'reply', messageKey: alert.clientKey, idempotencyKey: `${message.idempotencyKey}:list` };
  return [...messages.slice(0, last), { ...message, data: unclaimed }, reply, ...messages.slice(last + 1)];
}

/** withThreadList, reading the thread's latest list only when the alert needs one. */
async function withThreadListOf(state: WatchStateStore, alert: AlertRow, messages: readonly OutboundMessage[], now: Date): Promise<OutboundMessage[]> {
  const needs = messages.some((m) => m.kind === ADVISORY_ALERT && needsThreadList((m.data as AdvisoryAlert).affected));
  return withThreadList(alert, messages, needs ? await state.outbox.latestOfMessage(alert.clientKey, ADVISORY_ALERT_LIST) : null, now);
}

/**
 * The repositories whose findings this channel may see (private ones only when an admin linked them),
 * from the watch state, with the summaries of every repository the channel watches.
 */
export async function visibleReposIn(state: WatchStateStore, channel: string): Promise<{ repos: string[]; watched: string[]; summaries: Map<string, RepoSummary>; views: Map<string, ChannelView> }> {
  const watches = await state.watchesForChannel(channel);
  const summaries = await state.repoSummaries(watches.map((w) => w.repo));
  const repos = watches.filter((w) => w.adminLinked || !(w.private || summaries.get(w.repo)?.private)).map((w) => w.repo);
  return { repos, watched: watches.map((w) => w.repo), summaries, views: new Map(watches.map((w) => [w.repo, channelViewOf(w)])) };
}

function affectedOf(row: FindingRow, state: RepoSummary | undefined, fixPulls: ReadonlyMap<string, AffectedRepo['fixPull']> | null): AffectedRepo {
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
    ...(row.fixedAt && row.closedReason ? { closedReason: row.closedReason } : {}),
    ...(fixPulls ? { fixPull: fixPulls.get(row.repo) ?? null } : {}),
  };
}

function viewOf(alert: AlertRow, rep: FindingRow, affected: AffectedRepo[], resolved: boolean, unknownAs: RatedSeverity, offerFixPrs = false): AdvisoryAlert {
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
    ...(offerFixPrs ? { offerFixPrs } : {}),
  };
}

const openKey = (a: AffectedRepo[]) =>
  a
    .filter((x) => x.fixedAt === null)
    .map((x) => `${x.repo}|${x.version}|${x.file}|${x.fixPull ? `${x.fixPull.number}:${x.fixPull.state}` : ''}`)
    .sort()
    .join('\n');

/**
 * Decides what this channel's alerts should say now and records it: alert state and outbox rows,
 * one transaction per alert. Posts nothing itself. Replicas deciding at once for the same channel
 * record each alert once: the store keeps one alert per (channel, advisory) and changes an alert
 * only as it was read, so the replica that loses a race writes nothing (and does not count it).
 */
export async function decideAlerts(channel: string, options: AlertDecisionOptions): Promise<AlertDecisions> {
  const { state } = options;
  const decisions: AlertDecisions = { recorded: 0, changed: 0, resolved: 0 };
  const now = options.now();

  const { repos, watched, summaries, views } = await visibleReposIn(state, channel);
  const visible = new Set(repos);
  const watchedHere = new Set(watched);
  const unknownAs = (await state.channelUnknownAs(channel)) ?? DEFAULT_UNKNOWN_AS;
  // Alertable here: what a repository already had when this channel watched it is said once by its
  // "Now watching" message (watch-started.ts), even if another channel, watching it longer, was
  // alerted; what that message did not count (closed, or ignored here, then) alerts when it opens.
  const rows = (await state.findingsFor(repos, VULN_KINDS)).map((r) => {
    const here = newToChannel(r, views.get(r.repo));
    return here === r.alertable ? r : { ...r, alertable: here };
  });
  const open = rows.filter((r) => r.fixedAt === null);
  const { findings: marked } = applyIgnores(
    open.map((r) => r.finding),
    await state.ignoreRulesForChannel(channel),
    now,
  );
  const openByAdvisory = new Map<string, FindingRow[]>();
  const ignoredAdvisories = new Set<string>();
  /** Why each repository's open finding of an advisory is not listed: the channel ignore covering it (`advisory|repo`). */
  const ignoredHere = new Map<string, string>();
  open.forEach((row, i) => {
    const id = advisoryIdOf(row);
    if (!id) return;
    const ignoredBy = marked[i]?.ignoredBy;
    if (ignoredBy) {
      ignoredAdvisories.add(id);
      ignoredHere.set(`${id}|${row.repo}`, ignoredReason(ignoredBy));
      return;
    }
    openByAdvisory.set(id, [...(openByAdvisory.get(id) ?? []), row]);
  });
  for (const id of openByAdvisory.keys()) ignoredAdvisories.delete(id);
  const latestByAdvisory = new Map<string, FindingRow[]>();
  for (const r of rows) if (r.advisoryId) latestByAdvisory.set(r.advisoryId, [...(latestByAdvisory.get(r.advisoryId) ?? []), r]);

  const alerts = new Map((await state.alertsForChannel(channel)).map((a) => [a.advisoryId, a]));
  const outOfSight = (key: string) => (!watchedHere.has(key) ? NO_LONGER_WATCHED : !visible.has(key) ? NOT_VISIBLE : null);
  const corrections = await correctOutOfSightFixes(state, [...alerts.values()], outOfSight, now, (alert, rep, affected) =>
    viewOf(alert, rep, affected, alert.state === 'resolved', unknownAs, options.offerFixPrs),
  );
  for (const corrected of corrections) alerts.set(corrected.advisoryId, corrected);
  decisions.changed += corrections.length;
  // A Slack outage longer than the outbox retries (a day) left these alerts' messages given up:
  // queued again, each run, until Slack takes them. What Slack refused (the alert is failed) is not.
  const requeued = await state.outbox.requeue(
    [...alerts.values()].filter((a) => a.state !== 'failed').flatMap((a) => [a.clientKey, ...announcedWith(a)]),
    now,
  );
  if (requeued > 0) options.logger?.info({ channel, requeued }, 'alerts: messages given up during a Slack outage were queued again');
  const fixPulls = options.fixPullsOf ? await options.fixPullsOf([...new Set([...openByAdvisory.values()].flat().map((r) => r.repo))]) : null;
  /**
   * Said only by a dependency message so far (no post of its own in the outbox): an edit would have
   * no message to edit, so a change is its first post. Asked only of alerts a dependency message
   * said, once each per run.
   */
  const ownPosts = new Map<string, boolean>();
  const saidByDependencyOnly = async (alert: AlertRow): Promise<boolean> => {
    if (announcedWith(alert).length === 0) return false;
    if (!ownPosts.has(alert.clientKey)) ownPosts.set(alert.clientKey, (await state.outbox.row(alert.clientKey)) !== null);
    return !ownPosts.get(alert.clientKey);
  };
  // Asked only of alerts that newly hit a repository (or reopen): the others need no message either way.
  const dependencyOnly = new Set<string>();
  for (const alert of alerts.values()) {
    const rows = openByAdvisory.get(alert.advisoryId);
    if (rows && newlyHit(alert, rows).length > 0 && (await saidByDependencyOnly(alert))) dependencyOnly.add(alert.clientKey);
  }
  // What summaries of this sweep already say (one read for the channel's repositories): a crash or
  // another replica may have written one, and the advisories it names are said by it.
  const summaryRows = await state.outbox.rowsByKey([...new Set([...openByAdvisory.values()].flat().map((r) => summaryMessageKey(channel, r.repo, summaries.get(r.repo)?.checkedAt)))]);
  const summariesWritten = new Map([...summaryRows].map(([key, row]) => [key, new Set((row.data as Partial<AdvisoriesSummary>).advisoryIds ?? [])]));
  const byDependency = planDependencyMessages({ channel, openByAdvisory, alerts, dependencyOnly, summaries, unknownAs, summariesWritten, ...(options.offerFixPrs ? { offerFixPrs: true } : {}) });
  /**
   * The messages announcing a change of an alert: an edit of its own message; for one only a
   * dependency message said, its first post when it newly hits a repository where it may alert (an
   * edit would have no message to edit), and nothing for any other change (a line moved, a fix pull
   * request opened, a newly watched repository's baseline: one post per advisory of the dependency
   * would be the flood that message spared).
   */
  const changeMessages = async (alert: AlertRow, view: AdvisoryAlert): Promise<OutboundMessage[]> => {
    if (!(await saidByDependencyOnly(alert))) return [alertUpdate(alert, view, now)];
    // A repository's baseline (a repository newly watched) is shown by /audit and never alerted: listed without a message, as an edit would.
    return newlyHit(alert, openByAdvisory.get(alert.advisoryId) ?? []).some((r) => r.alertable) ? [alertPost(alert, view)] : [];
  };

  /**
   * A repository an alert listed before and no longer lists as open. A repository can hold several
   * rows for one advisory (the finding key includes the version: two pins in two files), and it is
   * fixed only when every one of them was closed by a fix. One still open (only a channel ignore
   * hides it) says that ignore; one closed for a reason (excluded, ignored) says that reason. One
   * the channel no longer watches, or may no longer see, is said to be out of sight, never fixed (it
   * is as vulnerable as it was). One fixed when it was last listed stays fixed while none is open.
   */
  const closedEntry = (advisoryId: string, before: AffectedRepo, key: string): AffectedRepo => {
    const repoRows = (latestByAdvisory.get(advisoryId) ?? []).filter((r) => r.repo === key);
    const stillOpen = repoRows.some((r) => r.fixedAt === null);
    if (before.fixedAt !== null && !before.closedReason && !stillOpen) return before;
    const away = outOfSight(key);
    if (away) return { ...before, fixedAt: before.fixedAt ?? now.toISOString(), fixedBySha: null, closedReason: away };
    const newestFirst = repoRows.filter((r) => r.fixedAt !== null).sort((a, b) => (b.fixedAt ?? '').localeCompare(a.fixedAt ?? ''));
    if (stillOpen || newestFirst.length === 0) {
      return { ...before, fixedAt: before.fixedAt ?? now.toISOString(), fixedBySha: null, closedReason: ignoredHere.get(`${advisoryId}|${key}`) ?? NOT_FOUND };
    }
    const notFixed = newestFirst.find((r) => r.closedReason);
    if (notFixed) return { ...before, fixedAt: notFixed.fixedAt, fixedBySha: null, closedReason: notFixed.closedReason };
    // Every row fixed: by the commit that fixed the last of them.
    const lastFixed = newestFirst[0]!;
    return { ...before, fixedAt: lastFixed.fixedAt, fixedBySha: lastFixed.fixedBySha, closedReason: null };
  };

  /**
   * Open findings, plus the repositories an alert listed before that no longer are (fixed, or why
   * not). A repository a dependency message said keeps that message's key (`said`: this decision's).
   */
  const composeAffected = (advisoryId: string, previous: AffectedRepo[], said?: ReadonlyMap<string, string>): AffectedRepo[] => {
    const openRows = openByAdvisory.get(advisoryId) ?? [];
    const saidBefore = new Map(previous.flatMap((p) => (p.announcedWith ? [[repoKeyOfDisplay(p.repo), p.announcedWith] as const] : [])));
    const current = openRows.map((r) => {
      const entry = affectedOf(r, summaries.get(r.repo), fixPulls);
      const key = said?.get(r.repo) ?? saidBefore.get(r.repo);
      return key ? { ...entry, announcedWith: key } : entry;
    });
    // By store key: the name shown may have changed case on GitHub since the alert listed it.
    const listed = new Set(openRows.map((r) => r.repo));
    for (const before of previous) {
      const key = repoKeyOfDisplay(before.repo);
      if (listed.has(key)) continue;
      listed.add(key);
      current.push(closedEntry(advisoryId, before, key));
    }
    return current;
  };

  // New and changed alerts.
  for (const [advisoryId, findings] of openByAdvisory) {
    const rep = findings[0]!;
    const alert = alerts.get(advisoryId);
    if (alert?.state === 'failed') continue;
    const said = byDependency.byAdvisory.get(advisoryId);
    if (said) {
      // New to the channel with a dependency: its message says it (written once, with the first of its advisories recorded).
      const messages = [...new Set(said.values())].map((key) => byDependency.messages.get(key)!);
      if (!alert) {
        const affected = composeAffected(advisoryId, [], said);
        const recorded = await state.recordAlert({ channel, advisoryId, affected, now }, (row) => messages.map((m) => withAlertId(m, row.id)));
        if (!recorded) continue;
        decisions.recorded++;
        await options.afterRecord?.(recorded);
      } else if (await state.changeAlert(alert, { affected: composeAffected(advisoryId, alert.affected, said), resolved: false, now }, messages.map((m) => withAlertId(m, alert.id)))) {
        decisions.changed++;
      }
      continue;
    }
    if (!alert) {
      if (!findings.some((r) => r.alertable)) continue; // only a baseline: shown by /audit, not alerted
      const affected = composeAffected(advisoryId, []);
      // A new alert: its thread has no list yet.
      const recorded = await state.recordAlert({ channel, advisoryId, affected, now }, (row) => withThreadList(row, [alertPost(row, viewOf(row, rep, affected, false, unknownAs, options.offerFixPrs))], null, now));
      if (!recorded) continue; // recorded meanwhile (another replica): it is announced once, by that one
      decisions.recorded++;
      await options.afterRecord?.(recorded);
      continue;
    }
    const affected = composeAffected(advisoryId, alert.affected);
    if (alert.state === 'recorded') {
      // Recorded by a version without the outbox: announce it now (a no-op when its post is there).
      // One a dependency message said waits for that message's delivery instead.
      if (!(await saidByDependencyOnly(alert))) await state.announce(await withThreadListOf(state, alert, [alertPost(alert, viewOf(alert, rep, alert.affected, false, unknownAs, options.offerFixPrs))], now), now);
      if (openKey(affected) === openKey(alert.affected)) continue;
    } else if (alert.state !== 'resolved' && openKey(affected) === openKey(alert.affected)) {
      continue;
    }
    const messages = await withThreadListOf(state, alert, await changeMessages(alert, viewOf(alert, rep, affected, false, unknownAs, options.offerFixPrs)), now);
    if (await state.changeAlert(alert, { affected, resolved: false, now }, messages)) decisions.changed++;
  }

  // Alerts whose every listed repository is fixed.
  for (const alert of alerts.values()) {
    if (openByAdvisory.has(alert.advisoryId) || ignoredAdvisories.has(alert.advisoryId)) continue;
    if (alert.state === 'resolved' || alert.state === 'failed') continue;
    const rep = (latestByAdvisory.get(alert.advisoryId) ?? [])[0];
    if (!rep) continue;
    const affected = composeAffected(alert.advisoryId, alert.affected);
    const messages: OutboundMessage[] = (await saidByDependencyOnly(alert))
      ? [] // said only with its dependency: resolved quietly (the dependency gone is one commit, not an edit per advisory)
      : [
          // Never posted yet? Its post goes first, and this edit follows it (the outbox keeps the order).
          ...(alert.state === 'recorded' ? [alertPost(alert, viewOf(alert, rep, alert.affected, false, unknownAs, options.offerFixPrs))] : []),
          alertUpdate(alert, viewOf(alert, rep, affected, true, unknownAs, options.offerFixPrs), now),
        ];
    if (await state.changeAlert(alert, { affected, resolved: true, now }, await withThreadListOf(state, alert, messages, now))) decisions.resolved++;
  }
  return decisions;
}

/**
 * Before review s16 H2 an alert called a repository fixed when its channel stopped watching it or
 * could no longer see it ("fixed by no longer reported", then "fixed in every watched repository"),
 * and stored it so; a decision keeps an entry that was fixed when last listed, so those alerts stayed
 * wrong. Such an entry says fixed by no commit and for no reason, its repository is out of the
 * channel's sight now (`outOfSight` says why), and the repository's finding of the advisory is still
 * open in the watch state: a real fix (a commit, a re-match) closed that row. It gets the reason,
 * and the alert's message is edited (a resolved one stays resolved, saying "no longer open" instead
 * of "fixed"); an alert never posted is left to its post. A corrected entry has its reason, so each
 * is corrected once; the findings are read only when an alert has an entry that may be one.
 */
async function correctOutOfSightFixes(
  state: WatchStateStore,
  alerts: readonly AlertRow[],
  outOfSight: (key: string) => string | null,
  now: Date,
  view: (alert: AlertRow, rep: FindingRow, affected: AffectedRepo[]) => AdvisoryAlert,
): Promise<AlertRow[]> {
  const suspect = (a: AffectedRepo) => a.fixedAt !== null && !a.closedReason && a.fixedBySha === null && outOfSight(repoKeyOfDisplay(a.repo)) !== null;
  const candidates = alerts.filter((alert) => (alert.state === 'posted' || alert.state === 'resolved') && alert.affected.some(suspect));
  if (candidates.length === 0) return [];
  const keys = [...new Set(candidates.flatMap((alert) => alert.affected.filter(suspect).map((a) => repoKeyOfDisplay(a.repo))))];
  const stillOpen = new Map<string, FindingRow>();
  for (const row of await state.findingsFor(keys, VULN_KINDS)) {
    const id = advisoryIdOf(row);
    if (row.fixedAt === null && id) stillOpen.set(`${id}|${row.repo}`, row);
  }
  const corrected: AlertRow[] = [];
  for (const alert of candidates) {
    let rep: FindingRow | undefined;
    const affected = alert.affected.map((a) => {
      const key = repoKeyOfDisplay(a.repo);
      const open = suspect(a) ? stillOpen.get(`${alert.advisoryId}|${key}`) : undefined;
      if (!open) return a;
      rep ??= open;
      return { ...a, closedReason: outOfSight(key) };
    });
    if (!rep) continue;
    // Its own key: another edit decided in the same run (same `now`) is a message of its own.
    const edit = { ...alertUpdate(alert, view(alert, rep, affected), now), idempotencyKey: `${alert.clientKey}@${now.toISOString()}:out-of-sight` };
    if (await state.changeAlert(alert, { affected, resolved: alert.state === 'resolved', now }, await withThreadListOf(state, alert, [edit], now))) corrected.push({ ...alert, affected });
  }
  return corrected;
}

/**
 * Copies what the outbox delivered onto this channel's alerts: the message ts of a post (the alert
 * is then `posted`), or `failed` when Slack refused the post for good. A post given up after a day
 * of transient failures leaves the alert `recorded`, with the error: the next run queues it again.
 */
export async function recordAlertDeliveries(channel: string, state: WatchStateStore, now: Date): Promise<number> {
  const alerts = await state.alertsForChannel(channel);
  // An alert with its message, never said by a dependency message, has nothing more to learn.
  const unsettled = alerts.filter((alert) => alert.state !== 'failed' && !(alert.messageTs && announcedWith(alert).length === 0));
  // The outbox rows they are read from, in one read (not one per alert): their own posts, and the
  // dependency messages that said those with no message yet.
  const keys = new Set(unsettled.flatMap((alert) => [alert.clientKey, ...(alert.messageTs ? [] : announcedWith(alert))]));
  const rows = await state.outbox.rowsByKey([...keys]);
  for (const alert of unsettled) {
    const own = rows.get(alert.clientKey) ?? null;
    if (alert.messageTs) {
      // Said by a dependency message, then posted on its own (it newly hit a repository): its own message is the one to reply under.
      if (own?.state === 'posted' && own.messageTs && own.messageTs !== alert.messageTs) await state.recordAlertMessage(alert.id, own.messageTs, now);
      continue;
    }
    // Said by a dependency message (and no post of its own since): that message is its announcement.
    const post = own ?? dependencyPost(rows, alert);
    if (post?.state === 'posted' && post.messageTs) await state.recordAlertMessage(alert.id, post.messageTs, now);
    else if (post?.state === 'failed') await state.markAlertFailure(alert.id, post.lastError ?? 'not delivered', post.failure !== 'transient', now);
  }
  return sayThreadLists(alerts, state, now);
}

/** How long after an alert last changed its thread list is followed (outbox retries last a day; requeues after an outage may add some). */
const LIST_FOLLOWED_MS = 7 * 24 * 60 * 60_000;

/**
 * The complete lists in alerts' threads (withThreadList), said by the alerts' messages once the
 * outbox is done with them: an edit pointing at the list once it is posted, or saying it could not
 * be posted once given up (a list given up after a Slack outage is queued again with its alert's
 * messages, and pointed at when it is posted then). Only the latest list of an alert, and only when
 * its latest message says what that list says (a later change brings a list of its own). Keyed by
 * the list and what is said of it, so replicas and runs again write each edit once. Returns how many
 * edits were written (to deliver now).
 */
async function sayThreadLists(alerts: readonly AlertRow[], state: WatchStateStore, now: Date): Promise<number> {
  // Not followed for ever (the rows of every long alert read at each run): a list still unposted a
  // week after its alert last changed stays unclaimed (never a false claim) if it goes out later.
  const followed = alerts.filter((alert) => alert.state !== 'failed' && needsThreadList(alert.affected) && now.getTime() - Date.parse(alert.updatedAt) <= LIST_FOLLOWED_MS);
  if (followed.length === 0) return 0;
  // What each says, in one read for them all: its latest list, its latest message, its post.
  const messages = await state.outbox.latestOfMessages(
    followed.map((alert) => alert.clientKey),
    [ADVISORY_ALERT_LIST, ADVISORY_ALERT],
  );
  const edits: OutboundMessage[] = [];
  for (const alert of followed) {
    const rows = messages.get(alert.clientKey);
    const list = rows?.latest.get(ADVISORY_ALERT_LIST);
    const said = list ? listState(list) : undefined;
    if (!rows || !list || !said) continue;
    const latest = rows.latest.get(ADVISORY_ALERT);
    const view = latest?.data as AdvisoryAlert | undefined;
    if (!latest || !view || view.listInThread === said || listDigest(view.affected) !== (list.data as AdvisoryAlertList).digest) continue;
    // A list given up because its alert's own post never went out: there is no message to edit.
    if (!rows.postedTs) continue;
    edits.push({ ...alertPost(alert, { ...view, listInThread: said }), op: 'update', idempotencyKey: `${list.idempotencyKey}:said-${said}` });
  }
  return edits.length ? state.outbox.enqueue(edits, now) : 0;
}

/** The delivered dependency message that said the alert (the first posted of them), else the first of them as it stands. */
function dependencyPost(rows: ReadonlyMap<string, OutboxRow>, alert: AlertRow): OutboxRow | null {
  const said = announcedWith(alert).flatMap((key) => rows.get(key) ?? []);
  return said.find((r) => r.state === 'posted') ?? said[0] ?? null;
}
