/**
 * Registers every listener, one file each (as in Slack's Bolt TypeScript starter). The incident
 * listeners (incidents/index.ts) are registered by createBot, which owns their dependencies.
 */
import type { App } from '@slack/bolt';
import { registerAlertIgnoreAction } from './actions/alert-ignore.js';
import { registerHomeAuditAction } from './actions/home-audit.js';
import { registerIgnoreAction } from './actions/ignore.js';
import { registerFixPrAction } from './actions/fix-pr.js';
import { registerAlertFixPrAction } from './actions/alert-fix-pr.js';
import { registerWatchAction } from './actions/watch.js';
import { registerAuditCommand } from './commands/audit.js';
import type { ListenerDeps } from './deps.js';
import { registerAppHomeOpened } from './events/app-home-opened.js';
import { registerAlertIgnoreSubmit } from './views/alert-ignore-submit.js';
import { registerHomeAuditSubmit } from './views/home-audit-submit.js';
import { registerIgnoreSubmit } from './views/ignore-submit.js';

export type { ListenerDeps };

export function registerListeners(app: App, deps: ListenerDeps): void {
  registerAuditCommand(app, deps);
  registerIgnoreAction(app, deps);
  registerFixPrAction(app, deps);
  registerAlertFixPrAction(app, deps);
  registerWatchAction(app, deps);
  registerHomeAuditAction(app, deps);
  registerIgnoreSubmit(app, deps);
  registerHomeAuditSubmit(app, deps);
  registerAppHomeOpened(app, deps);
  registerAlertIgnoreAction(app, deps);
  registerAlertIgnoreSubmit(app, deps);
}
