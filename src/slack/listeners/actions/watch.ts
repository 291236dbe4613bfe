/**
 * "Watch this repo" under an /audit reply: watches the reply's repository (the branch the audit
 * named when it is one other than the default, else the default branch) in the reply's channel.
 * Audits stored before the snapshot said which branch it read may name a tag, a commit or the
 * default branch: the watch service checks the ref and watches the default branch instead, saying
 * so when the ref is not a branch (WatchCommand `auditBranch`).
 * The value is the audit id (re-read from the store, so the click is honoured only in the channel
 * the reply was posted in); replies posted before that carried `owner/repo` and watch it here.
 */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { AUDIT_ACTIONS } from '../../blocks/audit-reply.js';
import { reportFailure, type ListenerDeps } from '../deps.js';
import type { KnownBlock } from '@slack/types';
import { watchReplyMessage } from '../../blocks/watch-reply.js';

export const WATCH_NOT_CONFIGURED = 'Watching is not running on this Depwatch (it starts with the bot); run `/audit` again when you want a fresh report.';

export function registerWatchAction(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(AUDIT_ACTIONS.watch, async ({ ack, body, action, respond }) => {
    await ack();
    if (!deps.watch) {
      await respond({ response_type: 'ephemeral', replace_original: false, text: WATCH_NOT_CONFIGURED });
      return;
    }
    const channelId = body.container?.channel_id ?? body.channel?.id;
    if (!channelId) return;
    const value = action.value ?? '';
    let repo = value;
    let replyChannel: string | null = null;
    if (/^\d{1,15}$/.test(value)) {
      const record = await deps.service.state.getAudit(Number(value));
      if (!record) {
        await respond({ response_type: 'ephemeral', replace_original: false, text: 'I no longer have that audit. Run `/audit` again and use the new buttons.' });
        return;
      }
      // A non-default branch the audit named, as /audit watch owner/repo@branch would; none (the
      // default branch, a tag or a commit was named): follow the default branch. An older record's
      // ref that is no such branch is followed as the default branch by watchButton.
      repo = record.requestedBranch ? `${record.repo}@${record.requestedBranch}` : record.repo;
      replyChannel = record.channel;
    }
    try {
      const reply = await deps.watch.watchButton({ repo, userId: body.user.id, channelId, replyChannel });
      const fitted: { text: string; blocks?: KnownBlock[] } = watchReplyMessage(reply);
      await respond({ response_type: reply.ephemeral ? 'ephemeral' : 'in_channel', replace_original: false, text: fitted.text, ...(fitted.blocks ? { blocks: fitted.blocks } : {}) });
    } catch (err) {
      await reportFailure(deps, err, 'watching a repository', respond);
    }
  });
}
