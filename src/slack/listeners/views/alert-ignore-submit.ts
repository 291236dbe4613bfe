/**
 * The alert's Ignore modal submit: the metadata must be the one sealed for this person, they must
 * still be allowed to change the alert channel's ignores, the values must validate (errors stay in
 * the modal); then a channel ignore is stored and announced in the alert's thread.
 */
import type { App } from '@slack/bolt';
import { readIgnoreSubmission, IGNORE_BLOCKS } from '../../blocks/ignore-modal.js';
import { md } from '../../blocks/mrkdwn.js';
import { metadataNumber } from '../../view-metadata.js';
import { ALERT_IGNORE_CALLBACK } from '../actions/alert-ignore.js';
import { reportFailure, type ListenerDeps } from '../deps.js';

export function registerAlertIgnoreSubmit(app: App, deps: ListenerDeps): void {
  app.view(ALERT_IGNORE_CALLBACK, async ({ ack, view, body, client }) => {
    const watch = deps.watch;
    const opened = deps.seal.open(view.private_metadata, body.user.id);
    const alertId = opened ? metadataNumber(opened.data, 'alert') : null;
    const alert = alertId !== null ? await watch?.alert(alertId) : null;
    if (!opened) deps.logger.warn({ user: body.user.id }, 'alert ignore submission with metadata this app did not seal for that person');
    if (!watch || !opened || !alert) {
      await ack({ response_action: 'errors', errors: { [IGNORE_BLOCKS.reason]: 'That alert is no longer known to Depwatch.' } });
      return;
    }
    const decision = deps.gate.check({ userId: body.user.id, channel: opened.channel, via: 'modal' }, { kind: 'ignores', verb: 'add', channel: alert.channel, repo: null });
    if (!decision.allowed) {
      await ack({ response_action: 'errors', errors: { [IGNORE_BLOCKS.reason]: decision.reason } });
      return;
    }
    const now = deps.now();
    const submission = readIgnoreSubmission(view.state.values, now.toISOString().slice(0, 10));
    if (!submission.ok) {
      await ack({ response_action: 'errors', errors: submission.errors });
      return;
    }
    const { advisoryId, reason, until, package: pkg } = submission.value;
    await watch.state.addIgnore({ channel: alert.channel, advisory: advisoryId, package: pkg, reason, until, userId: body.user.id, now });
    await ack();
    try {
      await client.chat.postMessage({
        channel: alert.channel,
        ...(alert.messageTs ? { thread_ts: alert.messageTs } : {}),
        text: md`${md.user(body.user.id)} ignored ${advisoryId}${pkg ? md` for ${pkg}` : ''} in this channel ${until ? `until ${until}` : 'with no expiry'}: “${reason}”`.text,
      });
    } catch (err) {
      await reportFailure(deps, err, 'announcing an ignore');
    }
  });
}
