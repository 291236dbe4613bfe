/** `/audit owner/repo[@branch] | URL | help`: acks at once, then audits in the background. */
import type { App } from '@slack/bolt';
import { RepoRefError } from '../../../github/repo-ref.js';
import { usageMessage } from '../../blocks/errors.js';
import { fitMessage } from '../../blocks/fit.js';
import type { ListenerDeps } from '../deps.js';

const HELP = /^(help|-h|--help|\?|usage)$/i;

export function registerAuditCommand(app: App, deps: ListenerDeps): void {
  app.command('/audit', async ({ command, ack, respond, client }) => {
    const text = command.text.trim();
    if (!text || HELP.test(text)) {
      await ack({ response_type: 'ephemeral', ...fitMessage(usageMessage()).first });
      return;
    }
    let ref;
    try {
      ref = deps.service.parseRef(text);
    } catch (err) {
      if (!(err instanceof RepoRefError)) throw err;
      await ack({ response_type: 'ephemeral', ...fitMessage(usageMessage(`:warning: ${err.message}.`)).first });
      return;
    }
    await ack();
    deps.service.start({ ref, user: command.user_id, channel: command.channel_id, client, respond });
  });
}
