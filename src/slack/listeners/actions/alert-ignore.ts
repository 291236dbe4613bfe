/**
 * "Ignore…" on a new-advisory alert: the same modal as under /audit replies, but the ignore it stores
 * is the channel's (as `/audit ignore` would), since an alert speaks for every repo the channel watches.
 * Only people who may change the channel's ignores get the modal; its metadata is sealed to them.
 */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { ALERT_ACTIONS } from '../../blocks/alert.js';
import { ignoreModalView } from '../../blocks/ignore-modal.js';
import { escapeMrkdwn, md } from '../../blocks/mrkdwn.js';
import { reportFailure, type ListenerDeps } from '../deps.js';

export const ALERT_IGNORE_CALLBACK = 'alert_ignore_submit';

export function registerAlertIgnoreAction(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(ALERT_ACTIONS.ignore, async ({ ack, body, action, client, respond }) => {
    await ack();
    const alert = /^\d{1,15}$/.test(action.value ?? '') ? await deps.watch?.alert(Number(action.value)) : null;
    if (!alert) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: 'That alert is no longer known to Depwatch.' });
      return;
    }
    const channel = body.container?.channel_id ?? body.channel?.id ?? null;
    const decision = deps.gate.check({ userId: body.user.id, channel, via: 'button' }, { kind: 'ignores', verb: 'add', channel: alert.channel, repo: null });
    if (!decision.allowed) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: escapeMrkdwn(decision.reason) });
      return;
    }
    try {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: ignoreModalView({
          intro: md`Ignore *${alert.advisoryId}* in this channel: alerts, digests and audits here leave it out, with your reason.`.text,
          advisoryId: alert.advisoryId,
          packageName: '',
          callbackId: ALERT_IGNORE_CALLBACK,
          privateMetadata: deps.seal.seal({ user: body.user.id, channel, data: { alert: alert.id } }),
        }),
      });
    } catch (err) {
      await reportFailure(deps, err, 'opening the Ignore modal for an alert', respond);
    }
  });
}
