/**
 * A dependency a watched repository newly has, and the advisories it brought that are new to the
 * channel, in one message (src/watch/dependency-alerts.ts decides which): "acme/web now depends on
 * pillow 8.0.0, which has 26 known advisories (3 critical, …)", the worst few named, the rest
 * counted, and the release that clears them. Posted once; never edited.
 */
import type { KnownBlock } from '@slack/types';
import { DEFAULT_UNKNOWN_AS, severityLabel, type Severity } from '../../audit/findings.js';
import { plural } from '../../plural.js';
import { styleOf } from '../../report/severity-style.js';
import { osvUrl, severityCounts } from '../../report/summary.js';
import type { DependencyAdvisories } from '../../watch/messages.js';
import { fitOneMessage, type FittedMessage } from './fit.js';
import { ALERT_ACTIONS } from './alert.js';
import { alertFixValue } from './fix-pr.js';
import { actions, button, context, escapeMrkdwn, header, link, md, section, truncate } from './kit.js';

/** Advisories named one by one; the rest are counted (`/audit` lists them all). */
const NAMED_ADVISORIES = 5;

export function dependencyAlertMessage(data: DependencyAdvisories): FittedMessage {
  const unknownAs = data.unknownAs ?? DEFAULT_UNKNOWN_AS;
  const worst = (data.advisories[0]?.severity ?? 'unknown') as Severity;
  const known = plural(data.total, 'known advisory', 'known advisories');
  // Counted from the advisories kept (all of them up to DEPENDENCY_ADVISORIES_KEPT).
  const counts = severityCounts(data.advisories.map((a) => ({ severity: a.severity as Severity })), unknownAs);
  const where = data.file ? `${data.file}${data.line ? `:${data.line}` : ''}` : '';
  const place = where ? ` in ${data.url ? link(data.url, where) : `\`${escapeMrkdwn(where)}\``}` : '';
  const named = data.advisories.slice(0, NAMED_ADVISORIES).map((a) => {
    const level = a.severity === 'unknown' ? severityLabel('unknown', unknownAs) : styleOf(a.severity).label;
    return `• ${styleOf(a.severity).emoji} ${link(osvUrl(a.id), a.id)}${a.malicious ? ' (malicious)' : ''} · ${escapeMrkdwn(level)}: ${escapeMrkdwn(truncate(a.summary || 'no summary', 150))}`;
  });
  const left = data.total - named.length;
  const fix =
    data.fixVersion !== null
      ? `*Fix:* move to ${escapeMrkdwn(data.package)} ${escapeMrkdwn(data.fixVersion)} or later, which clears all of them.`
      : data.unfixed === data.total
        ? `*Fix:* no release of ${escapeMrkdwn(data.package)} fixes ${data.total === 1 ? 'it' : 'them'} yet.`
        : `*Fix:* ${plural(data.unfixed, 'of them has', 'of them have')} no fixed release yet; the others are fixed in later releases.`;
  const blocks: KnownBlock[] = [
    header(`${styleOf(worst).emoji} ${data.repo} now depends on ${data.package} ${data.version}`),
    section(`*${escapeMrkdwn(data.repo)}* now depends on *${escapeMrkdwn(data.package)} ${escapeMrkdwn(data.version)}*${place}, which has ${known}${counts ? ` (${escapeMrkdwn(counts)})` : ''}. Worst first:\n${named.join('\n')}${left > 0 ? `\n…and ${left} more` : ''}`),
    section(fix),
    // The alert recorded first with it lists the repository: "Open fix PR" works from it as from that alert.
    ...(data.offerFixPr && data.alertId !== undefined && data.unfixed < data.total
      ? [actions(`dependency-${data.alertId}-fix`, button({ text: truncate(`Open fix PR: ${data.repo}`, 75), actionId: `${ALERT_ACTIONS.openFixPr}_0`, value: alertFixValue(data.alertId, data.repo) }))]
      : []),
    context(
      `These advisories are not new; the dependency is. Each counts as alerted in this channel (it is not said again), \`/audit ${escapeMrkdwn(data.repo)}\` lists them all with *Ignore…* and *Start incident*, and one published from now on gets its own alert.`,
    ),
  ];
  const text = md.fallback`${data.repo} now depends on ${data.package} ${data.version}, which has ${known}${counts ? ` (${counts})` : ''}`.text;
  return fitOneMessage({ text, blocks }, `dependency ${data.package} ${data.version}`);
}
