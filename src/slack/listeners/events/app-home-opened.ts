/** Publishes the Home tab whenever someone opens it (Slack shows the last published view meanwhile). */
import type { App } from '@slack/bolt';
import { reportFailure, type ListenerDeps } from '../deps.js';

export function registerAppHomeOpened(app: App, deps: ListenerDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    try {
      await deps.service.publishHome(client, event.user);
    } catch (err) {
      await reportFailure(deps, err, 'publishing the Home tab');
    }
  });
}
