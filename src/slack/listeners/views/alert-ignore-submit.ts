/**
 * The alert's Ignore modal submit: the metadata must be the one sealed for this person, they must
 * still be allowed to change the alert channel's ignores, the values must validate (errors stay in
 * the modal); then the channel ignore goes through what `/audit ignore` does (the watch service's
 * checks: an alias of an advisory the channel already ignores is refused on the id field, an id
 * the advisory data does not hold is stored with a warning) and is announced, warning included, in
 * the alert's thread.
 */
import type { App } from '@slack/bolt';
import type { WatchReply } from '../../../watch/commands.js';
import { readIgnoreSubmission, IGNORE_BLOCKS, type StateValues } from '../../blocks/ignore-modal.js';
import { watchReplyMessage } from '../../blocks/watch-reply.js';
import { metadataNumber } from '../../view-metadata.js';
import { ALERT_IGNORE_CALLBACK } from '../actions/alert-ignore.js';
import { failedRequestLine } from '../../errors.js';
import { logFailure, reportFailure, type ListenerDeps } from '../deps.js';

export function registerAlertIgnoreSubmit(app: App, deps: ListenerDeps): void {
  app.view(ALERT_IGNORE_CALLBACK, async ({ ack, view, body, client }) => {
    let outcome;
    try {
      outcome = await storeAlertIgnore(deps, view, body.user.id);
    } catch (err) {
      // Acked whatever happens: without an ack Slack shows its own error, with no id to report. The
      // modal stays open with the id that is in the log.
      const { errorId } = logFailure(deps, err, 'storing an alert ignore');
      await ack({ response_action: 'errors', errors: { [IGNORE_BLOCKS.reason]: failedRequestLine(errorId) } });
      return;
    }
    if ('errors' in outcome) {
      await ack({ response_action: 'errors', errors: outcome.errors });
      return;
    }
    await ack();
    const { channel, messageTs, reply } = outcome.stored;
    try {
      await client.chat.postMessage({ channel, ...(messageTs ? { thread_ts: messageTs } : {}), text: watchReplyMessage(reply).text });
    } catch (err) {
      await reportFailure(deps, err, 'announcing an ignore');
    }
  });
}

/** A channel ignore just stored (the command's reply: what to say, warning included), with where its announcement goes (the alert's thread). */
interface StoredAlertIgnore {
  channel: string;
  messageTs: string | null;
  reply: Extract<WatchReply, { kind: 'ignored' }>;
}

/** Why the watch service did not store the ignore, on the modal's field it is about (view errors are plain text). */
function refusalErrors(reply: Exclude<WatchReply, { kind: 'ignored' }>): Record<string, string> {
  switch (reply.kind) {
    case 'already-ignored':
      return { [IGNORE_BLOCKS.advisory]: `${reply.id} is already ignored in this channel as ${reply.as}${reply.package ? ` for ${reply.package}` : ''} (the same advisory): nothing to add.` };
    case 'past-date':
      return { [IGNORE_BLOCKS.until]: 'Pick a date in the future (or leave it empty).' };
    case 'cannot':
      return { [IGNORE_BLOCKS.reason]: reply.message };
    default:
      return { [IGNORE_BLOCKS.reason]: 'Could not save the ignore; try again.' };
  }
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
  const reply = await watch.ignore({ id: advisoryId, package: pkg, reason, until }, { userId, channelId: alert.channel, via: 'modal' });
  if (reply.kind !== 'ignored') return { errors: refusalErrors(reply) };
  return { stored: { channel: alert.channel, messageTs: alert.messageTs ?? null, reply } };
}
