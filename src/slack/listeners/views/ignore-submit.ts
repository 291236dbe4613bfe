/** The Ignore modal's submit: validate (errors stay in the modal), store, ack, re-render the reply. */
import type { App } from '@slack/bolt';
import { IGNORE_MODAL_CALLBACK } from '../../blocks/ignore-modal.js';
import { reportFailure, type ListenerDeps } from '../deps.js';

export function registerIgnoreSubmit(app: App, deps: ListenerDeps): void {
  app.view(IGNORE_MODAL_CALLBACK, async ({ ack, view, body, client }) => {
    let outcome;
    try {
      outcome = await deps.service.submitIgnore({ privateMetadata: view.private_metadata, values: view.state.values, user: body.user.id, client });
    } catch (err) {
      await ack({ response_action: 'errors', errors: { ignore_reason: 'Could not save the ignore; try again.' } });
      await reportFailure(deps, err, 'storing an ignore');
      return;
    }
    await ack(outcome.ack);
    if (outcome.followUp) {
      const followUp = outcome.followUp;
      deps.service.track(followUp().catch((err: unknown) => reportFailure(deps, err, 'updating the audit after an ignore')));
    }
  });
}
