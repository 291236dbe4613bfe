/**
 * The new-secret alert: a credential was committed to a watched repository. It says what kind of
 * credential, where (linked to the line at the commit that added it) and its fingerprint, and what
 * to do; never the value, which is not in the data at all (src/watch/secret-alerts.ts). New code
 * findings at high or critical from the same commit come in the same message.
 */
import type { KnownBlock } from '@slack/types';
import { plural } from '../../plural.js';
import type { SecretAlert } from '../../watch/messages.js';
import { fitMessage, type FittedMessage } from './fit.js';
import { styleOf } from '../../report/severity-style.js';
import { context, escapeMrkdwn, header, link, section, truncate } from './kit.js';

/** Secrets listed one by one; a commit that adds more is summarised after these. */
const MAX_LISTED = 20;

function place(file: string, line: number | null, url: string | null): string {
  const label = `${file}${line ? `:${line}` : ''}`;
  return url ? link(url, label) : `\`${escapeMrkdwn(label)}\``;
}

export function secretAlertMessage(alert: SecretAlert): FittedMessage {
  const short = alert.sha.slice(0, 7);
  const commit = alert.repoUrl ? link(`${alert.repoUrl.replace(/\/+$/, '')}/commit/${alert.sha}`, short) : `\`${escapeMrkdwn(short)}\``;
  const findings = alert.findings ?? [];
  const blocks: KnownBlock[] = [header(alert.secrets.length ? `Secret committed: ${alert.repo}` : `New code findings: ${alert.repo}`)];
  if (alert.secrets.length) {
    const listed = alert.secrets.slice(0, MAX_LISTED).map((s) => `• 🔴 *${escapeMrkdwn(s.kind)}* in ${place(s.file, s.line, s.url)} (fingerprint \`${escapeMrkdwn(s.fingerprint)}\`)`);
    const more = alert.secrets.length - listed.length;
    blocks.push(
      section(`${plural(alert.secrets.length, 'hardcoded secret')} first seen at ${commit} in *${escapeMrkdwn(alert.repo)}*:\n${listed.join('\n')}${more > 0 ? `\n…and ${more} more` : ''}`),
      section(`*Rotate it now*: anyone who can read the repository (or its history) has it. ${escapeMrkdwn(alert.secrets[0]!.fix)}`),
      context('Removing it from the code does not revoke it: the commit stays in the history. The value is never shown here, in logs or in the database; the fingerprint identifies it across scans.'),
    );
  }
  if (findings.length) {
    const listed = findings.slice(0, MAX_LISTED).map((f) => `• ${styleOf(f.severity).emoji} \`${escapeMrkdwn(f.rule)}\` in ${place(f.file, f.line, f.url)}: ${escapeMrkdwn(truncate(f.message, 200))}\n      _${escapeMrkdwn(truncate(f.fix, 200))}_`);
    const more = findings.length - listed.length;
    blocks.push(section(`${plural(findings.length, 'new code finding')} at high or critical, first seen at ${commit}:\n${listed.join('\n')}${more > 0 ? `\n…and ${more} more` : ''}`));
  }
  const parts = [
    ...(alert.secrets.length ? [`${plural(alert.secrets.length, 'hardcoded secret')} committed (${alert.secrets.map((s) => escapeMrkdwn(s.kind)).slice(0, 3).join(', ')})`] : []),
    ...(findings.length ? [plural(findings.length, 'new code finding')] : []),
  ];
  // The notification text is mrkdwn too: the repository's name and the kinds come from outside.
  return fitMessage({ text: `${escapeMrkdwn(alert.repo)}: ${parts.join('; ')}`, blocks }).first;
}
