/** App Home's "Audit a repository…": opens a modal asking for owner/repo. */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { fitView } from '../../blocks/fit.js';
import { auditRepoModal, HOME_ACTIONS } from '../../blocks/home.js';
import { reportFailure, type ListenerDeps } from '../deps.js';

export function registerHomeAuditAction(app: App, deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(HOME_ACTIONS.auditRepo, async ({ ack, body, client }) => {
    await ack();
    try {
      await client.views.open({ trigger_id: body.trigger_id, view: fitView(auditRepoModal()) });
    } catch (err) {
      await reportFailure(deps, err, 'opening the audit modal');
    }
  });
}
