/** "Open fix PR: owner/repo" under a new-advisory alert: opens (or links) that repository's fix pull request. */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { ALERT_FIX_PR_ACTION } from '../../blocks/alert.js';
import { openFixPrFromAlert } from '../../fix-pr-flow.js';
import { reportFailure, type ListenerDeps } from '../deps.js';
import { fixPrClickOf } from './fix-pr.js';

export function registerAlertFixPrAction(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: ALERT_FIX_PR_ACTION }, async (args) => {
    await args.ack();
    const watch = deps.watch;
    if (!watch) {
      await args.respond({ response_type: 'ephemeral', replace_original: false, text: 'Watching is not running on this Depwatch.' });
      return;
    }
    const work = openFixPrFromAlert(deps.service.fixPrContext(), watch.fixSource(), fixPrClickOf(args)).catch((err: unknown) =>
      reportFailure(deps, err, 'opening a fix pull request from an alert', args.respond),
    );
    deps.service.track(work);
  });
}
