/**
 * "Ignore…" on a new-advisory alert: the same modal as under /audit replies, but the ignore it stores
 * is the channel's (as `/audit ignore` would), since an alert speaks for every repo the channel watches.
 */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { ALERT_ACTIONS } from '../../blocks/alert.js';
import { escapeMrkdwn } from '../../blocks/kit.js';
import { ignoreModalView } from '../../blocks/ignore-modal.js';
import { reportFailure, type ListenerDeps } from '../deps.js';

export const ALERT_IGNORE_CALLBACK = 'alert_ignore_submit';

export function registerAlertIgnoreAction(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(ALERT_ACTIONS.ignore, async ({ ack, body, action, client, respond }) => {
    await ack();
    const alert = deps.watch?.alert(Number(action.value));
    if (!alert) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: 'That alert is no longer known to Depwatch.' });
      return;
    }
    try {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: ignoreModalView({
          intro: `Ignore *${escapeMrkdwn(alert.advisoryId)}* in this channel: alerts, digests and audits here leave it out, with your reason.`,
          advisoryId: alert.advisoryId,
          packageName: '',
          callbackId: ALERT_IGNORE_CALLBACK,
          privateMetadata: JSON.stringify({ alert: alert.id }),
        }),
      });
    } catch (err) {
      await reportFailure(deps, err, 'opening the Ignore modal for an alert', respond);
    }
  });
}
