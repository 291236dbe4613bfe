/** The Ignore modal's submit: validate (errors stay in the modal), store, ack, re-render the reply. */
import type { App } from '@slack/bolt';
import { IGNORE_BLOCKS, IGNORE_MODAL_CALLBACK } from '../../blocks/ignore-modal.js';
import { failedRequestLine } from '../../errors.js';
import { logFailure, reportFailure, type ListenerDeps } from '../deps.js';

export function registerIgnoreSubmit(app: App, deps: ListenerDeps): void {
  app.view(IGNORE_MODAL_CALLBACK, async ({ ack, view, body, client }) => {
    let outcome;
    try {
      outcome = await deps.service.submitIgnore({ privateMetadata: view.private_metadata, values: view.state.values, user: body.user.id, client });
    } catch (err) {
      // Answered whatever happens (the store unreachable, mostly): unanswered, Slack shows its own
      // "trouble connecting", with no id to report. The modal stays open with the id that is in the log.
      const { errorId } = logFailure(deps, err, 'storing an ignore');
      await ack({ response_action: 'errors', errors: { [IGNORE_BLOCKS.reason]: failedRequestLine(errorId) } });
      return;
    }
    await ack(outcome.ack);
    if (outcome.followUp) {
      const followUp = outcome.followUp;
      deps.service.track(followUp().catch((err: unknown) => reportFailure(deps, err, 'updating the audit after an ignore')));
    }
  });
}
