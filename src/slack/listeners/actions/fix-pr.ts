/** "Open fix PR" under an /audit reply: opens (or links) the fix pull request of that audit. */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { FIX_PR_ACTION } from '../../blocks/fix-pr.js';
import { openFixPrFromReply } from '../../fix-pr-flow.js';
import { reportFailure, type ListenerDeps } from '../deps.js';

export function registerFixPrAction(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(FIX_PR_ACTION, async ({ ack, body, action, client, respond }) => {
    await ack();
    const work = openFixPrFromReply(deps.service.fixPrContext(), {
      client,
      value: action.value,
      user: body.user.id,
      channel: body.container?.channel_id ?? body.channel?.id ?? null,
      ts: body.container?.message_ts ?? body.message?.ts ?? null,
      respond,
    }).catch((err: unknown) => reportFailure(deps, err, 'opening a fix pull request', respond));
    // Several GitHub writes (octokit spaces them a second apart): after the ack, tracked for shutdown and tests.
    deps.service.track(work);
  });
}
