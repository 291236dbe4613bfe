/** The Home tab's audit modal: validate the repository (errors in the modal), then audit into a DM. */
import type { App } from '@slack/bolt';
import { pullRequestInUrl, RepoRefError } from '../../../github/repo-ref.js';
import { HOME_AUDIT_BLOCK, HOME_AUDIT_CALLBACK, readAuditRepoSubmission } from '../../blocks/home.js';
import type { ListenerDeps } from '../deps.js';

export function registerHomeAuditSubmit(app: App, deps: ListenerDeps): void {
  app.view(HOME_AUDIT_CALLBACK, async ({ ack, view, body, client }) => {
    const text = readAuditRepoSubmission(view.state.values);
    let ref;
    try {
      ref = deps.service.parseRef(text);
    } catch (err) {
      const message = err instanceof RepoRefError ? err.message : 'That is not a repository.';
      await ack({ response_action: 'errors', errors: { [HOME_AUDIT_BLOCK]: message } });
      return;
    }
    await ack();
    deps.service.track(deps.service.auditToDm(client, body.user.id, ref, pullRequestInUrl(text) ?? undefined));
  });
}
