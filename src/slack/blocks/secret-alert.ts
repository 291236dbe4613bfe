/**
 * The new-secret alert: a credential was committed to a watched repository. It says what kind of
 * credential, where (linked to the line at the commit that added it) and its fingerprint, and what
 * to do; never the value, which is not in the data at all (src/watch/secret-alerts.ts). New code
 * findings at high or critical from the same commit come in the same message.
 */
import type { KnownBlock } from '@slack/types';
import { plural } from '../../plural.js';
import type { SecretAlert } from '../../watch/messages.js';
import { fitOneMessage, type FittedMessage } from './fit.js';
import { styleOf } from '../../report/severity-style.js';
import { context, escapeMrkdwn, escapeMrkdwnText, header, link, listSections, section, truncate } from './kit.js';
import { SLACK_LIMITS, cumulativeText } from './limits.js';

/** Secrets (and code findings) listed one by one at most; fewer when their lines are long. */
const MAX_LISTED = 20;

function place(file: string, line: number | null, url: string | null): string {
  const label = `${file}${line ? `:${line}` : ''}`;
  return url ? link(url, label) : `\`${escapeMrkdwn(label)}\``;
}

/** The secrets' share of the message when code findings come with them (the findings get the rest). */
const SECRETS_ROOM = 5000;

/** One message: posted once, with no thread to continue in. */
export function secretAlertMessage(alert: SecretAlert): FittedMessage {
  const short = alert.sha.slice(0, 7);
  const commit = alert.repoUrl ? link(`${alert.repoUrl.replace(/\/+$/, '')}/commit/${alert.sha}`, short) : `\`${escapeMrkdwn(short)}\``;
  const findings = alert.findings ?? [];
  // What does not fit is in the repository's audit, which lists every code finding it still has. A
  // private repository's audit is for admins when DEPWATCH_ADMINS is set (src/authz/policy.ts; without
  // it everyone counts as one), so the line says who can run it; unknown counts as private there too.
  const audit = `\`/audit ${escapeMrkdwn(alert.repo)}\``;
  const more = (left: number): string =>
    alert.private === false
      ? `…and ${left} more (${audit} lists the repository’s code findings)`
      : `…and ${left} more (a Depwatch admin can list the repository’s code findings with ${audit})`;
  const blocks: KnownBlock[] = [header(alert.secrets.length ? `Secret committed: ${alert.repo}` : `New code findings: ${alert.repo}`)];
  if (alert.secrets.length) {
    // What to do is measured first: the lists get the room it leaves, so it is never what is cut.
    const todo: KnownBlock[] = [
      section(`*Rotate it now*: anyone who can read the repository (or its history) has it. ${escapeMrkdwn(truncate(alert.secrets[0]!.fix, 500))}`),
      context('Removing it from the code does not revoke it: the commit stays in the history. The value is never shown here, in logs or in the database; the fingerprint identifies it across scans.'),
    ];
    const room = SLACK_LIMITS.messageTextBudget - cumulativeText([...blocks, ...todo]);
    const lines = alert.secrets.map((s) => `• 🔴 *${escapeMrkdwn(s.kind)}* in ${place(s.file, s.line, s.url)} (fingerprint \`${escapeMrkdwn(s.fingerprint)}\`)`);
    blocks.push(
      ...listSections(`${plural(alert.secrets.length, 'hardcoded secret')} first seen at ${commit} in *${escapeMrkdwn(alert.repo)}*:`, lines, { room: findings.length ? Math.min(room, SECRETS_ROOM) : room, more, max: MAX_LISTED }),
      ...todo,
    );
  }
  if (findings.length) {
    const lines = findings.map((f) => `• ${styleOf(f.severity).emoji} \`${escapeMrkdwn(f.rule)}\` in ${place(f.file, f.line, f.url)}: ${escapeMrkdwn(truncate(f.message, 200))}\n      _${escapeMrkdwn(truncate(f.fix, 200))}_`);
    const room = SLACK_LIMITS.messageTextBudget - cumulativeText(blocks);
    blocks.push(...listSections(`${plural(findings.length, 'new code finding')} at high or critical, first seen at ${commit}:`, lines, { room, more, max: MAX_LISTED }));
  }
  const parts = [
    ...(alert.secrets.length ? [`${plural(alert.secrets.length, 'hardcoded secret')} committed (${alert.secrets.map((s) => escapeMrkdwn(s.kind)).slice(0, 3).join(', ')})`] : []),
    ...(findings.length ? [plural(findings.length, 'new code finding')] : []),
  ];
  // The notification text is mrkdwn too: the repository's name and the kinds come from outside.
  return fitOneMessage({ text: `${escapeMrkdwnText(alert.repo)}: ${parts.join('; ')}`, blocks }, `the secret alert for ${alert.repo} at ${short}`);
}
