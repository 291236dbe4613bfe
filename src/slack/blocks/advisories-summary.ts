/**
 * One repository about which an alerts run had many messages to post (src/watch/dependency-alerts.ts
 * decides when, and what): "acme/web: 397 advisories new to this channel, in 310 packages (12
 * critical, …)", the worst few named, and `/audit` to see them all. Posted once; never edited.
 */
import type { KnownBlock } from '@slack/types';
import { DEFAULT_UNKNOWN_AS, severityLabel, severityOrder, type Severity } from '../../audit/findings.js';
import { plural } from '../../plural.js';
import { styleOf } from '../../report/severity-style.js';
import { osvUrl } from '../../report/summary.js';
import type { AdvisoriesSummary } from '../../watch/messages.js';
import { fitOneMessage, type FittedMessage } from './fit.js';
import { context, escapeMrkdwn, header, link, md, section, truncate } from './kit.js';

export function advisoriesSummaryMessage(data: AdvisoriesSummary): FittedMessage {
  const unknownAs = data.unknownAs ?? DEFAULT_UNKNOWN_AS;
  const counts = severityOrder(unknownAs)
    .filter((s) => (data.bySeverity[s] ?? 0) > 0)
    .map((s) => (s === 'unknown' ? `${data.bySeverity[s]} not rated, treated as ${unknownAs}` : `${data.bySeverity[s]} ${s}`))
    .join(', ');
  const worst = (data.worst[0]?.severity ?? 'unknown') as Severity;
  const advisories = plural(data.total, 'advisory', 'advisories');
  const packages = plural(data.packages, 'package');
  const named = data.worst.map((a) => {
    const level = a.severity === 'unknown' ? severityLabel('unknown', unknownAs) : styleOf(a.severity as Severity).label;
    return `• ${styleOf(a.severity as Severity).emoji} ${link(osvUrl(a.id), a.id)}${a.malicious ? ' (malicious)' : ''} · ${escapeMrkdwn(level)} · ${escapeMrkdwn(a.package)} ${escapeMrkdwn(a.version)}: ${escapeMrkdwn(truncate(a.summary || 'no summary', 120))}`;
  });
  const left = data.total - named.length;
  const audit = `/audit ${data.repo}`;
  const blocks: KnownBlock[] = [
    header(`${styleOf(worst).emoji} ${data.repo}: ${advisories} new to this channel`),
    section(
      `*${escapeMrkdwn(data.repo)}* now has *${advisories}* new to this channel, in ${packages}${counts ? ` (${escapeMrkdwn(counts)})` : ''}. Worst first:\n${named.join('\n')}${left > 0 ? `\n…and ${left} more` : ''}`,
    ),
    context(
      `Said in one message rather than one each, so the channel is not flooded. Each counts as alerted in this channel (it is not said again); \`${escapeMrkdwn(audit)}\` lists them all with their fixes, *Ignore…* and *Start incident*, and one published from now on gets its own alert.`,
    ),
  ];
  const text = md`${data.repo}: ${advisories} new to this channel, in ${packages}${counts ? ` (${counts})` : ''}. See them all: ${audit}`.text;
  return fitOneMessage({ text, blocks }, `advisories summary ${data.repo}`);
}
