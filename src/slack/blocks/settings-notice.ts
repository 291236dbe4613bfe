/**
 * The notice of a watched repository's settings problems (src/watch/settings-notices.ts): which
 * lines of its `.depwatch.yml` do not apply as written, and what to do. One message, posted once.
 */
import type { KnownBlock } from '@slack/types';
import { plural } from '../../plural.js';
import type { SettingsNotice } from '../../watch/messages.js';
import { fitOneMessage, type FittedMessage } from './fit.js';
import { context, escapeMrkdwn, escapeMrkdwnText, header, link, listSections, truncate } from './kit.js';
import { SLACK_LIMITS, cumulativeText } from './limits.js';

/** Problems listed one by one at most (a file with thousands of bad entries says how many more). */
const MAX_LISTED = 20;

export function settingsNoticeMessage(notice: SettingsNotice): FittedMessage {
  const short = notice.sha.slice(0, 7);
  const commit = notice.repoUrl ? link(`${notice.repoUrl.replace(/\/+$/, '')}/commit/${notice.sha}`, short) : `\`${escapeMrkdwn(short)}\``;
  const audit = `\`/audit ${escapeMrkdwn(notice.repo)}\``;
  const blocks: KnownBlock[] = [header(`Settings not applied as written: ${notice.repo}`)];
  const after = context(`Until they are fixed, what those lines would ignore or exclude is reported as usual, so nothing is hidden by mistake. Said once; ${audit} shows them with the audit.`);
  const room = SLACK_LIMITS.messageTextBudget - cumulativeText([...blocks, after]);
  const lines = notice.problems.map((p) => `• ${escapeMrkdwn(truncate(p, 500))}`);
  blocks.push(
    ...listSections(`The settings of *${escapeMrkdwn(notice.repo)}* at ${commit} have ${plural(notice.total, 'problem')}:`, lines, {
      room,
      max: MAX_LISTED,
      alsoLeft: Math.max(0, notice.total - notice.problems.length),
      more: (left) => `…and ${left} more (${audit} lists them all)`,
    }),
    after,
  );
  return fitOneMessage({ text: `${escapeMrkdwnText(notice.repo)}: ${plural(notice.total, 'settings problem')}`, blocks }, `the settings notice for ${notice.repo} at ${short}`);
}
