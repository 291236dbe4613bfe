/**
 * The new-advisory alert: one message per advisory per channel, listing every watched repository it
 * hits (version, file:line link, fix), with "Start incident" and "Ignore…". When every listed
 * repository is fixed the same message is updated to say so, and by which commit. Buttons carry the
 * alert id only; the click handler re-reads the store.
 */
import type { KnownBlock } from '@slack/types';
import { severityLabel } from '../../audit/findings.js';
import { plural } from '../../plural.js';
import { styleOf } from '../../report/severity-style.js';
import { osvUrl } from '../../report/summary.js';
import type { AffectedRepo } from '../../store/watches.js';
import { closedKind } from '../../watch/closed-reasons.js';
import { ALERT_REPOS_LISTED, type AdvisoryAlert } from '../../watch/messages.js';
import { fitOneMessage, type FittedMessage } from './fit.js';
import { actions, button, context, escapeMrkdwn, header, link, listSections, listWithin, md, section, truncate } from './kit.js';
import { SLACK_LIMITS, cumulativeText } from './limits.js';
import { alertFixValue } from './fix-pr.js';

export const ALERT_ACTIONS = {
  startIncident: 'depwatch_alert_start_incident',
  ignore: 'depwatch_alert_ignore',
  /** One per affected repository (action ids are unique within a block): `depwatch_alert_fix_pr_0`, `_1`… */
  openFixPr: 'depwatch_alert_fix_pr',
} as const;

export const ALERT_FIX_PR_ACTION = new RegExp(`^${ALERT_ACTIONS.openFixPr}_\\d+$`);

/** "Open fix PR" buttons at most (Slack allows 25 elements a block; more would crowd the alert). */
const MAX_FIX_BUTTONS = 5;

/** What the alert says (decided in src/watch); this file only lays it out. */
export type AlertView = AdvisoryAlert;

/**
 * Repositories listed in full at most (fewer when their lines are long: they share one message); an
 * alert naming more gets the complete list in its thread (src/watch/alerts.ts, alert-list.ts).
 */
const MAX_LISTED = ALERT_REPOS_LISTED;

/** The names of the repositories not listed in full, at most; their count is always said. */
const MORE_NAMES_MAX = 1000;

/** A repository's pins listed in full at most (a monorepo may pin one package in many files). */
const MAX_PINS_LISTED = 5;

/** The repositories named in the notification text at most (a phone shows its start only). */
const TEXT_NAMES_ROOM = 1000;

function commitLink(a: AffectedRepo): string {
  if (!a.fixedBySha) return 'no longer reported (the advisory was withdrawn or changed)';
  const short = a.fixedBySha.slice(0, 7);
  return a.repoUrl ? link(`${a.repoUrl.replace(/\/+$/, '')}/commit/${a.fixedBySha}`, short) : `\`${escapeMrkdwn(short)}\``;
}

/**
 * How a closed repository is named in a resolved alert: fixed by a commit (or an advisory change), or
 * why it is not listed although nothing fixed it (no longer checked, ignored, out of the channel's sight).
 */
function closedText(a: AffectedRepo): string {
  if (notFixed(a)) {
    const reason = shortReason(a.closedReason!);
    const kind = closedKind(a.closedReason!);
    return kind === 'excluded' ? `${a.repo} no longer checked (${reason})` : kind === 'ignored' ? `${a.repo} not fixed (${reason})` : `${a.repo} ${reason}`;
  }
  return `${a.repo} by ${a.fixedBySha?.slice(0, 7) ?? 'an advisory change'}`;
}

const FIX_PULL_STATE = { open: 'open', merged: 'merged', closed: 'closed without merging' } as const;

/**
 * A closing reason as one short line: it quotes the repository's own `.depwatch.yml` (up to 2,000
 * characters, line breaks kept), and one long reason must not push other repositories out of the alert.
 */
const shortReason = (reason: string): string => truncate(reason.replace(/\s+/g, ' ').trim(), 200);

/** Closed without being fixed (its file now excluded, an ignore covering it, the repository out of sight): never said to be fixed. */
const notFixed = (a: AffectedRepo) => a.fixedAt !== null && !!a.closedReason;

/** What a resolved alert's title says of the repositories closed without a fix, by kind. */
const NOT_FIXED_TITLE = { excluded: 'no longer checked', ignored: 'ignored, not fixed', unwatched: 'no longer watched or visible here' } as const;

function repoLine(a: AffectedRepo): string {
  const where = a.file ? (a.url ? link(a.url, `${a.file}${a.line ? `:${a.line}` : ''}`) : escapeMrkdwn(`${a.file}${a.line ? `:${a.line}` : ''}`)) : '';
  const name = `*${escapeMrkdwn(a.repo)}*`;
  if (notFixed(a)) {
    const reason = escapeMrkdwn(shortReason(a.closedReason!));
    const kind = closedKind(a.closedReason!);
    return `➖ ${name}: ${kind === 'excluded' ? `no longer checked: ${reason}` : kind === 'ignored' ? `not fixed, ${reason}` : `${reason} (not known to be fixed)`}`;
  }
  if (a.fixedBySha !== null || a.fixedAt !== null) return `✅ ${name}: fixed by ${commitLink(a)}`;
  const pull = a.fixPull ? ` · fix pull request ${link(a.fixPull.url, `#${a.fixPull.number}`)}: ${FIX_PULL_STATE[a.fixPull.state]}` : '';
  return `• ${name} ${a.version ? `\`${escapeMrkdwn(a.version)}\` ` : ''}${where ? `in ${where}` : ''}\n   ↳ ${escapeMrkdwn(a.fix)}${pull}`;
}

/** The pins of each repository, in the alert's order: a repository is listed, counted and named once. */
function byRepository(affected: readonly AffectedRepo[]): AffectedRepo[][] {
  const groups = new Map<string, AffectedRepo[]>();
  for (const a of affected) {
    const group = groups.get(a.repo);
    if (group) group.push(a);
    else groups.set(a.repo, [a]);
  }
  return [...groups.values()];
}

/** One repository's lines: each pin (up to MAX_PINS_LISTED, the rest counted), so it is listed whole or not at all. */
function repoLines(pins: readonly AffectedRepo[]): string {
  const shown = pins.slice(0, MAX_PINS_LISTED).map(repoLine);
  const left = pins.length - shown.length;
  return [...shown, ...(left > 0 ? [`   …and ${plural(left, 'more pin', 'more pins')} in *${escapeMrkdwn(pins[0]!.repo)}*`] : [])].join('\n');
}

/** `1 repository no longer checked, 2 ignored, not fixed`: how many of each kind, first kind naming the noun. */
function notFixedCounts(unfixed: AffectedRepo[]): string {
  const counts = new Map<keyof typeof NOT_FIXED_TITLE, number>();
  for (const a of unfixed) counts.set(closedKind(a.closedReason!), (counts.get(closedKind(a.closedReason!)) ?? 0) + 1);
  return (['excluded', 'ignored', 'unwatched'] as const)
    .filter((k) => counts.has(k))
    .map((k, i) => `${i === 0 ? plural(counts.get(k)!, 'repository', 'repositories') : counts.get(k)!} ${NOT_FIXED_TITLE[k]}`)
    .join(', ');
}

/**
 * Where the repositories the message does not name in full are: the complete list in the thread once
 * it is posted there (never before), or why it is not; nothing when the alert has no list.
 */
function listPointer(view: AlertView): string {
  if (view.listInThread === 'posted') return ' (the complete list is in this thread)';
  if (view.listInThread === 'failed') return ` (their complete list could not be posted in this thread; \`depwatch watch affected ${escapeMrkdwn(view.advisoryId)}\` lists them)`;
  return '';
}

/** The alert as one message: it is edited in place later; the complete list of a long one goes in its thread. */
export function alertMessage(view: AlertView): FittedMessage {
  const open = view.affected.filter((a) => a.fixedAt === null);
  // A repository has one entry per vulnerable pin (two files, two versions), but is named once.
  const openRepos = [...new Set(open.map((a) => a.repo))];
  const what = view.malicious ? 'Malicious package' : 'New advisory';
  const pkg = view.package ? ` in ${view.package}` : '';
  // Resolved: none is open any more. "Fixed" only when every one was; those closed without a fix
  // (no longer checked, ignored, no longer watched here) are counted apart.
  const unfixed = view.affected.filter(notFixed);
  const title = view.resolved
    ? unfixed.length
      ? `${view.advisoryId}${pkg}: no longer open in any watched repository (${notFixedCounts(unfixed)})`
      : `✅ ${view.advisoryId}${pkg}: fixed in every watched repository`
    : `${styleOf(view.severity).emoji} ${what}${pkg}: ${view.advisoryId} hits ${plural(openRepos.length, 'watched repository', 'watched repositories')}`;
  const aliases = view.aliases.length ? ` (also ${view.aliases.map(escapeMrkdwn).join(', ')})` : '';
  const blocks: KnownBlock[] = [
    header(title),
    section(`${link(osvUrl(view.advisoryId), view.advisoryId)}${aliases}: ${escapeMrkdwn(view.summary || 'no summary')}`),
    context(
      `Severity: ${styleOf(view.severity).emoji} *${view.severity === 'unknown' ? severityLabel('unknown', view.unknownAs) : styleOf(view.severity).label}*${view.cvss !== null ? ` (CVSS ${view.cvss.toFixed(1)})` : ''}`,
      `Alert #${view.alertId}`,
    ),
  ];
  // What to do comes before the repositories, which get the room the rest leaves: when something
  // has to give it is the list (saying so), never the buttons.
  if (view.resolved) {
    const fixes = view.affected.map((a) => md`${closedText(a)}`.text);
    const lead = unfixed.length ? 'Closed in ' : 'Fixed in ';
    blocks.push(context(`${lead}${listWithin(fixes, ', ', { room: SLACK_LIMITS.textObject - lead.length, more: (left) => `…and ${left} more${listPointer(view)}` })}`));
  } else {
    blocks.push(
      actions(
        `alert-${view.alertId}`,
        button({ text: 'Start incident', actionId: ALERT_ACTIONS.startIncident, value: String(view.alertId), style: 'danger' }),
        button({ text: 'Ignore…', actionId: ALERT_ACTIONS.ignore, value: String(view.alertId) }),
      ),
    );
    // A repository whose fix pull request is open or merged needs no button (a closed one may be tried again).
    const fixable = view.offerFixPrs ? open.filter((a, i) => a.fixVersion !== null && (!a.fixPull || a.fixPull.state === 'closed') && open.findIndex((b) => b.repo === a.repo) === i).slice(0, MAX_FIX_BUTTONS) : [];
    if (fixable.length) {
      blocks.push(
        actions(
          `alert-${view.alertId}-fix`,
          ...fixable.map((a, i) => button({ text: truncate(`Open fix PR: ${a.repo}`, 75), actionId: `${ALERT_ACTIONS.openFixPr}_${i}`, value: alertFixValue(view.alertId, a.repo) })),
        ),
      );
    }
  }
  // Listed, counted and named by repository: its pins (two files, two versions) stay together under it.
  const repos = byRepository(view.affected);
  // Repositories that do not fit in full are still named, after how many they are, as many as the
  // room allows (whole names, with their pins when more than one), the rest counted.
  const more = (left: number): string => {
    const names = repos.slice(-left).map((pins) => `${escapeMrkdwn(pins[0]!.repo)}${pins.length > 1 ? ` (${pins.length} pins)` : ''}`);
    const head = `…and ${plural(left, 'more repository', 'more repositories')}${listPointer(view)}: `;
    const unnamedHere = view.listInThread === 'posted' ? 'not named here (the thread lists them)' : 'not named here (no room left in one message)';
    return head + listWithin(names, ', ', { room: MORE_NAMES_MAX - head.length, more: (unnamed) => `…and ${unnamed} more ${unnamedHere}` });
  };
  blocks.push(...listSections('', repos.map(repoLines), { room: SLACK_LIMITS.messageTextBudget - cumulativeText(blocks), more, max: MAX_LISTED }));
  // The notification text is mrkdwn too: advisory ids and package names come from OSV.
  const text = view.resolved
    ? unfixed.length
      ? md.fallback`${view.advisoryId}${pkg} is no longer open in any watched repository: ${view.affected.map(closedText).join(', ')}`.text
      : md.fallback`✅ ${view.advisoryId}${pkg} is fixed in every watched repository: ${view.affected.map(closedText).join(', ')}`.text
    : md.fallback`${what}${pkg}: ${view.advisoryId} (${view.severity === 'unknown' ? severityLabel('unknown', view.unknownAs) : view.severity}) hits ${listWithin(openRepos, ', ', { room: TEXT_NAMES_ROOM, more: (left) => `…and ${left} more` })}`.text;
  return fitOneMessage({ text, blocks }, `alert #${view.alertId}`);
}
