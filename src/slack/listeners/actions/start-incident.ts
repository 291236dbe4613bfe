/**
 * "Start incident" on a high or critical finding. Incidents are a later feature; until it lands the
 * button says so. The later work replaces this file (the value is `auditId:findingToken`).
 */
import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { AUDIT_ACTIONS } from '../../blocks/audit-reply.js';
import type { ListenerDeps } from '../deps.js';

export const INCIDENTS_NOT_INSTALLED = 'Incident checklists are not installed yet; handle this one by hand for now.';

export function registerStartIncidentAction(app: App, _deps: ListenerDeps): void {
  app.action<BlockAction<ButtonAction>>(AUDIT_ACTIONS.incident, async ({ ack, respond }) => {
    await ack();
    await respond({ response_type: 'ephemeral', replace_original: false, text: INCIDENTS_NOT_INSTALLED });
  });
}
