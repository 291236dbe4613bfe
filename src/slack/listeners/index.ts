/** Registers every listener, one file each (as in Slack's Bolt TypeScript starter). */
import type { App } from '@slack/bolt';
import { registerHomeAuditAction } from './actions/home-audit.js';
import { registerIgnoreAction } from './actions/ignore.js';
import { registerStartIncidentAction } from './actions/start-incident.js';
import { registerWatchAction } from './actions/watch.js';
import { registerAuditCommand } from './commands/audit.js';
import type { ListenerDeps } from './deps.js';
import { registerAppHomeOpened } from './events/app-home-opened.js';
import { registerHomeAuditSubmit } from './views/home-audit-submit.js';
import { registerIgnoreSubmit } from './views/ignore-submit.js';

export type { ListenerDeps };

export function registerListeners(app: App, deps: ListenerDeps): void {
  registerAuditCommand(app, deps);
  registerIgnoreAction(app, deps);
  registerWatchAction(app, deps);
  registerStartIncidentAction(app, deps);
  registerHomeAuditAction(app, deps);
  registerIgnoreSubmit(app, deps);
  registerHomeAuditSubmit(app, deps);
  registerAppHomeOpened(app, deps);
}
