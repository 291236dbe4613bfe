/**
 * "Watch this repo". Watching is a later feature; until it lands the button says so. The later work
 * replaces this file (the button's value is the repository name).
 */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { AUDIT_ACTIONS } from '../../blocks/audit-reply.js';
import type { ListenerDeps } from '../deps.js';

export const WATCH_NOT_INSTALLED = 'Watching repositories is not installed yet; run `/audit` again when you want a fresh report.';

export function registerWatchAction(app: App, _deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(AUDIT_ACTIONS.watch, async ({ ack, respond }) => {
    await ack();
    await respond({ response_type: 'ephemeral', replace_original: false, text: WATCH_NOT_INSTALLED });
  });
}
