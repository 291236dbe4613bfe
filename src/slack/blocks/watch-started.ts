/**
 * The message that a repository is now watched, with what it already has (src/watch/watch-started.ts):
 * counts by severity, the worst few, and `/audit owner/repo` for the full list. Short on purpose:
 * the audit reply is where the details live.
 */
import type { KnownBlock } from '@slack/types';
import { DEFAULT_UNKNOWN_AS, SEVERITY_ORDER, severityLabel, type Severity } from '../../audit/findings.js';
import { plural } from '../../plural.js';
import type { WatchStarted } from '../../watch/messages.js';
import { fitOneMessage, type FittedMessage } from './fit.js';
import { context, escapeMrkdwn, escapeMrkdwnText, link, section, truncate } from './kit.js';

export function watchStartedMessage(message: WatchStarted): FittedMessage {
  // Unrated ones as this channel counts them, as its alerts say them.
  const severityWord = (s: string) => severityLabel(s as Severity, message.unknownAs ?? DEFAULT_UNKNOWN_AS);
  const name = message.repoUrl ? link(message.repoUrl, message.repo) : `*${escapeMrkdwn(message.repo)}*`;
  const audit = `\`/audit ${escapeMrkdwn(message.repo)}\``;
  const counts = (SEVERITY_ORDER as string[])
    .filter((s) => (message.counts[s] ?? 0) > 0)
    .map((s) => `${message.counts[s]} ${severityWord(s)}`)
    .join(', ');
  const lines = message.top.map((t) => {
    const at = t.package ? ` in ${escapeMrkdwn(t.package)}${t.version ? ` ${escapeMrkdwn(t.version)}` : ''}` : '';
    const summary = t.summary ? `: ${escapeMrkdwn(truncate(t.summary, 120))}` : '';
    return `• *${escapeMrkdwn(t.id)}* (${severityWord(t.severity)})${at}${summary}`;
  });
  const more = message.total - message.top.length;
  const blocks: KnownBlock[] = [
    section(`👀 Now watching ${name}. It already has ${plural(message.total, 'known vulnerability', 'known vulnerabilities')} (${counts}):`),
    section([...lines, ...(more > 0 ? [`…and ${more} more`] : [])].join('\n')),
    context(
      `These were known before this channel watched it and are not alerted here one by one; ${audit} lists them all with their fixes. New advisories are alerted here from now on` +
        (message.alertedApart > 0 ? ` (${plural(message.alertedApart, 'advisory', 'advisories')} new since the watch was made: alerted apart).` : '.'),
    ),
  ];
  return fitOneMessage({ text: `Now watching ${escapeMrkdwnText(message.repo)}: ${plural(message.total, 'known vulnerability', 'known vulnerabilities')}`, blocks }, `the watch-started message for ${message.repo}`);
}
