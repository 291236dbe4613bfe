/** "Open fix PR: owner/repo" under a new-advisory alert: opens (or links) that repository's fix pull request. */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { ALERT_FIX_PR_ACTION } from '../../blocks/alert.js';
import { openFixPrFromAlert } from '../../fix-pr-flow.js';
import { reportFailure, type ListenerDeps } from '../deps.js';

export function registerAlertFixPrAction(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: ALERT_FIX_PR_ACTION }, async ({ ack, body, action, client, respond }) => {
    await ack();
    const watch = deps.watch;
    if (!watch) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: 'Watching is not running on this Depwatch.' });
      return;
    }
    const work = openFixPrFromAlert(deps.service.fixPrContext(), watch.fixSource(), {
      client,
      value: action.value,
      user: body.user.id,
      channel: body.container?.channel_id ?? body.channel?.id ?? null,
      ts: body.container?.message_ts ?? body.message?.ts ?? null,
      respond,
    }).catch((err: unknown) => reportFailure(deps, err, 'opening a fix pull request from an alert', respond));
    deps.service.track(work);
  });
}
