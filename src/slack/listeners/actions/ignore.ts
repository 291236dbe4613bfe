/** "Ignore…" under a vulnerability: opens the Ignore modal for the finding the button names. */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { AUDIT_ACTIONS } from '../../blocks/audit-reply.js';
import { reportFailure, type ListenerDeps } from '../deps.js';

export function registerIgnoreAction(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(AUDIT_ACTIONS.ignore, async ({ ack, body, action, client, respond }) => {
    await ack();
    try {
      await deps.service.openIgnoreModal({
        client,
        triggerId: body.trigger_id,
        value: action.value,
        user: body.user.id,
        channel: body.container?.channel_id ?? body.channel?.id ?? null,
        respond,
      });
    } catch (err) {
      await reportFailure(deps, err, 'opening the Ignore modal', respond);
    }
  });
}
