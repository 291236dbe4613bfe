/**
 * The alert's Ignore modal submit: validate (errors stay in the modal), check the user may change
 * ignores (DEPWATCH_ADMINS), store a channel ignore, and say so in the alert's thread.
 */
import type { App } from '@slack/bolt';
import { readIgnoreSubmission, IGNORE_BLOCKS } from '../../blocks/ignore-modal.js';
import { escapeMrkdwn } from '../../blocks/kit.js';
import { ALERT_IGNORE_CALLBACK } from '../actions/alert-ignore.js';
import { reportFailure, type ListenerDeps } from '../deps.js';

export function registerAlertIgnoreSubmit(app: App, deps: ListenerDeps): void {
  app.view(ALERT_IGNORE_CALLBACK, async ({ ack, view, body, client }) => {
    const watch = deps.watch;
    let alertId: number | null = null;
    try {
      const raw = JSON.parse(view.private_metadata) as { alert?: unknown };
      if (typeof raw.alert === 'number') alertId = raw.alert;
    } catch {
      alertId = null;
    }
    const alert = alertId !== null ? watch?.alert(alertId) : null;
    if (!watch || !alert) {
      await ack({ response_action: 'errors', errors: { [IGNORE_BLOCKS.reason]: 'That alert is no longer known to Depwatch.' } });
      return;
    }
    if (!watch.isAdmin(body.user.id)) {
      await ack({ response_action: 'errors', errors: { [IGNORE_BLOCKS.reason]: 'Only Depwatch admins (DEPWATCH_ADMINS) can add ignores.' } });
      return;
    }
    const now = deps.now();
    const submission = readIgnoreSubmission(view.state.values, now.toISOString().slice(0, 10));
    if (!submission.ok) {
      await ack({ response_action: 'errors', errors: submission.errors });
      return;
    }
    const { advisoryId, reason, until, package: pkg } = submission.value;
    watch.store.addIgnore({ channel: alert.channel, advisory: advisoryId, package: pkg, reason, until, userId: body.user.id, now });
    await ack();
    try {
      await client.chat.postMessage({
        channel: alert.channel,
        ...(alert.messageTs ? { thread_ts: alert.messageTs } : {}),
        text: `<@${body.user.id}> ignored ${escapeMrkdwn(advisoryId)}${pkg ? ` for ${escapeMrkdwn(pkg)}` : ''} in this channel ${until ? `until ${until}` : 'with no expiry'}: “${escapeMrkdwn(reason)}”`,
      });
    } catch (err) {
      await reportFailure(deps, err, 'announcing an ignore');
    }
  });
}
