/** "Open fix PR" under an /audit reply: opens (or links) the fix pull request of that audit. */
import type { AllMiddlewareArgs, App, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { FIX_PR_ACTION } from '../../blocks/fix-pr.js';
import { openFixPrFromReply, type FixPrClick } from '../../fix-pr-flow.js';
import { reportFailure, type ListenerDeps } from '../deps.js';

type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/** What a fix-PR flow needs from a button click: who pressed what, where. */
export function fixPrClickOf({ body, action, client, respond }: ButtonArgs): FixPrClick {
  return {
    client,
    value: action.value,
    user: body.user.id,
    channel: body.container?.channel_id ?? body.channel?.id ?? null,
    ts: body.container?.message_ts ?? body.message?.ts ?? null,
    respond,
  };
}

export function registerFixPrAction(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(FIX_PR_ACTION, async (args) => {
    await args.ack();
    const work = openFixPrFromReply(deps.service.fixPrContext(), fixPrClickOf(args)).catch((err: unknown) => reportFailure(deps, err, 'opening a fix pull request', args.respond));
    // Several GitHub writes (octokit spaces them a second apart): after the ack, tracked for shutdown and tests.
    deps.service.track(work);
  });
}
