/**
 * The alert's Ignore modal submit: the metadata must be the one sealed for this person, they must
 * still be allowed to change the alert channel's ignores, the values must validate (errors stay in
 * the modal); then a channel ignore is stored and announced in the alert's thread.
 */
import type { App } from '@slack/bolt';
import { readIgnoreSubmission, IGNORE_BLOCKS, type StateValues } from '../../blocks/ignore-modal.js';
import { md } from '../../blocks/mrkdwn.js';
import { metadataNumber } from '../../view-metadata.js';
import { ALERT_IGNORE_CALLBACK } from '../actions/alert-ignore.js';
import { reportFailure, type ListenerDeps } from '../deps.js';

export function registerAlertIgnoreSubmit(app: App, deps: ListenerDeps): void {
  app.view(ALERT_IGNORE_CALLBACK, async ({ ack, view, body, client }) => {
    let outcome;
    try {
      outcome = await storeAlertIgnore(deps, view, body.user.id);
    } catch (err) {
      // Acked whatever happens: without an ack Slack shows its own error, with no id to report.
      await ack({ response_action: 'errors', errors: { [IGNORE_BLOCKS.reason]: 'Could not save the ignore; try again.' } });
      await reportFailure(deps, err, 'storing an alert ignore');
      return;
    }
    if ('errors' in outcome) {
      await ack({ response_action: 'errors', errors: outcome.errors });
      return;
    }
    await ack();
    const { channel, messageTs, advisoryId, reason, until, pkg } = outcome.stored;
    try {
      await client.chat.postMessage({
        channel,
        ...(messageTs ? { thread_ts: messageTs } : {}),
        text: md`${md.user(body.user.id)} ignored ${advisoryId}${pkg ? md` for ${pkg}` : ''} in this channel ${until ? `until ${until}` : 'with no expiry'}: “${reason}”`.text,
      });
    } catch (err) {
      await reportFailure(deps, err, 'announcing an ignore');
    }
  });
}

/** A channel ignore just stored, with where its announcement goes (the alert's thread). */
interface StoredAlertIgnore {
  channel: string;
  messageTs: string | null;
  advisoryId: string;
  reason: string;
  until: string | null;
  pkg: string | null;
}

/**
 * Checks the submission (sealed metadata, the alert, the gate, the values) and stores the channel
 * ignore: what to announce, or the errors to keep the modal open with. Throws when a store fails.
 */
async function storeAlertIgnore(
  deps: ListenerDeps,
  view: { private_metadata: string; state: { values: StateValues } },
  userId: string,
): Promise<{ errors: Record<string, string> } | { stored: StoredAlertIgnore }> {
  const watch = deps.watch;
  const opened = deps.seal.open(view.private_metadata, userId);
  const alertId = opened ? metadataNumber(opened.data, 'alert') : null;
  const alert = alertId !== null ? await watch?.alert(alertId) : null;
  if (!opened) deps.logger.warn({ user: userId }, 'alert ignore submission with metadata this app did not seal for that person');
  if (!watch || !opened || !alert) return { errors: { [IGNORE_BLOCKS.reason]: 'That alert is no longer known to Depwatch.' } };
  const decision = deps.gate.check({ userId, channel: opened.channel, via: 'modal' }, { kind: 'ignores', verb: 'add', channel: alert.channel, repo: null });
  if (!decision.allowed) return { errors: { [IGNORE_BLOCKS.reason]: decision.reason } };
  const now = deps.now();
  const submission = readIgnoreSubmission(view.state.values, now.toISOString().slice(0, 10));
  if (!submission.ok) return { errors: submission.errors };
  const { advisoryId, reason, until, package: pkg } = submission.value;
  await watch.state.addIgnore({ channel: alert.channel, advisory: advisoryId, package: pkg, reason, until, userId, now });
  return { stored: { channel: alert.channel, messageTs: alert.messageTs ?? null, advisoryId, reason, until, pkg } };
}
