/**
 * The new-secret alert: a credential was committed to a watched repository. It says what kind of
 * credential, where (linked to the line at the commit that added it) and its fingerprint, and what
 * to do; never the value, which is not in the data at all (src/watch/secret-alerts.ts).
 */
import type { KnownBlock } from '@slack/types';
import { plural } from '../../plural.js';
import type { SecretAlert } from '../../watch/messages.js';
import { fitMessage, type FittedMessage } from './fit.js';
import { context, escapeMrkdwn, header, link, section } from './kit.js';

/** Secrets listed one by one; a commit that adds more is summarised after these. */
const MAX_LISTED = 20;

export function secretAlertMessage(alert: SecretAlert): FittedMessage {
  const short = alert.sha.slice(0, 7);
  const commit = alert.repoUrl ? link(`${alert.repoUrl.replace(/\/+$/, '')}/commit/${alert.sha}`, short) : `\`${escapeMrkdwn(short)}\``;
  const listed = alert.secrets.slice(0, MAX_LISTED).map((s) => {
    const place = `${s.file}${s.line ? `:${s.line}` : ''}`;
    const where = s.url ? link(s.url, place) : `\`${escapeMrkdwn(place)}\``;
    return `• 🔴 *${escapeMrkdwn(s.kind)}* in ${where} (fingerprint \`${escapeMrkdwn(s.fingerprint)}\`)`;
  });
  const more = alert.secrets.length - listed.length;
  const fix = alert.secrets[0]?.fix ?? '';
  const blocks: KnownBlock[] = [
    header(`Secret committed: ${alert.repo}`),
    section(`${plural(alert.secrets.length, 'hardcoded secret')} first seen at ${commit} in *${escapeMrkdwn(alert.repo)}*:\n${listed.join('\n')}${more > 0 ? `\n…and ${more} more` : ''}`),
    section(`*Rotate it now*: anyone who can read the repository (or its history) has it. ${escapeMrkdwn(fix)}`),
    context('Removing it from the code does not revoke it: the commit stays in the history. The value is never shown here, in logs or in the database; the fingerprint identifies it across scans.'),
  ];
  const text = `${alert.repo}: ${plural(alert.secrets.length, 'hardcoded secret')} committed (${alert.secrets.map((s) => s.kind).slice(0, 3).join(', ')})`;
  return fitMessage({ text, blocks }).first;
}
